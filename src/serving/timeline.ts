import type { AliasHistory } from "../registry/index.js";
import { deploymentRefs, formatModelRef, normaliseDeployment } from "./spec.js";
import type { DeploymentChange } from "./store.js";
import type { TimelineEvent } from "./timeline-types.js";
import type { Deployment, ModelRef } from "./types.js";

export type { DeploymentTimeline, TimelineEvent } from "./timeline-types.js";

const specs = new WeakMap<DeploymentChange, Deployment | null>();

/** The deployment a recorded change wrote (null for a delete or a spec this version cannot read), read once. */
function specOf(change: DeploymentChange): Deployment | null {
  if (specs.has(change)) return specs.get(change)!;
  let spec: Deployment | null = null;
  try {
    if (change.spec) spec = normaliseDeployment(change.spec, "store");
  } catch {
    spec = null;
  }
  specs.set(change, spec);
  return spec;
}

const pct = (w: number) => `${Math.round(w * 10) / 10}%`;

function variantsText(d: Deployment): string {
  return d.traffic.variants.map((v) => `${v.name} ${formatModelRef(v.ref)} ${pct(v.weight)}`).join(" · ");
}

function diffCanary(a: Deployment, b: Deployment): string[] {
  const ca = a.traffic.variants.find((v) => v.name === "canary");
  const cb = b.traffic.variants.find((v) => v.name === "canary");
  if (!ca && cb) return [`canary started: ${formatModelRef(cb.ref)} at ${pct(cb.weight)}`];
  if (ca && !cb) return [`canary ended: ${formatModelRef(ca.ref)} removed`];
  if (!ca || !cb) return [];
  const out: string[] = [];
  if (formatModelRef(ca.ref) !== formatModelRef(cb.ref))
    out.push(`canary model ${formatModelRef(ca.ref)} → ${formatModelRef(cb.ref)}`);
  if (ca.weight !== cb.weight) out.push(`canary ${pct(ca.weight)} → ${pct(cb.weight)}`);
  return out;
}

function diffShadow(a: Deployment, b: Deployment): string[] {
  const sa = a.traffic.shadow;
  const sb = b.traffic.shadow;
  const text = (s: NonNullable<typeof sa>) =>
    `${formatModelRef(s.ref)} (${pct(s.sampleRate * 100)} mirrored)`;
  if (!sa && sb) return [`shadow started: ${text(sb)}`];
  if (sa && !sb) return [`shadow ended: ${formatModelRef(sa.ref)} removed`];
  if (sa && sb && text(sa) !== text(sb)) return [`shadow ${text(sa)} → ${text(sb)}`];
  return [];
}

/** The changes from `a` to `b` in words; an unrecognised change says "spec changed". */
export function describeUpdate(a: Deployment, b: Deployment): string {
  const isAb = (d: Deployment) => !d.traffic.variants.some((v) => v.name === "primary");
  const out: string[] = [];
  if (isAb(a) || isAb(b)) {
    if (variantsText(a) !== variantsText(b)) out.push(`traffic ${variantsText(a)} → ${variantsText(b)}`);
  } else {
    const pa = formatModelRef(a.traffic.variants[0]!.ref);
    const pb = formatModelRef(b.traffic.variants[0]!.ref);
    if (pa !== pb) out.push(`primary model ${pa} → ${pb}`);
    out.push(...diffCanary(a, b));
  }
  out.push(...diffShadow(a, b));
  if (a.traffic.stickyKey !== b.traffic.stickyKey)
    out.push(`sticky key ${a.traffic.stickyKey ?? "none"} → ${b.traffic.stickyKey ?? "none"}`);
  if (JSON.stringify(a.batching) !== JSON.stringify(b.batching)) out.push("batching changed");
  if (JSON.stringify(a.features) !== JSON.stringify(b.features)) out.push("feature enrichment changed");
  if (a.description !== b.description) out.push("description changed");
  return out.length > 0 ? out.join("; ") : "spec changed";
}

function changeEvent(change: DeploymentChange, before: Deployment | null): TimelineEvent {
  const after = specOf(change);
  let summary: string;
  if (change.action === "delete") summary = "deleted";
  else if (!after) summary = "spec changed (written by another gyre version)";
  else if (change.action === "create" || !before) {
    const shadow = after.traffic.shadow ? ` · shadow ${formatModelRef(after.traffic.shadow.ref)}` : "";
    summary = `created: ${variantsText(after)}${shadow}`;
  } else summary = describeUpdate(before, after);
  return {
    time: change.time,
    kind: "deployment",
    action: change.action,
    summary,
    model: null,
    alias: null,
    fromVersion: null,
    toVersion: null,
    userId: null,
    reason: null,
  };
}

/** Deployment changes as timeline events, each described against the spec before it; oldest first. */
export function changeEvents(changes: DeploymentChange[]): TimelineEvent[] {
  let before: Deployment | null = null;
  return changes.map((c) => {
    const e = changeEvent(c, before);
    before = specOf(c);
    return e;
  });
}

/** Alias moves as timeline events, oldest first. */
export function aliasEvents(history: AliasHistory): TimelineEvent[] {
  return history.events.map((e) => {
    const from = e.fromVersion === null ? "set" : `v${e.fromVersion}`;
    const to = e.toVersion === null ? "deleted" : `v${e.toVersion}`;
    return {
      time: e.timestamp,
      kind: "alias",
      action: e.toVersion === null ? "delete" : e.fromVersion === null ? "set" : "move",
      summary: `${e.name}@${e.alias} ${from} → ${to}`,
      model: e.name,
      alias: e.alias,
      fromVersion: e.fromVersion,
      toVersion: e.toVersion,
      userId: e.userId,
      reason: e.reason,
    };
  });
}

/** The alias references (model@alias) of the deployment now and of every recorded spec, de-duplicated, in order. */
export function followedAliases(current: Deployment | null, changes: DeploymentChange[]): ModelRef[] {
  const all = [current, ...changes.map(specOf)].filter((d): d is Deployment => !!d);
  const seen = new Map<string, ModelRef>();
  for (const d of all)
    for (const { ref } of deploymentRefs(d)) if (ref.alias !== undefined) seen.set(formatModelRef(ref), ref);
  return [...seen.values()];
}
