import { metadataTransactionOf, TrackingService } from "../metadata/index.js";
import type { ArtifactIO } from "./artifact-io.js";
import type { CodeHasher } from "./cache.js";
import type { PipelineEvent } from "./event-types.js";
import type { Executor } from "./executor.js";
import {
  isTransactionalPipelineStore,
  type PipelineRunRecord,
  type PipelineStore,
  type StepRecord,
} from "./store.js";
import type { OutputValue, PipelinePlan, PlanSource, PlanStep, StepStatus } from "./types.js";

export type { PipelineEvent } from "./event-types.js";

/** What every run shares: services, executor and settings of the pipeline service. */
export interface Deps {
  tracking: TrackingService;
  store: PipelineStore;
  executor: Executor;
  io: ArtifactIO;
  hasher: CodeHasher;
  /** Environment for command steps and the source of declared env values. */
  env: Record<string, string>;
  trackingUri: string;
  workRoot: string;
  /** How often a driving orchestrator records its heartbeat and checks for a cancel request (ms). */
  heartbeatMs: number;
  /**
   * Runs `fn` with tracking and pipeline stores whose writes commit together, in one transaction when both
   * live in one SQL database (else one write at a time). Only database work inside: no files, no waiting.
   */
  atomic<T>(fn: (t: Atomic) => Promise<T>): Promise<T>;
  emit(event: PipelineEvent): void;
}

/** The stores as seen inside `Deps.atomic`. */
export interface Atomic {
  tracking: TrackingService;
  store: PipelineStore;
}

/** `Deps.atomic` over `tracking` and `store`: one transaction when the metadata store offers one and `store` can join it. */
export function atomically(tracking: TrackingService, store: PipelineStore): Deps["atomic"] {
  const tx = metadataTransactionOf(tracking.store);
  if (!tx || !isTransactionalPipelineStore(store)) return (fn) => fn({ tracking, store });
  return (fn) =>
    tx((meta, trx) =>
      fn({ tracking: new TrackingService(meta, tracking.artifacts), store: store.within(trx) }),
    );
}

/** The live state of one run inside its orchestrator. */
export interface RunContext {
  record: PipelineRunRecord;
  plan: PipelinePlan;
  planSteps: Map<string, PlanStep>;
  /** By step id: plain steps, fan-out nodes (virtual records) and fan-out instances `id[i]`. */
  steps: Map<string, StepRecord>;
  signal: AbortSignal;
  /** Work-file removals in progress; the run awaits them before it ends. */
  cleanups: Promise<unknown>[];
  /**
   * This orchestrator's directory for the run's step files (`<workRoot>/<runId>/<session>`; a resume gets a
   * new one), created on first use and removed when the run ends.
   */
  scratch: { dir: string; ready: Promise<void> | null };
}

/** Statuses that count as success for downstream steps. */
export const DONE_OK: ReadonlySet<StepStatus> = new Set(["SUCCEEDED", "CACHED"]);
/** Statuses after which a step never changes again (until a resume). */
export const TERMINAL: ReadonlySet<StepStatus> = new Set([
  "SUCCEEDED",
  "CACHED",
  "FAILED",
  "SKIPPED",
  "CANCELLED",
]);

/** The value at `src` in this run: an upstream step's output, or a pipeline input; undefined if not there yet. */
export function sourceValue(ctx: RunContext, src: PlanSource): OutputValue | undefined {
  if ("input" in src) return ctx.record.options.inputs[src.input];
  return ctx.steps.get(src.step)?.outputs?.[src.port];
}

/** Persists one step record and announces it. */
export async function saveStep(d: Deps, rec: StepRecord): Promise<void> {
  await d.store.saveSteps([rec]);
  announce(d, rec);
}

/** Announces a step's current state to listeners. */
export function announce(d: Deps, rec: StepRecord): void {
  d.emit({
    type: "step",
    runId: rec.runId,
    stepId: rec.stepId,
    status: rec.status,
    attempt: rec.attempt,
    error: rec.error?.message ?? null,
  });
}

/** A fresh PENDING record for a step (or fan-out instance with `item`). */
export function newStepRecord(
  runId: string,
  stepId: string,
  planStep: string,
  item: number | null,
): StepRecord {
  return {
    runId,
    stepId,
    planStep,
    item,
    status: "PENDING",
    attempt: 0,
    trackingRunId: null,
    cacheKey: null,
    cachedFrom: null,
    outputs: null,
    error: null,
    startedTime: null,
    endedTime: null,
  };
}
