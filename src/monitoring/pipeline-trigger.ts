/**
 * The retraining loop's last link: an alert starts a pipeline through the PipelineService, passing the
 * alert fields the pipeline declares as parameters, and tags the pipeline's tracking run with the alert,
 * monitor and deployment, so the lineage of any model version it registers leads back to the alert.
 */
import type { TrackingClient } from "../metadata/index.js";
import type { PipelineService, PipelineTriggers, RunHandle } from "../pipelines/index.js";
import type { ActionContext, PipelineTrigger } from "./alerts.js";
import type { ActionOutcome } from "./store.js";

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

/**
 * Delivers alerts to the pipelines' alert triggers (`gyre pipeline trigger add … --on alert[:deployment]`):
 * each notification is one event (alert id and time), so a trigger starts at most one run for it.
 */
export function alertDelivery(triggers: PipelineTriggers): NonNullable<ActionContext["deliver"]> {
  return async (alerts, now) => {
    const outcomes: ActionOutcome[] = [];
    for (const a of alerts) {
      const payload = {
        alert_id: a.id,
        monitor: a.monitor,
        deployment: a.deployment,
        feature: a.feature,
        metric: a.metric,
        severity: a.severity,
        value: a.value,
        threshold: a.threshold,
        message: a.message,
      };
      for (const f of await triggers.fire("alert", { key: `${a.id}@${now}`, payload }, now)) {
        outcomes.push({
          type: "trigger",
          ok: f.run !== null,
          at: now,
          detail: f.run ? `trigger '${f.trigger}' started a run` : `trigger '${f.trigger}': ${f.error}`,
          ...(f.run ? { runId: f.run.runId } : {}),
        });
      }
    }
    return outcomes;
  };
}
