import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";

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

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** What every row of a request shares: where the prediction came from. */
export type RowSource = Pick<
  PredictionRow,
  "deployment" | "model" | "version" | "variant" | "shadow" | "protocol"
>;

/**
 * Prediction-log rows column by column (all arrays of the same length). The fields rows share are kept once in
 * `sources`; `source[i]` is row i's index there.
 */
export interface LogColumns {
  sources: RowSource[];
  source: number[];
  requestId: string[];
  rowIndex: number[];
  ts: number[];
  latencyMs: number[];
  inputs: string[];
  outputs: string[];
  entityKey: (string | null)[];
}

/** The staging table's columns, in the order they are appended, with the LogColumns field of each. */
const STAGED: ReadonlyArray<readonly [string, Exclude<keyof LogColumns, "sources">, string]> = [
  ["request_id", "requestId", "VARCHAR"],
  ["row_index", "rowIndex", "INTEGER"],
  ["ts", "ts", "DOUBLE"],
  ["source", "source", "INTEGER"],
  ["latency_ms", "latencyMs", "DOUBLE"],
  ["inputs", "inputs", "VARCHAR"],
  ["outputs", "outputs", "VARCHAR"],
  ["entity_key", "entityKey", "VARCHAR"],
];
const STAGE_COLUMNS = STAGED.map(([column, , type]) => `${column} ${type}`).join(", ");

/** The log file's columns, in the shared contract's order (see README, "Prediction log"). */
const SELECT = [
  "s.request_id",
  "s.row_index",
  "epoch_ms(round(s.ts)::BIGINT) AS ts",
  "m.deployment",
  "m.model",
  "m.version",
  "m.variant",
  "m.shadow",
  "m.protocol",
  "s.latency_ms",
  "s.inputs",
  "s.outputs",
  "s.entity_key",
].join(", ");

/** Empty columns to push rows into. */
export function emptyColumns(): LogColumns {
  return {
    sources: [],
    source: [],
    requestId: [],
    rowIndex: [],
    ts: [],
    latencyMs: [],
    inputs: [],
    outputs: [],
    entityKey: [],
  };
}

/** The index of `s` in `c.sources`, added when new (the last one is checked first: rows come in runs). */
export function sourceIndex(c: LogColumns, s: RowSource): number {
  const n = c.sources.length;
  for (let k = n - 1; k >= 0; k--) {
    const o = c.sources[k]!;
    if (
      o.deployment === s.deployment &&
      o.version === s.version &&
      o.variant === s.variant &&
      o.model === s.model &&
      o.shadow === s.shadow &&
      o.protocol === s.protocol
    )
      return k;
  }
  c.sources.push({
    deployment: s.deployment,
    model: s.model,
    version: s.version,
    variant: s.variant,
    shadow: s.shadow,
    protocol: s.protocol,
  });
  return n;
}

/** `rows` column by column. */
export function columnsOf(rows: readonly PredictionRow[]): LogColumns {
  const c = emptyColumns();
  for (const r of rows) {
    c.source.push(sourceIndex(c, r));
    c.requestId.push(r.requestId);
    c.rowIndex.push(r.rowIndex);
    c.ts.push(r.ts);
    c.latencyMs.push(r.latencyMs);
    c.inputs.push(r.inputs);
    c.outputs.push(r.outputs);
    c.entityKey.push(r.entityKey);
  }
  return c;
}

const sqlBool = (b: boolean) => (b ? "true" : "false");

/** The sources as a VALUES table `m` joined to the staged rows by index. */
function sourcesSql(sources: readonly RowSource[]): string {
  const rows = sources.map(
    (s, i) =>
      `(${i}, ${sqlString(s.deployment)}, ${sqlString(s.model)}, ${sqlString(s.version)}, ${sqlString(s.variant)}, ${sqlBool(s.shadow)}, ${sqlString(s.protocol)})`,
  );
  return `(VALUES ${rows.join(", ")}) m(source, deployment, model, version, variant, shadow, protocol)`;
}

let lastHour = { bucket: Number.NaN, text: "" };

/** `YYYY-MM-DDTHH` of `ms` in UTC: the log's hour partition. */
export function hourOf(ms: number): string {
  const bucket = Math.floor(ms / 3_600_000);
  if (bucket !== lastHour.bucket) lastHour = { bucket, text: new Date(ms).toISOString().slice(0, 13) };
  return lastHour.text;
}

/** Rows handed to DuckDB between returns to the event loop (a few tenths of a millisecond of work). */
const SLICE = 256;

/** One Parquet file's rows: indices into the flushed columns (null: all of them). */
interface Group {
  deployment: string;
  hour: string;
  index: number[] | null;
}

