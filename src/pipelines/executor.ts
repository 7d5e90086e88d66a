import type { JsonValue, PipelinePlan, PlanRun, StepError } from "./types.js";

/**
 * What a function step receives. Paths are local: `inputs` are staged, read-only files (on a local artifact
 * store, hard links to the stored artifacts; a list input is an array),
 * `outputs` are where to write (a file, or a directory for tree outputs; list outputs are an existing
 * directory whose entries become the list elements in name order).
 */
export interface StepContext {
  stepId: string;
  attempt: number;
  /** The step's tracking run and where to reach tracking (also GYRE_RUN_ID / GYRE_TRACKING_URI). */
  runId: string;
  trackingUri: string;
  inputs: Record<string, string | string[]>;
  outputs: Record<string, string>;
  params: Record<string, JsonValue>;
  /**
   * The step's own scratch directory, removed after it ends. Executors create it before the step can see
   * it (the local executor's workers on first access, so steps that never use it cost no directory).
   */
  workDir: string;
  /** The declared environment variables' values. */
  env: Record<string, string>;
}

/** A function step's result: optional metrics logged on the step's run. */
// biome-ignore lint/suspicious/noConfusingVoidType: step functions declared `(): void` / `Promise<void>` must fit.
export type StepReturn = { metrics?: Record<string, number> } | undefined | void;

/** The signature of a function step's export. */
export type StepFunction = (ctx: StepContext) => StepReturn | Promise<StepReturn>;

/** One attempt of one step, as handed to an executor. Everything in it is plain JSON. */
export interface StepTask {
  run: PlanRun;
  context: StepContext;
  /** Wall-clock limit in ms; null for none. The executor kills the step when it passes. */
  timeoutMs: number | null;
  /** Environment for command steps (PATH etc.) on top of which GYRE_* variables are set. */
  baseEnv: Record<string, string>;
}

/** How an attempt ended. Output files are checked by the orchestrator, not the executor. */
export interface StepOutcome {
  ok: boolean;
  error?: StepError;
  stdout: string;
  stderr: string;
  metrics: Record<string, number>;
  durationMs: number;
}

/**
 * Runs step attempts. Implementations: `LocalExecutor` (worker pool + child processes); a BullMQ executor
 * on Redis and an Argo Workflows exporter come next and plug in here without touching the DSL or planner.
 */
export interface Executor {
  readonly kind: string;
  /**
   * How many attempts it runs at once; further calls wait in its queue (timeouts start when an attempt
   * starts). The orchestrator keeps a few more steps in flight so staging and uploads overlap execution.
   */
  readonly capacity: number;
  /**
   * Runs one attempt and resolves with its outcome; never rejects for a step failure. Aborting `signal`
   * stops the attempt (killing its process) and resolves with reason "cancelled".
   */
  execute(task: StepTask, signal: AbortSignal): Promise<StepOutcome>;
  close(): Promise<void>;
}

/** An executor that can get ready for a plan before its steps arrive (e.g. load their code in its workers). */
export interface PreparingExecutor extends Executor {
  /** Best effort and quick: never throws, never waits; a step that cannot be prepared fails when it runs. */
  prepare(plan: PipelinePlan): void;
}

/** Whether `executor` can prepare for a plan. */
export function isPreparingExecutor(executor: Executor): executor is PreparingExecutor {
  return typeof (executor as Partial<PreparingExecutor>).prepare === "function";
}
