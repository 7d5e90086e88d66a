import { mkdir, rename, rm, writeFile } from "node:fs/promises";
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

/** The log's columns, in order, with the PredictionRow field each one comes from. */
const COLUMNS: ReadonlyArray<readonly [string, keyof PredictionRow, string]> = [
  ["request_id", "requestId", "VARCHAR"],
  ["row_index", "rowIndex", "INTEGER"],
  ["ts", "ts", "DOUBLE"],
  ["deployment", "deployment", "VARCHAR"],
  ["model", "model", "VARCHAR"],
  ["version", "version", "VARCHAR"],
  ["variant", "variant", "VARCHAR"],
  ["shadow", "shadow", "BOOLEAN"],
  ["protocol", "protocol", "VARCHAR"],
  ["latency_ms", "latencyMs", "DOUBLE"],
  ["inputs", "inputs", "VARCHAR"],
  ["outputs", "outputs", "VARCHAR"],
  ["entity_key", "entityKey", "VARCHAR"],
];

/** The NDJSON reader's column types, and the SELECT that turns its rows into the log's columns. */
const JSON_COLUMNS = `{${COLUMNS.map(([, field, type]) => `${field}: '${type}'`).join(", ")}}`;
const SELECT = COLUMNS.map(([column, field]) =>
  column === "ts" ? `epoch_ms(round(${field})::BIGINT) AS ts` : `"${field}" AS ${column}`,
).join(", ");

let lastHour = { bucket: Number.NaN, text: "" };

/** `YYYY-MM-DDTHH` of `ms` in UTC: the log's hour partition. */
export function hourOf(ms: number): string {
  const bucket = Math.floor(ms / 3_600_000);
  if (bucket !== lastHour.bucket) lastHour = { bucket, text: new Date(ms).toISOString().slice(0, 13) };
  return lastHour.text;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Rows serialised between returns to the event loop (about a tenth of a millisecond of work). */
const SLICE = 64;

/**
 * Writes prediction rows as Parquet with DuckDB under `<root>/predictions/deployment=<d>/hour=<h>/`, one file
 * per (deployment, hour) per write, named `part-<pid>-<epochMillis>-<seq>.parquet`; each file is written under
 * a `.tmp` name and renamed, so readers never see a partial file. The event loop only serialises rows as
 * NDJSON (in slices, returning to the loop in between); DuckDB parses them and writes Parquet in its own
 * thread, so a flush does not hold the event loop (DuckDB's thread still competes for the CPU).
 */
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
    const groups = new Map<string, { deployment: string; hour: string; rows: PredictionRow[] }>();
    for (const r of rows) {
      const hour = hourOf(r.ts);
      const key = `${r.deployment}\u0000${hour}`;
      const group = groups.get(key);
      if (group) group.rows.push(r);
      else groups.set(key, { deployment: r.deployment, hour, rows: [r] });
    }
    const { conn } = await this.#open();
    for (const g of groups.values()) await this.#writeGroup(conn, g.deployment, g.hour, g.rows);
  }

  async #writeGroup(
    conn: DuckDBConnection,
    deployment: string,
    hour: string,
    rows: PredictionRow[],
  ): Promise<void> {
    const dir = join(this.root, "predictions", `deployment=${deployment}`, `hour=${hour}`);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `part-${process.pid}-${Date.now()}-${this.#seq++}.parquet`);
    // NDJSON in chunks of SLICE lines: neither serialising nor joining ever holds the loop for long.
    const chunks: string[] = [];
    for (let start = 0; start < rows.length; start += SLICE) {
      if (start > 0) await yieldToLoop();
      let chunk = "";
      for (let i = start; i < Math.min(rows.length, start + SLICE); i++)
        chunk += `${JSON.stringify(rows[i])}\n`;
      chunks.push(chunk);
    }
    try {
      await writeFile(`${file}.ndjson`, chunks);
      const source = `read_json(${sqlString(`${file}.ndjson`)}, format = 'newline_delimited', columns = ${JSON_COLUMNS}, maximum_object_size = 1073741824)`;
      await conn.run(
        `COPY (SELECT ${SELECT} FROM ${source}) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet)`,
      );
      await rename(`${file}.tmp`, file);
    } catch (e) {
      await rm(`${file}.tmp`, { force: true });
      throw e;
    } finally {
      await rm(`${file}.ndjson`, { force: true });
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
