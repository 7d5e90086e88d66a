import type { TrackingService } from "../../metadata/index.js";
import { type PipelineRunSummary, type PipelineService, watchRun } from "../../pipelines/index.js";

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
