import {
  Kysely,
  PostgresDialect as KyselyPostgresDialect,
  type RawBuilder,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { SqlDialect } from "./dialect.js";
import { latestPerKey } from "./dialect.js";
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

  constructor(connectionString: string, options: { poolSize?: number } = {}) {
    const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10 });
    this.db = new Kysely<Database>({ dialect: new KyselyPostgresDialect({ pool }) });
  }

  async insertMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void> {
    if (rows.length === 0) return;
    const c = columns(rows);
    await sql`INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)
      SELECT * FROM unnest(${c.run}::text[], ${c.key}::text[], ${toPgFloats(c.value)}::float8[],
        ${c.nan}::int[], ${c.ts}::int8[], ${c.step}::int8[])`.execute(trx);
  }

  async upsertLatestMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void> {
    const latest = latestPerKey(rows);
    if (latest.length === 0) return;
    const c = columns(latest);
    await sql`INSERT INTO latest_metrics AS l (run_uuid, key, value, is_nan, timestamp, step)
      SELECT * FROM unnest(${c.run}::text[], ${c.key}::text[], ${toPgFloats(c.value)}::float8[],
        ${c.nan}::int[], ${c.ts}::int8[], ${c.step}::int8[])
      ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,
        timestamp = excluded.timestamp, step = excluded.step
      WHERE (excluded.step, excluded.timestamp, excluded.value) > (l.step, l.timestamp, l.value)`.execute(
      trx,
    );
  }

  ilike(column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`${column} ILIKE ${pattern}`;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** pg serialises JS Infinity as "Infinity" inside arrays only when given as strings. */
function toPgFloats(values: number[]): string[] {
  return values.map((v) => (Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : "-Infinity"));
}
