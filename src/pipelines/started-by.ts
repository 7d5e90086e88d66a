import type { PipelineRunRecord } from "./store.js";

/**
 * What started a run, in a few words, from its record and its tracking run's tags: a schedule, a pipeline
 * trigger (`gyre.trigger.kind` / `.name`), a monitoring alert (`gyre.trigger` = monitoring.alert), or a person.
 */
export function startedBy(run: Pick<PipelineRunRecord, "schedule">, tags: Record<string, string>): string {
  if (run.schedule) return `schedule ${run.schedule}`;
  const kind = tags["gyre.trigger.kind"];
  if (kind) return `${kind} trigger ${tags["gyre.trigger.name"] ?? ""}`.trim();
  if (tags["gyre.trigger"] === "monitoring.alert") {
    const monitor = tags["gyre.monitoring.monitor"];
    return monitor ? `alert of monitor ${monitor}` : "monitoring alert";
  }
  return "manual";
}
