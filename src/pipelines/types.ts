/**
 * The compiled pipeline plan: plain JSON that executors run and exporters translate. Nothing in here
 * refers to functions or classes, so a plan can be stored, diffed and snapshot-tested.
 */

/** What an artifact port carries. Every output is stored in the artifact store with a sha256 digest. */
export const ARTIFACT_KINDS = ["dataset", "model", "metrics", "file"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** A port's type: one artifact, or a list of them (`dataset[]`) for fan-out sources and fan-in targets. */
export type PortType = ArtifactKind | `${ArtifactKind}[]`;

/** Parameter types; `json` accepts any JSON value. */
export type ParamType = "string" | "number" | "boolean" | "json";

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A declared parameter: its type and, when optional, its default. */
export interface ParamSpec {
  type: ParamType;
  default?: JsonValue;
  description?: string;
}

/** Where a step input comes from: another step's output port, or an input of the pipeline itself. */
export type PlanSource = { step: string; port: string } | { input: string };

/** A step parameter value: a literal, or a reference to a pipeline parameter resolved at run time. */
export type PlanParamValue = { literal: JsonValue } | { param: string };

/** Comparison operators of `when` conditions. */
export type CompareOp = "==" | "!=" | ">" | ">=" | "<" | "<=";

/** A serialisable `when` condition: on a (pipeline) parameter value, or on a key of an upstream metrics output. */
export type PlanCondition =
  | { param: PlanParamValue; op: CompareOp; value: JsonValue }
  | { metric: PlanSource; key: string; op: CompareOp; value: number };

/** How a step runs: an exported TypeScript/JavaScript function (in a pooled worker) or a command. */
export type PlanRun =
  | { kind: "function"; module: string; export: string }
  | { kind: "command"; command: string[]; shell: boolean; cwd: string | null };

/** Retry, timeout and cache policy of one step. Backoff delays are in ms: initial · factor^(attempt-1), capped. */
export interface StepPolicy {
  retries: number;
  backoff: { initialMs: number; factor: number; maxMs: number };
  /** null: no timeout. */
  timeoutMs: number | null;
  cache: boolean;
}

/** One node of the plan. `dependsOn` lists every upstream step id (inputs, `map.over`, `when`, `after`). */
export interface PlanStep {
  id: string;
  /** The step definition's name (several plan steps may share one definition). */
  name: string;
  /** The nested pipeline path this step was inlined from, e.g. "prep" or "prep.clean"; null at top level. */
  group: string | null;
  run: PlanRun;
  /** An explicit code version; when null the cache key hashes the module or command files instead. */
  version: string | null;
  inputs: Record<string, { type: PortType; from: PlanSource }>;
  outputs: Record<string, PortType>;
  params: Record<string, PlanParamValue>;
  /** Environment variable names whose values are passed to the step and enter its cache key. */
  env: string[];
  when: PlanCondition | null;
  /** Dynamic fan-out: one instance per element of the list at `over`, each bound to input port `as`. */
  map: { over: PlanSource; as: string } | null;
  dependsOn: string[];
  policy: StepPolicy;
}

/** A compiled pipeline: steps in a topological order (ties keep definition order). */
export interface PipelinePlan {
  apiVersion: "gyre.pipeline/v1";
  name: string;
  description: string | null;
  params: Record<string, ParamSpec>;
  inputs: Record<string, PortType>;
  outputs: Record<string, PlanSource>;
  steps: PlanStep[];
}

/** One stored file of an artifact, relative to the producing tracking run's artifact root. */
export interface ArtifactFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * A stored artifact: a file or a directory tree under a tracking run's artifacts. `digest` is the file's
 * sha256, or for a directory the sha256 of its sorted "relative-path sha256" lines.
 */
export interface ArtifactRef {
  type: ArtifactKind;
  runId: string;
  path: string;
  isDir: boolean;
  digest: string;
  files: ArtifactFile[];
}

/** An output value: one artifact, or a list for `kind[]` ports. */
export type OutputValue = ArtifactRef | ArtifactRef[];

/** Lifecycle of a pipeline run. */
export const PIPELINE_RUN_STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type PipelineRunStatus = (typeof PIPELINE_RUN_STATUSES)[number];

/** Lifecycle of a step. CACHED is a success whose outputs were reused from an earlier run. */
export const STEP_STATUSES = [
  "PENDING",
  "RUNNING",
  "SUCCEEDED",
  "CACHED",
  "FAILED",
  "SKIPPED",
  "CANCELLED",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Why a step attempt failed, as stored and shown to users. */
export interface StepError {
  reason:
    | "error"
    | "exit"
    | "timeout"
    | "worker-died"
    | "cancelled"
    | "output-missing"
    | "condition"
    | "upstream";
  message: string;
  retryable: boolean;
  code?: string | undefined;
}
