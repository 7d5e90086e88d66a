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
const SHIFT = "18446744073709551616::HUGEINT";

/**
 * One HUGEINT that orders a view's rows by event time, then created time (rows without one first), so
 * that a single ASOF inequality or arg_max picks "latest event, then latest written" without a window over
 * all rows (a `row_number() … ORDER BY created DESC NULLS LAST = 1` window was 3× slower on 10M rows and,
 * in DuckDB 1.5, picked a wrong row when a group had NULLs; the property test caught it).
 */
const ROW_ORDER = `epoch_us(__ts)::HUGEINT * ${SHIFT} + CASE WHEN __created IS NULL THEN 0::HUGEINT
  ELSE epoch_us(__created)::HUGEINT + 9223372036854775809::HUGEINT END`;

/** A view's rows with their order key `__ord`. */
export function orderedRows(v: OfflineView): string {
  return `SELECT *, ${ROW_ORDER} AS __ord FROM (${viewRows(v)})`;
}

/** Whether a view's entity is one integer key, which ASOF can partition on directly. */
const intKey = (v: OfflineView) => v.keys.length === 1 && v.keys[0]!.type === "int";

/**
 * The CTEs of view `i`: its rows (`fv`, with `__ord` when created time breaks ties), and `g` = those rows with an integer `__kid` for the
 * entity. String and composite keys go through a dictionary (`k`) of the view's distinct keys: DuckDB's ASOF
 * join partitions on integers much faster than on strings, and entities absent from the view get no id.
 */
function viewCtes(v: OfflineView, i: number): string[] {
  const fv = `fv${i} AS (${v.createdTimestampField ? orderedRows(v) : viewRows(v)})`;
  if (intKey(v)) return [fv, `g${i} AS (SELECT ${ident(v.keys[0]!.name)} AS __kid, * FROM fv${i})`];
  const keys = v.keys.map((k) => ident(k.name)).join(", ");
  const on = v.keys
    .map((k) => `fv${i}.${ident(k.name)} IS NOT DISTINCT FROM k${i}.${ident(k.name)}`)
    .join(" AND ");
  return [
    fv,
    `k${i} AS (SELECT ${keys}, row_number() OVER () AS __kid FROM (SELECT DISTINCT ${keys} FROM fv${i}))`,
    `g${i} AS (SELECT k${i}.__kid, fv${i}.* FROM fv${i} JOIN k${i} ON ${on})`,
  ];
}

/** The entity side: every entity column plus each view's entity id `__k<i>`. */
function entitySide(views: OfflineView[], ts: string): string {
  const ids = views.map((v, i) =>
    intKey(v) ? `e.${ident(v.keys[0]!.name)} AS __k${i}` : `k${i}.__kid AS __k${i}`,
  );
  const joins = views.flatMap((v, i) =>
    intKey(v)
      ? []
      : [
          `LEFT JOIN k${i} ON ${v.keys.map((k) => `e.${ident(k.name)} = k${i}.${ident(k.name)}`).join(" AND ")}`,
        ],
  );
  // The entity's order key sorts after every row of the same event time, whatever its created time.
  const tord = `epoch_us(e.${ident(ts)})::HUGEINT * ${SHIFT} + (${SHIFT} - 1) AS __tord`;
  return `ee AS (SELECT e.*, ${[...ids, tord].join(", ")} FROM __entities e ${joins.join(" ")})`;
}

/**
 * Point-in-time join of `__entities` (with `__row` and timestamp column `ts`) against `views`: per entity
 * row and view, the row with the greatest event time ≤ the entity time (ASOF), kept only when within the
 * view's TTL (`event time ≥ entity time − ttl`). Output keeps the entity columns (minus `__row`) in row order,
 * then each feature under `columns[i][feature]`.
 */
export function pointInTimeSql(
  views: OfflineView[],
  ts: string,
  columns: Array<Record<string, string>>,
): string {
  const ctes = [...views.flatMap(viewCtes), entitySide(views, ts)];
  const joins = views.map((v, i) => {
    const asOf = v.createdTimestampField ? `ee.__tord >= g${i}.__ord` : `ee.${ident(ts)} >= g${i}.__ts`;
    return `ASOF LEFT JOIN g${i} ON ee.__k${i} = g${i}.__kid AND ${asOf}`;
  });
  const select = views.flatMap((v, i) => {
    const fresh =
      v.ttlSeconds > 0
        ? `g${i}.__ts >= ee.${ident(ts)} - to_microseconds(${Math.round(v.ttlSeconds * 1e6)})`
        : `g${i}.__ts IS NOT NULL`;
    return v.features.map(
      (f) => `CASE WHEN ${fresh} THEN g${i}.${ident(f.name)} END AS ${ident(columns[i]![f.name]!)}`,
    );
  });
  const hidden = ["__row", "__tord", ...views.map((_, i) => `__k${i}`)].join(", ");
  return `WITH ${ctes.join(",\n")}
    SELECT ee.* EXCLUDE (${hidden}), ${select.join(", ")}
    FROM ee ${joins.join(" ")}
    ORDER BY ee.__row`;
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
