import type { PipelineEvent } from "./run-context.js";
import type { StartOptions } from "./service.js";
import type { PipelineRunRecord, StepRecord } from "./store.js";
import type { ParamSpec, PipelineRunStatus } from "./types.js";
import type { RunWatch } from "./watch.js";

/** A pipeline a client can run: its name, parameters and number of steps. */
export interface PipelineInfo {
  name: string;
  params: Record<string, ParamSpec>;
  steps: number;
}

/** A stored run without its (large) plan. */
export type PipelineRunView = Omit<PipelineRunRecord, "plan">;

/** A run and the state of each of its steps. */
export interface PipelineRunStatusView {
  run: PipelineRunView;
  steps: StepRecord[];
}

/** How a client starts a run (inputs are local files, so only an in-process client takes them). */
export type ClientStartOptions = Pick<
  StartOptions,
  "params" | "inputs" | "noCache" | "noCacheSteps" | "experiment" | "runName"
>;

/**
 * What the CLI needs from pipelines, the same locally (a service over the database, driving runs in this
 * process) and remotely (a gyre server driving them): list, start, follow, resume, cancel, read logs.
 */
export interface PipelineClient {
  describe(): Promise<PipelineInfo[]>;
  runs(filter: { pipeline?: string; status?: PipelineRunStatus; limit?: number }): Promise<PipelineRunView[]>;
  /** Starts a run; resolves with its id once it is stored. */
  start(pipeline: string, options: ClientStartOptions): Promise<string>;
  /** Throws PIPELINE_RUN_NOT_FOUND. */
  status(runId: string): Promise<PipelineRunStatusView>;
  /** Continues an interrupted, failed or cancelled run; resolves with its id. */
  resume(runId: string): Promise<string>;
  cancel(runId: string): Promise<void>;
  /** Status changes of the run, from its current state until it ends. */
  watch(runId: string, onEvent: (e: PipelineEvent) => void): Promise<RunWatch>;
  /** A step's stored stdout or stderr (null when it wrote none). */
  stepLog(trackingRunId: string, stream: "stdout" | "stderr"): Promise<string | null>;
  /** Waits for runs this client drives, then releases its resources. */
  close(): Promise<void>;
}

/** The run as clients see it: everything but the plan. */
export function runView(s: { run: PipelineRunRecord; steps: StepRecord[] }): PipelineRunStatusView {
  const { plan: _plan, ...run } = s.run;
  return { run, steps: s.steps };
}

/** Reads a whole artifact stream as UTF-8 text. */
export async function readText(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}
