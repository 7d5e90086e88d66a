import type { Kysely, RawBuilder, Transaction } from "kysely";
import type { Database, MetricsTable } from "./schema.js";

export type SqlDialectName = "sqlite" | "postgres";

/**
 * The few places where SQLite and PostgreSQL differ. Everything else in the SQL store is shared Kysely.
 * Bulk writes are hooks because they are the hot path: SQLite reuses prepared statements on the
 * writer connection, PostgreSQL sends one `unnest` statement per batch.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  readonly db: Kysely<Database>;
  /** Inserts metric history rows; must be called inside `trx`. */
  insertMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void>;
  /** Upserts latest values, keeping the row with the greatest (step, timestamp, value); inside `trx`. */
  upsertLatestMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void>;
  /** Case-insensitive LIKE. */
  ilike(column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean>;
  close(): Promise<void>;
}

/** Keeps, per key, the row MLflow considers latest: greatest step, then timestamp, then value. */
export function latestPerKey(rows: MetricsTable[]): MetricsTable[] {
  const best = new Map<string, MetricsTable>();
  for (const r of rows) {
    const cur = best.get(r.key);
    if (!cur || isLater(r, cur)) best.set(r.key, r);
  }
  return [...best.values()];
}

function isLater(a: MetricsTable, b: MetricsTable): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}
