/** Bulk-loads the search data set straight into the metadata tables (same rows gyre itself would write). */
import type { RawSql } from "./raw-sql.js";
import { type SearchShape, searchRuns } from "./workload.js";

const KV = [
  { name: "run_uuid", pg: "text" },
  { name: "key", pg: "text" },
  { name: "value", pg: "text" },
] as const;

/** The metric columns of both `metrics` and `latest_metrics`. */
export const METRIC_COLUMNS = [
  { name: "run_uuid", pg: "text" },
  { name: "key", pg: "text" },
  { name: "value", pg: "float8" },
  { name: "is_nan", pg: "int4" },
  { name: "timestamp", pg: "int8" },
  { name: "step", pg: "int8" },
] as const;

const RUN_COLUMNS = [
  { name: "run_uuid", pg: "text" },
  { name: "name", pg: "text" },
  { name: "experiment_id", pg: "int4" },
  { name: "user_id", pg: "text" },
  { name: "status", pg: "text" },
  { name: "start_time", pg: "int8" },
  { name: "end_time", pg: "int8" },
  { name: "lifecycle_stage", pg: "text" },
  { name: "artifact_uri", pg: "text" },
] as const;

const CHUNK_RUNS = 2500;

/** Inserts `shape.runs` finished runs into experiment `experimentId`, with params, latest metrics and one history point each. */
export async function seedSearchRuns(db: RawSql, experimentId: number, shape: SearchShape): Promise<void> {
  let runs: unknown[][] = [];
  let tags: unknown[][] = [];
  let params: unknown[][] = [];
  let metrics: unknown[][] = [];
  const flush = async () => {
    await db.insertMany("runs", [...RUN_COLUMNS], runs);
    await db.insertMany("tags", [...KV], tags);
    await db.insertMany("params", [...KV], params);
    await db.insertMany("latest_metrics", [...METRIC_COLUMNS], metrics);
    await db.insertMany("metrics", [...METRIC_COLUMNS], metrics);
    runs = [];
    tags = [];
    params = [];
    metrics = [];
  };
  let i = 0;
  for (const r of searchRuns(shape)) {
    const name = `search-${i++}`;
    runs.push([
      r.runUuid,
      name,
      experimentId,
      "bench",
      "FINISHED",
      r.startTime,
      r.startTime + 60_000,
      "active",
      `mlflow-artifacts:/${experimentId}/${r.runUuid}/artifacts`,
    ]);
    tags.push([r.runUuid, "mlflow.runName", name], [r.runUuid, "mlflow.user", "bench"]);
    for (const p of r.params) params.push([r.runUuid, p.key, p.value]);
    for (const m of r.metrics) metrics.push([r.runUuid, m.key, m.value, 0, r.startTime + 60_000, 0]);
    if (runs.length === CHUNK_RUNS) await flush();
  }
  if (runs.length > 0) await flush();
}
