import { GyreError } from "../core/errors.js";
import type { RecordedNode, Ref } from "./dsl.js";
import type { PlanParamValue, PlanSource, PortType } from "./types.js";

/** A reference before nested pipelines are flattened: a node in some scope, or an input of a scope. */
export type Pre =
  | { kind: "node"; full: string; port: string }
  | { kind: "input"; scope: string; name: string };

/** A step or fan-out node as recorded, with its scope, bound params and unresolved inputs. */
export interface Draft {
  full: string;
  scope: string;
  node: Extract<RecordedNode, { kind: "step" | "map" }>;
  params: Record<string, PlanParamValue>;
  inputs: Record<string, Pre>;
  env: Record<string, PlanParamValue>;
}

/** A nested pipeline once expanded: its outputs (unresolved) and the ids of its steps. */
export interface Group {
  outputs: Record<string, Pre>;
  steps: string[];
}

/** What finishing a step needs from the compiler. */
export interface Resolver {
  readonly drafts: Map<string, Draft>;
  readonly groups: Map<string, Group>;
  resolve(pre: Pre, step: string, port: string): { src: PlanSource; type: PortType };
}

/** Throws a plan-time error naming the step (and port) at fault. */
export function fail(
  code: "PIPELINE_INPUT_MISSING" | "PIPELINE_TYPE_MISMATCH" | "PIPELINE_INVALID",
  msg: string,
  step: string,
  port?: string,
): never {
  throw new GyreError(code, msg, { field: port ?? "step", details: { step, ...(port ? { port } : {}) } });
}

/** `scope.id`, or `id` at top level. */
export function join(scope: string, id: string): string {
  return scope ? `${scope}.${id}` : id;
}

/** The unresolved form of a typed reference found in scope `scope`. */
export function toPre(ref: unknown, scope: string, step: string, port: string): Pre {
  const r = (ref as Ref | undefined)?.$ref;
  if (!r || typeof r !== "object") {
    fail(
      "PIPELINE_INPUT_MISSING",
      `Step '${step}' input '${port}' is not connected to an output reference`,
      step,
      port,
    );
  }
  return "input" in r
    ? { kind: "input", scope, name: r.input }
    : { kind: "node", full: join(scope, r.step), port: r.port };
}

/** How a source reads in messages. */
export function describe(src: PlanSource): string {
  return "input" in src ? `pipeline input '${src.input}'` : `'${src.step}.${src.port}'`;
}
