import {
  Kysely,
  PostgresDialect as KyselyPostgresDialect,
  type RawBuilder,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { Metric, StoreHistoryQuery } from "../types.js";
import type { SqlDialect } from "./dialect.js";
import { historyFromJson, latestPerKey } from "./dialect.js";
import type { Database, MetricsTable } from "./schema.js";

// int8 columns hold epoch milliseconds and steps: they fit in a JS number.
pg.types.setTypeParser(20, (v: string) => Number(v));

function columns(rows: MetricsTable[]) {
  return {
    run: rows.map((r) => r.run_uuid),
    key: rows.map((r) => r.key),
    value: rows.map((r) => r.value),
    nan: rows.map((r) => r.is_nan),
    ts: rows.map((r) => r.timestamp),
    step: rows.map((r) => r.step),
  };
}

/** PostgreSQL through a `pg` pool; batches go over as arrays and are expanded with `unnest`. */
export class PostgresDialect implements SqlDialect {
  readonly name = "postgres" as const;
  readonly db: Kysely<Database>;

  readonly #pool: pg.Pool;

  constructor(connectionString: string, options: { poolSize?: number } = {}) {
    this.#pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10 });
    this.db = new Kysely<Database>({ dialect: new KyselyPostgresDialect({ pool: this.#pool }) });
  }

  /** One statement (one round trip): the history insert rides in a CTE of the latest-value upsert. */
  async writeMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void> {
    if (rows.length > 0) await metricWrites(rows, sql`TRUE`, sql`SELECT 1`).execute(trx);
  }

  /** One statement, no transaction: the run check guards both inserts and comes back as the result. */
  async writeRunMetrics(runId: string, rows: MetricsTable[]): Promise<string | null> {
    const { rows: found } = await metricWrites(
      rows,
      sql`EXISTS (SELECT 1 FROM run WHERE lifecycle_stage = 'active')`,
      sql`SELECT lifecycle_stage FROM run`,
      sql`run AS (SELECT lifecycle_stage FROM runs WHERE run_uuid = ${runId}), `,
    ).execute(this.db);
    return (found[0] as { lifecycle_stage?: string } | undefined)?.lifecycle_stage ?? null;
  }

  /** The history comes back as three JSON arrays in one row: far cheaper to send and parse than a row per point. */
  async metricHistory(q: StoreHistoryQuery): Promise<Metric[]> {
    const res = await this.#pool.query<(string | null)[]>({
      text: `SELECT json_agg(CASE WHEN is_nan = 1 THEN NULL ELSE value END)::text, json_agg(timestamp)::text,
          json_agg(step)::text
        FROM (SELECT value, is_nan, timestamp, step FROM metrics WHERE run_uuid = $1 AND key = $2
          ORDER BY step, timestamp LIMIT $3 OFFSET $4) h`,
      values: [q.runId, q.key, q.limit, q.offset],
      rowMode: "array",
    });
    return historyFromJson(q.key, res.rows[0]!);
  }

  ilike(column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`${column} ILIKE ${pattern}`;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * History insert and latest-value upsert of `rows` as one statement (data-modifying CTEs), each row
 * written only `when`, followed by `result`; `before` adds CTEs ahead of the writes.
 */
function metricWrites(
  rows: MetricsTable[],
  when: RawBuilder<unknown>,
  result: RawBuilder<unknown>,
  before = sql``,
) {
  const h = columns(rows);
  const l = columns(latestPerKey(rows));
  return sql`WITH ${before}history AS (
      INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)
      SELECT * FROM unnest(${h.run}::text[], ${h.key}::text[], ${toPgFloats(h.value)}::float8[],
        ${h.nan}::int[], ${h.ts}::int8[], ${h.step}::int8[]) WHERE ${when}),
    latest AS (
      INSERT INTO latest_metrics AS l (run_uuid, key, value, is_nan, timestamp, step)
      SELECT * FROM unnest(${l.run}::text[], ${l.key}::text[], ${toPgFloats(l.value)}::float8[],
        ${l.nan}::int[], ${l.ts}::int8[], ${l.step}::int8[]) WHERE ${when}
      ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,
        timestamp = excluded.timestamp, step = excluded.step
      WHERE (excluded.step, excluded.timestamp, excluded.value) > (l.step, l.timestamp, l.value))
    ${result}`;
}

/** pg serialises JS Infinity as "Infinity" inside arrays only when given as strings. */
function toPgFloats(values: number[]): string[] {
  return values.map((v) => (Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : "-Infinity"));
}
