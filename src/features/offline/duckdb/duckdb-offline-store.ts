import { isAbsolute, resolve } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GyreError } from "../../../core/errors.js";
import type {
  FeatureColumnStats,
  HeldJoin,
  LatestRow,
  OfflineEntities,
  OfflineStore,
  OfflineView,
} from "../../offline-store.js";
import type { FeatureValue, SourceDef } from "../../types.js";
import { loadEntities } from "./entities.js";
import { DuckDbHeldJoin, jsColumn } from "./held-join.js";
import { type PitJoinMode, planJoins } from "./interval-index.js";
import { inRowOrder, pointInTimeSql } from "./pit-join.js";
import { ident, latestSql, lit, relation, viewRows } from "./pit-sql.js";

/** DuckDB's own message, without its internal prefix, safe to show (it names columns, not data). */
function duckMessage(e: unknown): string {
  return (e as Error).message.replace(/^[A-Za-z ]+ Error: /, "").split("\n")[0] ?? "";
}

function sourceSql(s: SourceDef, baseDir: string): string {
  if (s.query !== undefined) return s.query;
  const path = isAbsolute(s.path!) ? s.path! : resolve(baseDir, s.path!);
  return s.format === "csv"
    ? `SELECT * FROM read_csv(${lit(path)})`
    : `SELECT * FROM read_parquet(${lit(path)})`;
}

