/**
 * The retraining loop's last link: an alert starts a pipeline through the PipelineService, passing the
 * alert fields the pipeline declares as parameters, and tags the pipeline's tracking run with the alert,
 * monitor and deployment, so the lineage of any model version it registers leads back to the alert.
 */
import type { TrackingClient } from "../metadata/index.js";
import type { PipelineService, RunHandle } from "../pipelines/index.js";
import type { PipelineTrigger } from "./alerts.js";

/**
 * A PipelineTrigger over a pipeline service; parameters the pipeline does not declare are dropped.
 * `onStarted` sees each run's handle (the CLI waits for them before it exits).
 */
export function pipelineTrigger(
  pipelines: PipelineService,
  tracking: TrackingClient,
  onStarted?: (handle: RunHandle) => void,
): PipelineTrigger {
  return {
    async start(pipeline, params, tags) {
      const declared = pipelines.plan(pipeline).params;
      const accepted = Object.fromEntries(Object.entries(params).filter(([k]) => k in declared));
      const handle = await pipelines.start(pipeline, {
        params: accepted,
        runName: `alert-${tags["gyre.monitoring.alert_id"] ?? ""}`,
      });
      for (const [key, value] of Object.entries(tags)) await tracking.setTag(handle.runId, key, value);
      handle.done.catch(() => undefined);
      onStarted?.(handle);
      return { runId: handle.runId };
    },
  };
}