/** Rows `start`..`end` of the group's `values`. */
function slice<T>(values: T[], index: number[] | null, start: number, end: number): T[] {
  if (!index) return values.slice(start, end);
  const out = new Array<T>(end - start);
  for (let i = start; i < end; i++) out[i - start] = values[index[i]!]!;
  return out;
}

/** The sink's DuckDB: an in-memory instance, and empty data chunks of the staging table's types. */
interface Duck {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  chunk(rows: number): DuckDBDataChunk;
}

/**
 * Writes prediction rows as Parquet with DuckDB under `<root>/predictions/deployment=<d>/hour=<h>/`, one file
 * per (deployment, hour) per write, named `part-<pid>-<epochMillis>-<seq>.parquet`; each file is written under
 * a `.tmp` name and renamed, so readers never see a partial file. The event loop only hands the columns to
 * DuckDB's appender (in slices, returning to the loop in between); DuckDB writes Parquet in its own thread,
 * so a flush does not hold the event loop (DuckDB's thread still competes for the CPU).
 */
export class ParquetSink {
  #db: Promise<Duck> | null = null;
  #seq = 0;

  readonly name = "parquet";

  constructor(readonly root: string) {}

  #open(): Promise<Duck> {
    this.#db ??= (async () => {
      const duckdb = await import("@duckdb/node-api");
      const instance = await duckdb.DuckDBInstance.create(":memory:", { threads: "1" });
      const byName = { VARCHAR: duckdb.VARCHAR, INTEGER: duckdb.INTEGER, DOUBLE: duckdb.DOUBLE };
      const types = STAGED.map(([, , type]) => byName[type as keyof typeof byName]);
      return {
        instance,
        conn: await instance.connect(),
        chunk: (rows: number) => duckdb.DuckDBDataChunk.create(types, rows),
      };
    })();
    return this.#db;
  }

  /**
   * Loads DuckDB and opens the in-memory instance now: loading the native library blocks the event loop for
   * a moment, which belongs in start-up, not in the first flush under traffic.
   */
  async open(): Promise<void> {
    await this.#open();
  }

  /** Writes `rows` (any deployments and hours); resolves when every file is in place. */
  write(rows: readonly PredictionRow[]): Promise<void> {
    return this.writeColumns(columnsOf(rows));
  }

  /** Writes `columns` (any deployments and hours); resolves when every file is in place. */
  async writeColumns(columns: LogColumns): Promise<void> {
    const n = columns.requestId.length;
    if (n === 0) return;
    const groups = new Map<string, Group & { index: number[] }>();
    let current: (Group & { index: number[] }) | undefined;
    for (let i = 0; i < n; i++) {
      const deployment = columns.sources[columns.source[i]!]!.deployment;
      const hour = hourOf(columns.ts[i]!);
      if (!current || current.deployment !== deployment || current.hour !== hour) {
        const key: string = `${deployment}\u0000${hour}`;
        current = groups.get(key) ?? { deployment, hour, index: [] };
        groups.set(key, current);
      }
      current.index.push(i);
    }
    const db = await this.#open();
    // One file for the whole flush (the usual case) takes the columns as they are.
    for (const g of groups.values())
      await this.#writeGroup(db, columns, groups.size === 1 ? { ...g, index: null } : g);
  }

  async #writeGroup(db: Duck, columns: LogColumns, g: Group): Promise<void> {
    const dir = join(this.root, "predictions", `deployment=${g.deployment}`, `hour=${g.hour}`);
    await mkdir(dir, { recursive: true });
    const seq = this.#seq++;
    const file = join(dir, `part-${process.pid}-${Date.now()}-${seq}.parquet`);
    const table = `stage_${seq}`;
    const n = g.index ? g.index.length : columns.requestId.length;
    const { conn } = db;
    await conn.run(`CREATE TABLE ${table} (${STAGE_COLUMNS})`);
    try {
      const appender = await conn.createAppender(table);
      try {
        for (let start = 0; start < n; start += SLICE) {
          if (start > 0) await yieldToLoop();
          const end = Math.min(n, start + SLICE);
          const chunk = db.chunk(end - start);
          chunk.setColumns(
            STAGED.map(([, field]) => slice(columns[field] as DuckDBValue[], g.index, start, end)),
          );
          appender.appendDataChunk(chunk);
        }
      } finally {
        appender.closeSync();
      }
      const from = `${table} s JOIN ${sourcesSql(columns.sources)} USING (source)`;
      await conn.run(`COPY (SELECT ${SELECT} FROM ${from}) TO ${sqlString(`${file}.tmp`)} (FORMAT parquet)`);
      await rename(`${file}.tmp`, file);
    } catch (e) {
      await rm(`${file}.tmp`, { force: true });
      throw e;
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`);
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