/** Column names and DuckDB types of a query's result. */
async function describe(conn: DuckDBConnection, sql: string): Promise<Array<{ name: string; type: string }>> {
  const r = await conn.runAndReadAll(`DESCRIBE ${sql}`);
  return r
    .getRowObjectsJson()
    .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** A failed point-in-time join as FEATURES_QUERY_FAILED (GyreErrors pass through). */
function joinFailed(e: unknown): GyreError {
  if (e instanceof GyreError) return e;
  return new GyreError("FEATURES_QUERY_FAILED", `The point-in-time join failed: ${duckMessage(e)}`, {
    field: "entities",
    cause: e,
  });
}

/**
 * The offline store over an in-process DuckDB: sources are DuckDB views over Parquet/CSV files or SQL,
 * joins run inside DuckDB and write Parquet, and only bounded chunks ever reach JS.
 */
export class DuckDbOfflineStore implements OfflineStore {
  readonly kind = "duckdb";
  readonly #instance: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #pitJoin: PitJoinMode;
  /** Held joins, dropped before the database closes (their rows live in it). */
  readonly #held = new Set<DuckDbHeldJoin>();
  /** Sources read from files, whose rows can be counted without computing anything. */
  #fileSources = new Set<string>();

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection, pitJoin: PitJoinMode) {
    this.#instance = instance;
    this.#conn = conn;
    this.#pitJoin = pitJoin;
  }

  /**
   * An in-memory DuckDB (spilling to a temp directory when joins outgrow memory); TIMESTAMP values are UTC.
   * `pitJoin` forces one join plan for every view (default `auto`: see planViewJoin).
   */
  static async open(
    options: { threads?: number; memoryLimit?: string; pitJoin?: PitJoinMode } = {},
  ): Promise<DuckDbOfflineStore> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    const instance = await DuckDBInstance.create(":memory:", config);
    return new DuckDbOfflineStore(instance, await instance.connect(), options.pitJoin ?? "auto");
  }

  async setSources(sources: SourceDef[], baseDir: string): Promise<void> {
    this.#fileSources = new Set(sources.filter((s) => s.query === undefined).map((s) => s.name));
    // Query sources may read other sources: create what can be created until nothing changes.
    let pending = [...sources];
    let lastError: { source: SourceDef; message: string } | null = null;
    while (pending.length > 0) {
      const failed: SourceDef[] = [];
      for (const s of pending) {
        try {
          await this.#conn.run(`CREATE OR REPLACE VIEW ${ident(s.name)} AS ${sourceSql(s, baseDir)}`);
        } catch (e) {
          failed.push(s);
          lastError = { source: s, message: duckMessage(e) };
        }
      }
      if (failed.length === pending.length && lastError) {
        const field = lastError.source.query !== undefined ? "query" : "path";
        throw new GyreError(
          "FEATURES_DEFINITION_INVALID",
          `Source '${lastError.source.name}' cannot be read: ${lastError.message}; fix its ${field}`,
          { field: `${lastError.source.name}.${field}` },
        );
      }
      pending = failed;
    }
  }

  async columns(view: OfflineView): Promise<Array<{ name: string; type: string }>> {
    try {
      return await this.#describe(relation(view));
    } catch (e) {
      throw new GyreError(
        "FEATURES_DEFINITION_INVALID",
        `Feature view '${view.name}': its ${view.sql ? "SQL" : `source '${view.source}'`} fails: ${duckMessage(e)}`,
        { field: `${view.name}.${view.sql ? "sql" : "source"}` },
      );
    }
  }

  async entityColumns(entities: OfflineEntities): Promise<Array<{ name: string; type: string }>> {
    if ("rows" in entities) return entities.columns.map((c) => ({ name: c.name, type: c.type }));
    try {
      return await this.#describe(
        "parquet" in entities ? `SELECT * FROM read_parquet(${lit(entities.parquet)})` : entities.sql,
      );
    } catch (e) {
      throw new GyreError("FEATURES_ENTITY_ROWS_INVALID", `Entity rows cannot be read: ${duckMessage(e)}`, {
        field: "entities",
      });
    }
  }

  #describe(sql: string): Promise<Array<{ name: string; type: string }>> {
    return describe(this.#conn, sql);
  }

  /** Loads the entity rows into `conn`, plans each view's join and returns the query with the entity range. */
  async #prepare(conn: DuckDBConnection, req: Parameters<OfflineStore["holdHistorical"]>[0]) {
    await loadEntities(conn, req.entities, req.timestampColumn);
    const ts = ident(req.timestampColumn);
    const meta = await conn.runAndReadAll(
      `SELECT count(*)::DOUBLE AS n, epoch_us(min(${ts}))::DOUBLE AS lo, epoch_us(max(${ts}))::DOUBLE AS hi,
        epoch_ms(min(${ts}))::DOUBLE AS start, epoch_ms(max(${ts}))::DOUBLE AS end FROM __entities`,
    );
    const m = meta.getRowObjectsJson()[0]!;
    const range = { rows: Number(m.n), lo: Number(m.lo ?? 0), hi: Number(m.hi ?? 0) };
    const joins = await planJoins(
      conn,
      req.views,
      range,
      this.#pitJoin,
      (v) => !v.sql && this.#fileSources.has(v.source),
    );
    return {
      query: pointInTimeSql(req.views, joins, req.timestampColumn, req.columns),
      rowCount: range.rows,
      start: m.start === null ? null : Number(m.start),
      end: m.end === null ? null : Number(m.end),
      joins: joins.map((j) => j.kind),
    };
  }

  async historical(req: Parameters<OfflineStore["historical"]>[0]) {
    const conn = await this.#instance.connect();
    try {
      const { query, ...rest } = await this.#prepare(conn, req);
      await conn.run(`COPY (${inRowOrder(query)}) TO ${lit(req.outFile)} (FORMAT parquet, COMPRESSION zstd)`);
      const schema = await describe(conn, `SELECT * FROM read_parquet(${lit(req.outFile)})`);
      return { ...rest, schema };
    } catch (e) {
      throw joinFailed(e);
    } finally {
      conn.closeSync();
    }
  }

  async holdHistorical(req: Parameters<OfflineStore["holdHistorical"]>[0]): Promise<HeldJoin> {
    const conn = await this.#instance.connect();
    try {
      const { query, ...rest } = await this.#prepare(conn, req);
      const schema = await describe(conn, inRowOrder(query));
      // A materialized result: the rows in DuckDB's memory as they come out of the join, without a table.
      const result = await conn.run(inRowOrder(query, schema.map(jsColumn).join(", ")));
      const held = new DuckDbHeldJoin(result, { ...rest, schema }, () => this.#held.delete(held));
      this.#held.add(held);
      return held;
    } catch (e) {
      throw joinFailed(e);
    } finally {
      conn.closeSync();
    }
  }

  async *latest(view: OfflineView, start: number, end: number, after: string | null, chunkRows: number) {
    const conn = await this.#instance.connect();
    try {
      const result = await conn.stream(latestSql(view, start, end, after));
      let batch: LatestRow[] = [];
      for await (const rows of result.yieldRowObjectJson()) {
        for (const r of rows) {
          const values: Record<string, FeatureValue> = {};
          for (const f of view.features) values[f.name] = r[f.name] as FeatureValue;
          batch.push({
            key: String(r.__key),
            eventTime: Number(r.__ts_ms),
            createdTime: r.__created_ms === null ? null : Number(r.__created_ms),
            values,
          });
          if (batch.length >= chunkRows) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      conn.closeSync();
    }
  }

  async stats(view: OfflineView) {
    const rows = `(${viewRows(view)})`;
    const parts = view.features.map((f) => {
      const c = ident(f.name);
      const numeric = f.type === "float" || f.type === "int";
      return numeric
        ? `avg(CASE WHEN ${c} IS NULL THEN 1.0 ELSE 0.0 END), min(${c})::DOUBLE, max(${c})::DOUBLE, avg(${c})::DOUBLE`
        : `avg(CASE WHEN ${c} IS NULL THEN 1.0 ELSE 0.0 END), NULL, NULL, NULL`;
    });
    const sql = `SELECT count(*)::DOUBLE, epoch_ms(max(__ts))::DOUBLE, ${parts.join(", ")} FROM ${rows}`;
    const values = (await this.#conn.runAndReadAll(sql)).getRowsJson()[0] as Array<number | null>;
    const features: FeatureColumnStats[] = [];
    for (const [i, f] of view.features.entries()) {
      const [nullRate, min, max, mean] = values.slice(2 + 4 * i, 6 + 4 * i) as Array<number | null>;
      const s: FeatureColumnStats = { name: f.name, nullRate: Number(nullRate ?? 0) };
      if (f.type === "float" || f.type === "int") Object.assign(s, { min, max, mean });
      else s.top = await this.#top(rows, f.name);
      features.push(s);
    }
    const [n, latest] = values as [number, number | null];
    return { rowCount: Number(n), latestEventTime: latest === null ? null : Number(latest), features };
  }

  async #top(rows: string, feature: string): Promise<Array<{ value: string; count: number }>> {
    const c = ident(feature);
    const r = await this.#conn.runAndReadAll(
      `SELECT CAST(${c} AS VARCHAR) AS v, count(*)::DOUBLE AS n FROM ${rows} WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
    );
    return r.getRowObjectsJson().map((x) => ({ value: String(x.v), count: Number(x.n) }));
  }

  async close(): Promise<void> {
    for (const held of [...this.#held]) await held.close();
    this.#conn.closeSync();
    this.#instance.closeSync();
  }
}
