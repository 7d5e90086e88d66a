import type { DatasetInput, Experiment, Metric, Run, RunInfo, RunStatus, Tag } from "../types.js";
import type { ExperimentsTable, MetricsTable, RunsTable } from "./schema.js";

/** Row ↔ entity mapping shared by every SQL query of the store. */

export function toMetric(r: Pick<MetricsTable, "key" | "value" | "is_nan" | "timestamp" | "step">): Metric {
  return {
    key: r.key,
    value: r.is_nan ? Number.NaN : Number(r.value),
    timestamp: Number(r.timestamp),
    step: Number(r.step),
  };
}

export function fromMetric(runId: string, m: Metric): MetricsTable {
  const nan = Number.isNaN(m.value);
  return {
    run_uuid: runId,
    key: m.key,
    value: nan ? 0 : m.value,
    is_nan: nan ? 1 : 0,
    timestamp: m.timestamp,
    step: m.step,
  };
}

export function toExperiment(r: ExperimentsTable, tags: Tag[]): Experiment {
  return {
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location,
    lifecycleStage: r.lifecycle_stage as Experiment["lifecycleStage"],
    creationTime: Number(r.creation_time),
    lastUpdateTime: Number(r.last_update_time),
    tags,
  };
}

export function toRunInfo(r: RunsTable): RunInfo {
  return {
    runId: r.run_uuid,
    runName: r.name,
    experimentId: String(r.experiment_id),
    userId: r.user_id,
    status: r.status as RunStatus,
    startTime: Number(r.start_time),
    endTime: r.end_time === null ? null : Number(r.end_time),
    artifactUri: r.artifact_uri,
    lifecycleStage: r.lifecycle_stage as RunInfo["lifecycleStage"],
    parentRunId: r.parent_run_id,
  };
}

/** Groups child rows by run id, preserving row order. */
export function groupBy<T extends { run_uuid: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.run_uuid);
    if (list) list.push(row);
    else out.set(row.run_uuid, [row]);
  }
  return out;
}

export interface RunChildren {
  params: Map<string, { key: string; value: string }[]>;
  tags: Map<string, { key: string; value: string }[]>;
  metrics: Map<string, MetricsTable[]>;
  inputs: Map<string, DatasetInput[]>;
}

export function assembleRun(row: RunsTable, c: RunChildren): Run {
  const id = row.run_uuid;
  const kv = (list: { key: string; value: string }[] | undefined) =>
    (list ?? []).map((t) => ({ key: t.key, value: t.value }));
  return {
    info: toRunInfo(row),
    data: {
      metrics: (c.metrics.get(id) ?? []).map(toMetric),
      params: kv(c.params.get(id)),
      tags: kv(c.tags.get(id)),
    },
    inputs: { datasetInputs: c.inputs.get(id) ?? [] },
  };
}
