import { GyreError } from "../core/errors.js";
import { checkName } from "./dsl.js";
import type { JsonValue, ParamSpec } from "./types.js";

/** Alert severities, lowest first; an alert trigger with `minSeverity` fires for that one and above. */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What starts a triggered run. */
export type TriggerSpec =
  /** A new version (name + digest) of a dataset whose name matches `dataset` (`*` is a wildcard). */
  | { kind: "dataset"; dataset: string }
  /** A new commit on `branch` of the git repository `repo` (a local path or any URL `git ls-remote` reads). */
  | { kind: "git"; repo: string; branch: string }
  /** An alert from monitoring (or Prometheus Alertmanager), optionally only for one deployment / monitor. */
  | { kind: "alert"; deployment?: string; monitor?: string; minSeverity?: Severity };

export type TriggerKind = TriggerSpec["kind"];

/** A stored trigger of a pipeline. Times are ms since the epoch. */
export interface Trigger {
  name: string;
  pipeline: string;
  on: TriggerSpec;
  /** Fixed run parameters; event payload fields with the name of a pipeline parameter override them. */
  params: Record<string, JsonValue>;
  enabled: boolean;
  createdTime: number;
  updatedTime: number;
}

/** A new trigger; `params` default to none, `enabled` to true. */
export interface NewTrigger {
  name: string;
  pipeline: string;
  on: TriggerSpec;
  params?: Record<string, JsonValue>;
  enabled?: boolean;
}

/** Something that happened: `key` identifies it (a trigger fires at most once per key), `payload` describes it. */
export interface TriggerEvent {
  key: string;
  payload: Record<string, JsonValue>;
}

/** One event a trigger has seen: the run it started, or none for the events that existed when it was added. */
export interface TriggerEventRecord {
  trigger: string;
  key: string;
  runId: string | null;
  payload: Record<string, JsonValue>;
  createdTime: number;
}

/** A version of a dataset as the tracking store records it (MLflow `Dataset`). */
export interface DatasetVersion {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
}

/** Persistence of triggers. `claimEvent` is the lock: exactly one caller records a given (trigger, key). */
export interface TriggerStore {
  /** Stores the trigger and its baseline events (seen, never fired) in one transaction. Throws PIPELINE_TRIGGER_EXISTS. */
  insertTrigger(t: Trigger, baseline: TriggerEvent[]): Promise<void>;
  getTrigger(name: string): Promise<Trigger | null>;
  listTriggers(): Promise<Trigger[]>;
  setTriggerEnabled(name: string, enabled: boolean): Promise<boolean>;
  /** Deletes the trigger and its events; false when there was none. */
  deleteTrigger(name: string): Promise<boolean>;
  /** Records the event for the trigger; true for exactly one caller per (trigger, key). */
  claimEvent(trigger: string, event: TriggerEvent, now: number): Promise<boolean>;
  /** Notes the run an event started. */
  setEventRun(trigger: string, key: string, runId: string): Promise<void>;
  /** Releases a claim whose run could not start, so a later poll or delivery can try again. */
  releaseEvent(trigger: string, key: string): Promise<void>;
  /** The trigger's events, newest first. */
  listEvents(trigger: string, limit: number): Promise<TriggerEventRecord[]>;
  /** Dataset versions whose name is LIKE `pattern` that the trigger has no event for. */
  unseenDatasets(trigger: string, likePattern: string): Promise<DatasetVersion[]>;
}

function invalid(message: string, field: string): GyreError {
  return new GyreError("PIPELINE_TRIGGER_INVALID", message, { field });
}

