import { GyreError } from "../core/errors.js";
import { runParams } from "./params.js";
import { type Deps, newStepRecord } from "./run-context.js";
import type { StartOptions } from "./service.js";
import type { PipelineRunRecord, StepRecord } from "./store.js";
import type { ArtifactKind, OutputValue, PipelinePlan } from "./types.js";

/** The tags that say which trigger and event started a run; the payload is cut to the tag value limit. */
function triggerTags(t: StartOptions["trigger"]): { key: string; value: string }[] {
  if (!t) return [];
  return [
    { key: "gyre.trigger.name", value: t.name },
    { key: "gyre.trigger.kind", value: t.kind },
    { key: "gyre.trigger.event", value: t.event.slice(0, 5000) },
    { key: "gyre.trigger.payload", value: JSON.stringify(t.payload).slice(0, 8000) },
  ];
}

/**
 * Creates a run of `plan`: checks params and inputs, opens the parent tracking run (params logged, input
 * files stored under `inputs/`), then persists the run and its PENDING steps in one transaction, owned by `owner`.
 * Throws PIPELINE_PARAM_INVALID, PIPELINE_INPUT_MISSING.
 */
export async function createPipelineRun(
  d: Deps,
  plan: PipelinePlan,
  options: StartOptions,
  owner: string,
): Promise<{ record: PipelineRunRecord; steps: StepRecord[] }> {
  const params = runParams(plan.params, options.params ?? {}, plan.name);
  for (const [name, type] of Object.entries(plan.inputs)) {
    if (!options.inputs?.[name]) {
      const msg = `Pipeline '${plan.name}' needs input '${name}' (${type}): pass it as a file path`;
      throw new GyreError("PIPELINE_INPUT_MISSING", msg, { field: name });
    }
  }
  const expId = await d.tracking.ensureExperiment(options.experiment ?? plan.name);
  const tags = [
    { key: "gyre.pipeline.name", value: plan.name },
    { key: "gyre.pipeline.status", value: "RUNNING" },
    ...triggerTags(options.trigger),
  ];
  const runId = (await d.tracking.createRun({ experimentId: expId, runName: options.runName, tags })).info
    .runId;
  const ps = Object.entries(params).map(([key, v]) => ({
    key,
    value: typeof v === "string" ? v : JSON.stringify(v),
  }));
  if (ps.length > 0) await d.tracking.logBatch(runId, { params: ps });
  const inputs: Record<string, OutputValue> = {};
  for (const [name, type] of Object.entries(plan.inputs)) {
    const kind = type.replace("[]", "") as ArtifactKind;
    inputs[name] = await d.io.upload(runId, `inputs/${name}`, kind, options.inputs![name]!);
  }
  const now = Date.now();
  const record: PipelineRunRecord = {
    runId,
    pipeline: plan.name,
    experimentId: expId,
    plan,
    params,
    status: "RUNNING",
    error: null,
    owner,
    heartbeat: now,
    cancelRequested: false,
    createdTime: now,
    updatedTime: now,
    endedTime: null,
    schedule: options.schedule ?? null,
    options: { noCache: options.noCache ?? false, noCacheSteps: options.noCacheSteps ?? [], inputs },
  };
  const steps = plan.steps.map((s) => newStepRecord(runId, s.id, s.id, null));
  await d.store.createRun(record, steps);
  return { record, steps };
}
