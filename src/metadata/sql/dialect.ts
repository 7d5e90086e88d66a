import type { Kysely, RawBuilder, Transaction } from "kysely";
import type { Metric, StoreHistoryQuery } from "../types.js";
import type { Database, MetricsTable } from "./schema.js";

export type SqlDialectName = "sqlite" | "postgres";

/**
 * The few places where SQLite and PostgreSQL differ. Everything else in the SQL store is shared Kysely.
 * Metric writes and history reads are hooks because they are the hot paths: SQLite reuses prepared
 * statements on the writer connection, PostgreSQL sends one `unnest` statement per batch, and both
 * return a history as a few JSON arrays rather than a row per point.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  readonly db: Kysely<Database>;
  /**
   * Inserts metric history rows and upserts each key's latest value, keeping the row with the greatest
   * (step, timestamp, value); must be called inside `trx`.
   */
  writeMetrics(trx: Transaction<Database>, rows: MetricsTable[]): Promise<void>;
  /**
   * `writeMetrics` for run `runId` if that run is active, atomically with the check; writes nothing
   * otherwise. Returns the run's lifecycle stage, or null if there is no such run. Logging metrics alone
   * is the hottest write, so engines may do it in one statement.
   */
  writeRunMetrics(runId: string, rows: MetricsTable[]): Promise<string | null>;
  /** One metric's points in (step, timestamp) order, `limit` from `offset`: histories of 10^5 points are the hot read. */
  metricHistory(q: StoreHistoryQuery): Promise<Metric[]>;
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

/**
 * Metric points from the three JSON arrays a history query aggregates: values (null for NaN; from
 * PostgreSQL also "Infinity"/"-Infinity"), timestamps and steps. The arrays come from an ordered
 * subquery, which engines aggregate in order; should one not, the points are sorted here.
 */
export function historyFromJson(key: string, columns: (string | null)[]): Metric[] {
  const [values, timestamps, steps] = columns.map((text) => JSON.parse(text ?? "[]") as unknown[]) as [
    (number | string | null)[],
    number[],
    number[],
  ];
  const out: Metric[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = {
      key,
      value: typeof v === "number" ? v : v === null ? Number.NaN : Number(v),
      timestamp: timestamps[i]!,
      step: steps[i]!,
    };
  }
  return isHistoryOrder(out) ? out : out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
}

function isHistoryOrder(points: Metric[]): boolean {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (b.step < a.step || (b.step === a.step && b.timestamp < a.timestamp)) return false;
  }
  return true;
}

/** True for a unique-key violation on either engine (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === "23505" || (typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT"));
}
