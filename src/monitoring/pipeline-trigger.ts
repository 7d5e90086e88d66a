/**
 * The retraining loop's last link: an alert starts a pipeline through the PipelineService, passing the
 * alert fields the pipeline declares as parameters, and tags the pipeline's tracking run with the alert,
 * monitor and deployment, so the lineage of any model version it registers leads back to the alert.
 */
import type { TrackingClient } from "../metadata/index.js";
import type { PipelineService } from "../pipelines/index.js";
import type { PipelineTrigger } from "./alerts.js";

/** A PipelineTrigger over a pipeline service; parameters the pipeline does not declare are dropped. */
export function pipelineTrigger(pipelines: PipelineService, tracking: TrackingClient): PipelineTrigger {
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
      return { runId: handle.runId };
    },
  };
}
