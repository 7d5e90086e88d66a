import { createHash } from "node:crypto";
import type { FeatureDefinition, PlanChange, StoredDefinition } from "./types.js";

/** A definition ready to store: its serialisable spec and the digest that decides whether it changed. */
export interface DesiredDefinition {
  kind: FeatureDefinition["kind"];
  name: string;
  digest: string;
  spec: Record<string, unknown>;
}

/** JSON with object keys sorted at every depth, so equal specs serialise to equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The stored form of a definition; an on-demand view's function is kept as its source text. */
export function toDesired(def: FeatureDefinition): DesiredDefinition {
  const spec: Record<string, unknown> = { ...def };
  if (def.kind === "onDemandFeatureView") spec.compute = def.compute.toString();
  const text = canonicalJson(spec);
  return {
    kind: def.kind,
    name: def.name,
    digest: createHash("sha256").update(text).digest("hex"),
    spec: JSON.parse(text) as Record<string, unknown>,
  };
}

const key = (d: { kind: string; name: string }) => `${d.kind}\u0000${d.name}`;
const ORDER = ["entity", "source", "featureView", "onDemandFeatureView", "featureService"];

/** Fields whose canonical JSON differs between two specs. */
function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((n) => canonicalJson(a[n]) !== canonicalJson(b[n]));
}

/**
 * The changes that turn `current` into `desired`, in dependency order (entities and sources first).
 * Definitions missing from `desired` are deleted, as `feast apply` does for objects removed from the repo.
 */
export function diffDefinitions(current: StoredDefinition[], desired: DesiredDefinition[]): PlanChange[] {
  const cur = new Map(current.map((d) => [key(d), d]));
  const out: PlanChange[] = [];
  for (const d of desired) {
    const c = cur.get(key(d));
    cur.delete(key(d));
    if (!c)
      out.push({ action: "create", kind: d.kind, name: d.name, fromVersion: null, toVersion: 1, fields: [] });
    else if (c.digest === d.digest)
      out.push({
        action: "unchanged",
        kind: d.kind,
        name: d.name,
        fromVersion: c.version,
        toVersion: c.version,
        fields: [],
      });
    else
      out.push({
        action: "update",
        kind: d.kind,
        name: d.name,
        fromVersion: c.version,
        toVersion: c.version + 1,
        fields: changedFields(c.spec, d.spec),
      });
  }
  for (const c of cur.values())
    out.push({
      action: "delete",
      kind: c.kind,
      name: c.name,
      fromVersion: c.version,
      toVersion: null,
      fields: [],
    });
  return out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || (a.name < b.name ? -1 : 1));
}
