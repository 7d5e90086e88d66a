import type { Metric, Tag, TrackingService } from "../metadata/index.js";
import { type ArtifactIO, lineageLabel } from "./artifact-io.js";
import type { RunContext } from "./run-context.js";
import type { StepRecord } from "./store.js";
import type { ArtifactRef, JsonValue, OutputValue, PlanStep } from "./types.js";

const MAX_TAG = 5000;
const MAX_PARAM = 6000;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Lineage tags: `gyre.lineage.<consumed|produced>.<port>` = "runId/path@sha256:…". */
export function lineageTags(kind: "consumed" | "produced", values: Record<string, OutputValue>): Tag[] {
  return Object.entries(values).map(([port, v]) => ({
    key: `gyre.lineage.${kind}.${port}`,
    value: clip(lineageLabel(v), MAX_TAG),
  }));
}

/**
 * The step's nested tracking run: reused when a resumed step already has one (set RUNNING again), else
 * created under the pipeline run with tags naming the step and the artifacts it consumes.
 */
export async function ensureStepRun(
  tracking: TrackingService,
  io: ArtifactIO,
  ctx: RunContext,
  step: PlanStep,
  rec: StepRecord,
  inputs: Record<string, OutputValue>,
  extraTags: Tag[] = [],
): Promise<string> {
  if (rec.trackingRunId) {
    await tracking.updateRun(rec.trackingRunId, { status: "RUNNING" });
    return rec.trackingRunId;
  }
  const tags: Tag[] = [
    { key: "gyre.pipeline.name", value: ctx.plan.name },
    { key: "gyre.pipeline.run", value: ctx.record.runId },
    { key: "gyre.pipeline.step", value: rec.stepId },
    ...(step.group ? [{ key: "gyre.pipeline.group", value: step.group }] : []),
    ...(rec.item !== null ? [{ key: "gyre.pipeline.item", value: String(rec.item) }] : []),
    ...lineageTags("consumed", inputs),
    ...extraTags,
  ];
  const run = await tracking.createRun({
    experimentId: ctx.record.experimentId,
    runName: rec.stepId,
    parentRunId: ctx.record.runId,
    tags,
  });
  io.remember(run);
  return run.info.runId;
}

/** Logs a step's resolved parameters on its run (re-logging equal values is a no-op). */
export async function logStepParams(
  tracking: TrackingService,
  runId: string,
  params: Record<string, JsonValue>,
): Promise<void> {
  const ps = Object.entries(params).map(([key, v]) => ({
    key,
    value: clip(typeof v === "string" ? v : JSON.stringify(v), MAX_PARAM),
  }));
  if (ps.length > 0) await tracking.logBatch(runId, { params: ps });
}

/**
 * Stores captured stdout/stderr as `logs/stdout.txt` and `logs/stderr.txt` (when not empty), unrecorded:
 * record the returned values with `ArtifactIO.record`.
 */
export async function storeLogs(
  io: ArtifactIO,
  runId: string,
  logs: { stdout: string; stderr: string },
): Promise<ArtifactRef[]> {
  const out: ArtifactRef[] = [];
  for (const k of ["stdout", "stderr"] as const) {
    if (logs[k].length > 0) out.push(await io.storeText(runId, `logs/${k}.txt`, logs[k]));
  }
  return out;
}

/** Logs metrics and tags on the step run and ends it with `status` (FINISHED, FAILED or KILLED). */
export async function endStepRun(
  tracking: TrackingService,
  runId: string,
  status: "FINISHED" | "FAILED" | "KILLED",
  metrics: Record<string, number>,
  tags: Tag[],
): Promise<void> {
  const now = Date.now();
  const ms: Metric[] = Object.entries(metrics)
    .filter(([, v]) => typeof v === "number")
    .map(([key, value]) => ({ key, value, timestamp: now, step: 0 }));
  const batch = { metrics: ms, tags: tags.map((t) => ({ key: t.key, value: clip(t.value, MAX_TAG) })) };
  if (ms.length + tags.length > 0) await tracking.logBatch(runId, batch);
  // The step's own run, created by this service and known to be active: no need to read it first.
  await tracking.store.updateRun(runId, { status, endTime: now });
}