/** Validates a trigger spec (as typed or parsed from JSON). Throws PIPELINE_TRIGGER_INVALID naming the field. */
export function checkTriggerSpec(on: TriggerSpec): TriggerSpec {
  const str = (v: unknown) => typeof v === "string" && v.trim().length > 0;
  switch (on?.kind) {
    case "dataset":
      if (!str(on.dataset))
        throw invalid("A dataset trigger needs the dataset name (or a * pattern)", "on.dataset");
      return { kind: "dataset", dataset: on.dataset };
    case "git":
      if (!str(on.repo)) throw invalid("A git trigger needs the repository (a path or URL)", "on.repo");
      if (!str(on.branch) || on.branch.startsWith("-"))
        throw invalid(`Invalid branch '${String(on.branch)}' for the git trigger`, "on.branch");
      return { kind: "git", repo: on.repo, branch: on.branch };
    case "alert":
      if (on.minSeverity !== undefined && !SEVERITIES.includes(on.minSeverity))
        throw invalid(`Unknown severity '${on.minSeverity}': use ${SEVERITIES.join(", ")}`, "on.minSeverity");
      return {
        kind: "alert",
        ...(on.deployment ? { deployment: on.deployment } : {}),
        ...(on.monitor ? { monitor: on.monitor } : {}),
        ...(on.minSeverity ? { minSeverity: on.minSeverity } : {}),
      };
    default:
      throw invalid(
        `Unknown trigger kind '${String((on as { kind?: unknown })?.kind)}': use dataset, git or alert`,
        "on.kind",
      );
  }
}

/**
 * Parses the CLI form of a trigger spec: `dataset:<name or pattern>`, `git:<repo>#<branch>` (branch
 * defaults to main) or `alert[:<deployment>]`. Throws PIPELINE_TRIGGER_INVALID.
 */
export function parseTriggerSpec(text: string): TriggerSpec {
  const i = text.indexOf(":");
  const kind = i < 0 ? text : text.slice(0, i);
  const rest = i < 0 ? "" : text.slice(i + 1);
  if (kind === "dataset") return checkTriggerSpec({ kind, dataset: rest });
  if (kind === "alert") return checkTriggerSpec({ kind, ...(rest ? { deployment: rest } : {}) });
  if (kind === "git") {
    const hash = rest.lastIndexOf("#");
    const repo = hash < 0 ? rest : rest.slice(0, hash);
    return checkTriggerSpec({ kind, repo, branch: hash < 0 ? "main" : rest.slice(hash + 1) });
  }
  throw invalid(
    `Cannot read trigger '${text}': use dataset:<name>, git:<repo>#<branch> or alert[:<deployment>]`,
    "on",
  );
}

/** A complete trigger from `t`, validated. */
export function newTrigger(t: NewTrigger, now: number): Trigger {
  checkName(t.name, "trigger name");
  return {
    name: t.name,
    pipeline: t.pipeline,
    on: checkTriggerSpec(t.on),
    params: t.params ?? {},
    enabled: t.enabled ?? true,
    createdTime: now,
    updatedTime: now,
  };
}

/** The SQL LIKE pattern of a dataset name pattern (`*` → any run of characters; `%`, `_` literal). */
export function likePattern(pattern: string): string {
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

/** Whether an alert event passes the trigger's filters. */
export function alertMatches(
  on: Extract<TriggerSpec, { kind: "alert" }>,
  payload: Record<string, JsonValue>,
) {
  if (on.deployment && payload.deployment !== on.deployment) return false;
  if (on.monitor && payload.monitor !== on.monitor) return false;
  if (on.minSeverity) {
    const rank = SEVERITIES.indexOf(payload.severity as Severity);
    if (rank < SEVERITIES.indexOf(on.minSeverity)) return false;
  }
  return true;
}

/**
 * The run parameters of a firing: the trigger's fixed params, then every payload field that names a declared
 * pipeline parameter of a compatible type (strings are coerced to numbers and booleans where declared so).
 */
export function firingParams(
  specs: Record<string, ParamSpec>,
  fixed: Record<string, JsonValue>,
  payload: Record<string, JsonValue>,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { ...fixed };
  for (const [name, value] of Object.entries(payload)) {
    const spec = specs[name];
    if (!spec) continue;
    if (spec.type === "number" && typeof value === "string" && Number.isFinite(Number(value)))
      out[name] = Number(value);
    else if (spec.type === "boolean" && (value === "true" || value === "false")) out[name] = value === "true";
    else if (spec.type === "json" || typeof value === spec.type) out[name] = value;
  }
  return out;
}
