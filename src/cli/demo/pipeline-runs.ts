import type { TrackingService } from "../../metadata/index.js";
import { type PipelineRunSummary, type PipelineService, watchRun } from "../../pipelines/index.js";
import type { RunningServer } from "../../server/index.js";

/** The registered model the demo trains and serves. */
export const DEMO_MODEL = "flights";

/** Waits for a pipeline run started elsewhere (e.g. by a monitoring alert) to end; its final state. */
export async function waitForRun(pipelines: PipelineService, runId: string): Promise<PipelineRunSummary> {
  await (await watchRun(pipelines, runId, () => undefined)).done;
  return pipelines.status(runId);
}

/** The metrics a step logged on its tracking run (empty when it did not run). */
export async function stepMetrics(
  tracking: TrackingService,
  summary: PipelineRunSummary,
  stepId: string,
): Promise<Record<string, number>> {
  const step = summary.steps.find((s) => s.stepId === stepId);
  const runId = step?.cachedFrom ?? step?.trackingRunId;
  if (!runId || (step?.status !== "SUCCEEDED" && step?.status !== "CACHED")) return {};
  const run = await tracking.getRun(runId);
  return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
}

/** Throws when a pipeline run did not succeed, naming its error and how to look at it. */
export function requireSucceeded(summary: PipelineRunSummary): void {
  if (summary.run.status === "SUCCEEDED") return;
  throw new Error(
    `Pipeline ${summary.run.pipeline} run ${summary.run.runId} ended ${summary.run.status}: ${summary.run.error ?? "see its steps"} — inspect it with \`gyre pipeline status ${summary.run.runId}\``,
  );
}

/** Prints a line of progress; the CLI writes them to stderr (stdout stays clean for --json). */
export type Progress = (line: string) => void;

export async function timed<T>(
  stages: { name: string; seconds: number }[],
  name: string,
  say: Progress,
  fn: () => Promise<T>,
): Promise<T> {
  say(`▶ ${name}`);
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  stages.push({ name, seconds });
  say(`  ✓ ${name} (${seconds.toFixed(1)} s)`);
  return out;
}

export interface TrainingSummary {
  pipelineRunId: string;
  status: string;
  /** Log loss on the evaluation window (the gate's metric; lower is better) and ROC AUC. */
  candidateLogLoss: number | null;
  championLogLoss: number | null;
  candidateRocAuc: number | null;
  championRocAuc: number | null;
  against: string;
  passed: boolean;
  /** The evaluation window: [evalFrom, until), ISO dates. */
  evalFrom: string | null;
  until: string | null;
  version: number | null;
  alias: string | null;
  /** Steps served from the pipeline cache (e.g. `train` when the training set did not change). */
  cachedSteps: string[];
}

/** Runs flights-train (or reads a run started elsewhere) and tells what its gate decided. */
export async function trainingOutcome(
  server: RunningServer,
  summary: Awaited<ReturnType<RunningServer["pipelines"]["run"]>>,
): Promise<TrainingSummary> {
  const gate = await stepMetrics(server.tracking, summary, "gate");
  const set = await stepMetrics(server.tracking, summary, "training-set");
  const day = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString().slice(0, 10));
  const reg = await stepMetrics(server.tracking, summary, "register");
  const registered = reg.version !== undefined;
  const aliases = registered ? (await server.registry.getModelVersion(DEMO_MODEL, reg.version!)).aliases : [];
  return {
    pipelineRunId: summary.run.runId,
    status: summary.run.status,
    candidateLogLoss: gate.candidate_log_loss ?? null,
    championLogLoss: gate.champion_log_loss ?? null,
    candidateRocAuc: gate.candidate_roc_auc ?? null,
    championRocAuc: gate.champion_roc_auc ?? null,
    against: gate.champion_version ? `champion v${gate.champion_version}` : "the base rate",
    passed: gate.pass === 1,
    evalFrom: day(set.eval_from),
    until: day(set.until),
    version: registered ? reg.version! : null,
    alias: aliases.includes("champion") ? "champion" : aliases.includes("challenger") ? "challenger" : null,
    cachedSteps: summary.steps.filter((s) => s.status === "CACHED").map((s) => s.stepId),
  };
}
