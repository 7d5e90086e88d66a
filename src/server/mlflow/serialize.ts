import type { ArtifactEntry } from "../../artifacts/index.js";
import { fromDouble } from "../../core/json.js";
import type { DatasetInput, Experiment, Metric, Run, RunInfo, Tag } from "../../metadata/index.js";

/** Entities in MLflow's REST JSON shape (snake_case, int64 as numbers, empty repeated fields omitted). */

function tags(list: Tag[]): { key: string; value: string }[] | undefined {
  return list.length > 0 ? list.map((t) => ({ key: t.key, value: t.value })) : undefined;
}

export function mlflowExperiment(e: Experiment) {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tags(e.tags),
  };
}

export function mlflowRunInfo(i: RunInfo) {
  return {
    run_uuid: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime ?? undefined,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
    run_id: i.runId,
  };
}

export function mlflowMetric(m: Metric) {
  return { key: m.key, value: fromDouble(m.value), timestamp: m.timestamp, step: m.step };
}

/**
 * A long metric list (a history) for a response. The store's points are exactly `{ key, value, timestamp,
 * step }`, the wire shape, so they go out as they are unless a value needs protobuf's "NaN"/"Infinity".
 */
export function mlflowMetrics(points: Metric[]): ReturnType<typeof mlflowMetric>[] {
  return points.every((m) => Number.isFinite(m.value)) ? points : points.map(mlflowMetric);
}

function mlflowInput(d: DatasetInput) {
  const ds = d.dataset;
  return {
    tags: tags(d.tags),
    dataset: {
      name: ds.name,
      digest: ds.digest,
      source_type: ds.sourceType,
      source: ds.source,
      schema: ds.schema || undefined,
      profile: ds.profile || undefined,
    },
  };
}

export function mlflowRun(r: Run) {
  const inputs = r.inputs.datasetInputs;
  return {
    info: mlflowRunInfo(r.info),
    data: {
      metrics: r.data.metrics.length > 0 ? r.data.metrics.map(mlflowMetric) : undefined,
      params: tags(r.data.params),
      tags: tags(r.data.tags),
    },
    inputs: inputs.length > 0 ? { dataset_inputs: inputs.map(mlflowInput) } : {},
  };
}

/** FileInfo; `relativeTo` strips a prefix so paths are relative to the run's artifact root. */
export function mlflowFileInfo(e: ArtifactEntry, name: string = e.path) {
  return e.isDir ? { path: name, is_dir: true } : { path: name, is_dir: false, file_size: e.size };
}
