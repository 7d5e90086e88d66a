/**
 * Writes prediction-log Parquet files exactly in the serving contract's layout, with DuckDB:
 * `<dir>/predictions/deployment=<d>/hour=<YYYY-MM-DDTHH>/part-<pid>-<epochMillis>-<seq>.parquet`, one file per
 * (deployment, hour) per flush, written to a `.tmp` name and renamed. Stands in for serving's flusher
 * until the serving branch is merged.
 */
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** One prediction-log row as the contract defines it (ts in epoch milliseconds, UTC). */
export interface LogRow {
  requestId: string;
  rowIndex?: number;
  ts: number;
  deployment: string;
  model: string;
  version: string;
  variant?: string;
  shadow?: boolean;
  protocol?: "v2" | "invocations";
  latencyMs?: number;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  entityKey?: Record<string, unknown> | null;
}

let seq = 0;

/** Writes `rows` as one flush: one Parquet file per (deployment, hour). Returns the files written. */
export async function writePredictionLog(root: string, rows: LogRow[]): Promise<string[]> {
  const groups = new Map<string, LogRow[]>();
  for (const r of rows) {
    const key = `${r.deployment}\u0000${new Date(r.ts).toISOString().slice(0, 13)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const files: string[] = [];
  try {
    for (const [key, group] of groups) {
      const [deployment, hour] = key.split("\u0000") as [string, string];
      const dir = join(root, "predictions", `deployment=${deployment}`, `hour=${hour}`);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `part-${process.pid}-${Date.now()}-${seq++}.parquet`);
      await writeGroup(conn, group, `${file}.tmp`);
      renameSync(`${file}.tmp`, file);
      files.push(file);
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return files;
}

type Conn = Awaited<ReturnType<DuckDBInstance["connect"]>>;

async function writeGroup(conn: Conn, rows: LogRow[], path: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE staged (
    request_id VARCHAR, row_index INTEGER, ts_ms BIGINT, deployment VARCHAR, model VARCHAR, version VARCHAR,
    variant VARCHAR, shadow BOOLEAN, protocol VARCHAR, latency_ms DOUBLE, inputs VARCHAR, outputs VARCHAR,
    entity_key VARCHAR)`);
  const a = await conn.createAppender("staged");
  for (const r of rows) {
    a.appendVarchar(r.requestId);
    a.appendInteger(r.rowIndex ?? 0);
    a.appendBigInt(BigInt(r.ts));
    a.appendVarchar(r.deployment);
    a.appendVarchar(r.model);
    a.appendVarchar(r.version);
    a.appendVarchar(r.variant ?? "primary");
    a.appendBoolean(r.shadow ?? false);
    a.appendVarchar(r.protocol ?? "v2");
    a.appendDouble(r.latencyMs ?? 1);
    a.appendVarchar(JSON.stringify(r.inputs));
    a.appendVarchar(JSON.stringify(r.outputs));
    if (r.entityKey) a.appendVarchar(JSON.stringify(r.entityKey));
    else a.appendNull();
    a.endRow();
  }
  a.closeSync();
  await conn.run(
    `COPY (SELECT request_id, row_index, epoch_ms(ts_ms) AS ts, deployment, model, version, variant, shadow,
      protocol, latency_ms, inputs, outputs, entity_key FROM staged ORDER BY ts_ms)
     TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`,
  );
}
