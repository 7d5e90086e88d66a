import { isAbsolute, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import type { StepDef } from "./dsl.js";
import { bindParams } from "./params.js";
import { type Draft, describe, fail, join, type Resolver, toPre } from "./plan-refs.js";
import type { PlanCondition, PlanRun, PlanStep, PortType } from "./types.js";

const DEFAULT_BACKOFF = { initialMs: 500, factor: 2, maxMs: 30_000 };

/** Resolves and type-checks each declared input (except the fan-out port); collects upstream step ids. */
function finishInputs(
  r: Resolver,
  d: Draft,
  declared: Record<string, PortType>,
  mapAs: string | null,
): { inputs: PlanStep["inputs"]; deps: Set<string> } {
  const inputs: PlanStep["inputs"] = {};
  const deps = new Set<string>();
  for (const [port, type] of Object.entries(declared)) {
    if (port === mapAs) continue;
    const pre = d.inputs[port];
    if (!pre)
      fail(
        "PIPELINE_INPUT_MISSING",
        `Step '${d.full}' input '${port}' (${type}) is not connected: pass inputs: { ${port}: <an output of an earlier step> }`,
        d.full,
        port,
      );
    const res = r.resolve(pre, d.full, port);
    if (res.type !== type)
      fail(
        "PIPELINE_TYPE_MISMATCH",
        `Step '${d.full}' input '${port}' expects ${type}, but ${describe(res.src)} is ${res.type}`,
        d.full,
        port,
      );
    if ("step" in res.src) deps.add(res.src.step);
    inputs[port] = { type, from: res.src };
  }
  return { inputs, deps };
}

/** The plan step of a draft: inputs resolved and type-checked, fan-out, condition, dependencies, policy. */
export function finishStep(r: Resolver, d: Draft): PlanStep {
  const spec = d.node.def.spec;
  const declared = spec.inputs ?? {};
  const mapAs = d.node.kind === "map" ? d.node.as : null;
  for (const port of Object.keys(d.inputs)) {
    if (!(port in declared) || port === mapAs)
      fail(
        "PIPELINE_INVALID",
        `Step '${d.full}' has no input '${port}' to connect (it declares: ${Object.keys(declared).join(", ") || "none"})`,
        d.full,
        port,
      );
  }
  const { inputs, deps } = finishInputs(r, d, declared, mapAs);
  const map = finishMap(r, d, declared, deps);
  const when = finishWhen(r, d, deps);
  for (const a of d.node.options.after ?? [])
    for (const s of afterIds(r, d, typeof a === "string" ? a : a.id)) deps.add(s);
  deps.delete(d.full);
  const o = d.node.options;
  return {
    id: d.full,
    name: spec.name,
    group: d.scope || null,
    run: planRun(spec, d.full),
    version: spec.version ?? null,
    inputs,
    outputs: { ...(spec.outputs ?? {}) },
    params: d.params,
    env: [...(spec.env ?? [])].sort(),
    when,
    map,
    dependsOn: [...deps].sort(),
    policy: {
      retries: o.retries ?? spec.retries ?? 0,
      backoff: { ...DEFAULT_BACKOFF, ...spec.backoff },
      timeoutMs: o.timeoutMs ?? spec.timeoutMs ?? null,
      cache: o.cache ?? spec.cache ?? true,
    },
  };
}

function finishMap(
  r: Resolver,
  d: Draft,
  declared: Record<string, PortType>,
  deps: Set<string>,
): PlanStep["map"] {
  if (d.node.kind !== "map") return null;
  const as = d.node.as;
  const elem = declared[as];
  if (elem === undefined)
    fail(
      "PIPELINE_INVALID",
      `Step '${d.full}' fans out into input '${as}', which it does not declare`,
      d.full,
      as,
    );
  if (elem.endsWith("[]"))
    fail(
      "PIPELINE_TYPE_MISMATCH",
      `Step '${d.full}' fans out into input '${as}', which is already a list (${elem})`,
      d.full,
      as,
    );
  const res = r.resolve(toPre(d.node.over, d.scope, d.full, as), d.full, as);
  if (res.type !== `${elem}[]`)
    fail(
      "PIPELINE_TYPE_MISMATCH",
      `Step '${d.full}' fans out over ${describe(res.src)} (${res.type}) into input '${as}', which expects ${elem}: the list must be ${elem}[]`,
      d.full,
      as,
    );
  if ("step" in res.src) deps.add(res.src.step);
  return { over: res.src, as };
}

function finishWhen(r: Resolver, d: Draft, deps: Set<string>): PlanCondition | null {
  const w = d.node.options.when;
  if (!w) return null;
  if ("param" in w) {
    const bound = bindParams(
      { when: { type: "json" } },
      { when: w.param },
      d.env,
      `the 'when' of step '${d.full}'`,
    );
    return { param: bound.when!, op: w.op, value: w.value };
  }
  const res = r.resolve(toPre(w.metric, d.scope, d.full, "when"), d.full, "when");
  if (res.type !== "metrics")
    fail(
      "PIPELINE_TYPE_MISMATCH",
      `The 'when' of step '${d.full}' reads ${describe(res.src)}, a ${res.type}; conditions read metrics outputs`,
      d.full,
      "when",
    );
  if ("step" in res.src) deps.add(res.src.step);
  return { metric: res.src, key: w.key, op: w.op, value: w.value };
}

function afterIds(r: Resolver, d: Draft, id: string): string[] {
  const full = join(d.scope, id);
  const group = r.groups.get(full);
  if (group) return group.steps;
  if (r.drafts.has(full)) return [full];
  return fail("PIPELINE_INVALID", `Step '${d.full}' runs after '${id}', but there is no such step`, d.full);
}

function planRun(spec: StepDef["spec"], step: string): PlanRun {
  if ("command" in spec && spec.command !== undefined) {
    const shell = typeof spec.command === "string";
    const command = shell ? [spec.command as string] : [...(spec.command as string[])];
    if (command.length === 0 || command[0] === "")
      fail("PIPELINE_INVALID", `Step '${step}' has an empty command`, step);
    return { kind: "command", command, shell, cwd: spec.cwd ? resolvePath(spec.cwd) : null };
  }
  const m = (spec as { module: string | URL }).module;
  const module = m instanceof URL || String(m).startsWith("file:") ? fileURLToPath(m) : String(m);
  if (!isAbsolute(module))
    fail(
      "PIPELINE_INVALID",
      `Step '${step}' module '${module}' must be absolute: use new URL("./file.ts", import.meta.url)`,
      step,
    );
  return { kind: "function", module, export: (spec as { export?: string }).export ?? "default" };
}
