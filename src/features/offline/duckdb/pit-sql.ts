import type { OfflineView } from "../../offline-store.js";
import type { FeatureType, KeyType } from "../../types.js";

/** A DuckDB identifier, quoted. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal. */
export function lit(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const SQL_TYPES: Record<FeatureType | KeyType, string> = {
  float: "DOUBLE",
  int: "BIGINT",
  string: "VARCHAR",
  bool: "BOOLEAN",
};

/** The DuckDB type a feature or key is cast to in every result. */
export function sqlType(t: FeatureType | KeyType): string {
  return SQL_TYPES[t];
}

/** The rows of a view as its definition says: its SQL, or its source as is. */
export function relation(v: OfflineView): string {
  return v.sql ?? `SELECT * FROM ${ident(v.source)}`;
}

/**
 * A view's rows reduced to keys, event time (`__ts`), created time (`__created`) and typed features,
 * with rows lacking an event time dropped (they can never be joined).
 */
export function viewRows(v: OfflineView): string {
  const keys = v.keys.map((k) => `CAST(${ident(k.name)} AS ${sqlType(k.type)}) AS ${ident(k.name)}`);
  const created = v.createdTimestampField
    ? `CAST(${ident(v.createdTimestampField)} AS TIMESTAMP)`
    : "CAST(NULL AS TIMESTAMP)";
  const feats = v.features.map((f) => `CAST(${ident(f.name)} AS ${sqlType(f.type)}) AS ${ident(f.name)}`);
  return `SELECT ${[...keys, `CAST(${ident(v.timestampField)} AS TIMESTAMP) AS __ts`, `${created} AS __created`, ...feats].join(", ")}
    FROM (${relation(v)}) WHERE ${ident(v.timestampField)} IS NOT NULL`;
}

/** 2^64: event time occupies the high bits of an order key, created time the low 64. */
export const SHIFT = "18446744073709551616::HUGEINT";

/**
 * One HUGEINT that orders a view's rows by event time, then created time (rows without one first), so
 * that a single ASOF inequality or arg_max picks "latest event, then latest written" without a window over
 * all rows (a `row_number() … ORDER BY created DESC NULLS LAST = 1` window was 3× slower on 10M rows and,
 * in DuckDB 1.5, picked a wrong row when a group had NULLs; the property test caught it).
 */
const ROW_ORDER = `epoch_us(__ts)::HUGEINT * ${SHIFT} + CASE WHEN __created IS NULL THEN 0::HUGEINT
  ELSE epoch_us(__created)::HUGEINT + 9223372036854775809::HUGEINT END`;

/** Rows shaped like `viewRows` (`rows`, default the view's own) with their order key `__ord`. */
export function orderedRows(v: OfflineView, rows = viewRows(v)): string {
  return `SELECT *, ${ROW_ORDER} AS __ord FROM (${rows})`;
}

/**
 * The latest row per entity with event time in [start, end) (ms, UTC), as `__key` (join keys joined by
 * U+001F, the online store's key), `__ts_ms`, `__created_ms` and features; ordered by `__key` so that a
 * materialization can resume after the last key it wrote (`after`).
 */
export function latestSql(v: OfflineView, start: number, end: number, after: string | null): string {
  const keys = v.keys.map((k) => ident(k.name)).join(", ");
  const key = v.keys.map((k) => `CAST(${ident(k.name)} AS VARCHAR)`).join(" || chr(31) || ");
  const range = `__ts >= make_timestamp(${Math.round(start * 1000)}) AND __ts < make_timestamp(${Math.round(end * 1000)})`;
  const fields = ["__ts", "__created", ...v.features.map((f) => f.name)].map((n) => `${lit(n)}: ${ident(n)}`);
  const feats = v.features.map((f) =>
    f.type === "int"
      ? `CAST(s.${ident(f.name)} AS DOUBLE) AS ${ident(f.name)}`
      : `s.${ident(f.name)} AS ${ident(f.name)}`,
  );
  return `SELECT * FROM (
      SELECT ${key} AS __key, CAST(epoch_ms(s.__ts) AS DOUBLE) AS __ts_ms,
        CAST(epoch_ms(s.__created) AS DOUBLE) AS __created_ms, ${feats.join(", ")}
      FROM (SELECT ${keys}, arg_max({${fields.join(", ")}}, __ord) AS s
        FROM (${orderedRows(v)}) WHERE ${range} GROUP BY ${keys}))
    ${after === null ? "" : `WHERE __key > ${lit(after)}`}
    ORDER BY __key`;
}
