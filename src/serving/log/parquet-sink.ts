import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** One prediction-log row, in the shared contract's columns (see README, "Prediction log"). */
export interface PredictionRow {
  requestId: string;
  rowIndex: number;
  /** ms since the epoch (UTC). */
  ts: number;
  deployment: string;
  model: string;
  version: string;
  variant: string;
  shadow: boolean;
  protocol: string;
  latencyMs: number;
  /** JSON object: input name → this row's value. */
  inputs: string;
  /** JSON object: output name → this row's value. */
  outputs: string;
  /** JSON object of entity join keys, or null. */
  entityKey: string | null;
}

const COLUMNS = `request_id VARCHAR, row_index INTEGER, ts TIMESTAMP, deployment VARCHAR, model VARCHAR,
  version VARCHAR, variant VARCHAR, shadow BOOLEAN, protocol VARCHAR, latency_ms DOUBLE, inputs VARCHAR,
  outputs VARCHAR, entity_key VARCHAR`;

/** `YYYY-MM-DDTHH` of `ms` in UTC: the log's hour partition. */
export function hourOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Writes prediction rows as Parquet with DuckDB under `<root>/predictions/deployment=<d>/hour=<h>/`, one file
 * per (deployment, hour) per write, named `part-<pid>-<epochMillis>-<seq>.parquet`; each file is written under
 * a `.tmp` name and renamed, so readers never see a partial file.
 */
/** Rows appended between returns to the event loop. */
const APPEND_SLICE = 128;

export class ParquetSink {
  #db: Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> | null = null;
  #seq = 0;

  constructor(readonly root: string) {}

  #open() {
    this.#db ??= (async () => {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
      return { instance, conn: await instance.connect() };
    })();
    return this.#db;
  }

  /**
   * Loads DuckDB and opens the in-memory instance now: loading the native library blocks the event loop for
   * a moment, which belongs in start-up, not in the first flush under traffic.
   */
  async open(): Promise<void> {
    await this.#open();
    await import("@duckdb/node-api");
  }

  /** Writes `rows` (any deployments and hours); resolves when every file is in place. */
  async write(rows: PredictionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const groups = new Map<string, PredictionRow[]>();
    for (const r of rows) {
      const key = `${r.deployment}\u0000${hourOf(r.ts)}`;
      const list = groups.get(key);
      if (list) list.push(r);
      else groups.set(key, [r]);
    }
    const { conn } = await this.#open();
    for (const [key, list] of groups) {
      const [deployment, hour] = key.split("\u0000") as [string, string];
      await this.#writeGroup(conn, deployment, hour, list);
    }
  }

  async #writeGroup(
    conn: DuckDBConnection,
    deployment: string,
    hour: string,
    rows: PredictionRow[],
  ): Promise<void> {
    const { timestampValue } = await import("@duckdb/node-api");
    const dir = join(this.root, "predictions", `deployment=${deployment}`, `hour=${hour}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `part-${process.pid}-${Date.now()}-${this.#seq++}.parquet`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE prediction_rows (${COLUMNS})`);
    const appender = await conn.createAppender("prediction_rows");
    for (const [i, r] of rows.entries()) {
      // Appending is synchronous: give the event loop back every few hundred rows, so a large flush never
      // holds up the requests being served for more than a fraction of a millisecond.
      if (i > 0 && i % APPEND_SLICE === 0) await yieldToLoop();
      appender.appendVarchar(r.requestId);
      appender.appendInteger(r.rowIndex);
      appender.appendTimestamp(timestampValue(BigInt(Math.round(r.ts)) * 1000n));
      appender.appendVarchar(r.deployment);
      appender.appendVarchar(r.model);
      appender.appendVarchar(r.version);
      appender.appendVarchar(r.variant);
      appender.appendBoolean(r.shadow);
      appender.appendVarchar(r.protocol);
      appender.appendDouble(r.latencyMs);
      appender.appendVarchar(r.inputs);
      appender.appendVarchar(r.outputs);
      if (r.entityKey === null) appender.appendNull();
      else appender.appendVarchar(r.entityKey);
      appender.endRow();
    }
    appender.closeSync();
    try {
      await conn.run(`COPY prediction_rows TO ${sqlString(`${file}.tmp`)} (FORMAT parquet)`);
      await rename(`${file}.tmp`, file);
    } catch (e) {
      await rm(`${file}.tmp`, { force: true });
      throw e;
    } finally {
      await conn.run("DROP TABLE IF EXISTS prediction_rows");
    }
  }

  async close(): Promise<void> {
    if (!this.#db) return;
    const { instance, conn } = await this.#db;
    conn.closeSync();
    instance.closeSync();
    this.#db = null;
  }
}
