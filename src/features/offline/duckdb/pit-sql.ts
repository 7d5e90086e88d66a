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

/**
 * Latest created time first, rows without one last. Spelled with coalesce because DuckDB 1.5's top-1 window
 * rewrite of `ORDER BY __created DESC NULLS LAST … = 1` picked a wrong row when the group had NULLs
 * (found by the point-in-time property test).
 */
const CREATED_ORDER = "coalesce(__created, '-infinity'::TIMESTAMP) DESC";

/** One row per (keys, event time): the one written last by created time (rows without one lose ties). */
export function dedupedRows(v: OfflineView): string {
  const part = [...v.keys.map((k) => ident(k.name)), "__ts"].join(", ");
  if (!v.createdTimestampField)
    return `SELECT * FROM (${viewRows(v)}) QUALIFY row_number() OVER (PARTITION BY ${part}) = 1`;
  return `SELECT * FROM (${viewRows(v)})
    QUALIFY row_number() OVER (PARTITION BY ${part} ORDER BY ${CREATED_ORDER}) = 1`;
}

/** Whether a view's entity is one integer key, which ASOF can partition on directly. */
const intKey = (v: OfflineView) => v.keys.length === 1 && v.keys[0]!.type === "int";

/**
 * The CTEs of view `i`: its deduplicated rows (`fv`), and `g` = those rows with an integer `__kid` for the
 * entity. String and composite keys go through a dictionary (`k`) of the view's distinct keys: DuckDB's ASOF
 * join partitions on integers much faster than on strings, and entities absent from the view get no id.
 */
function viewCtes(v: OfflineView, i: number): string[] {
  const fv = `fv${i} AS (${dedupedRows(v)})`;
  if (intKey(v)) return [fv, `g${i} AS (SELECT ${ident(v.keys[0]!.name)} AS __kid, * FROM fv${i})`];
  const keys = v.keys.map((k) => ident(k.name)).join(", ");
  const on = v.keys.map((k) => `fv${i}.${ident(k.name)} IS NOT DISTINCT FROM k${i}.${ident(k.name)}`).join(" AND ");
  return [
    fv,
    `k${i} AS (SELECT ${keys}, row_number() OVER () AS __kid FROM (SELECT DISTINCT ${keys} FROM fv${i}))`,
    `g${i} AS (SELECT k${i}.__kid, fv${i}.* FROM fv${i} JOIN k${i} ON ${on})`,
  ];
}

/** The entity side: every entity column plus each view's entity id `__k<i>`. */
function entitySide(views: OfflineView[]): string {
  const ids = views.map((v, i) => (intKey(v) ? `e.${ident(v.keys[0]!.name)} AS __k${i}` : `k${i}.__kid AS __k${i}`));
  const joins = views.flatMap((v, i) =>
    intKey(v) ? [] : [`LEFT JOIN k${i} ON ${v.keys.map((k) => `e.${ident(k.name)} = k${i}.${ident(k.name)}`).join(" AND ")}`],
  );
  return `ee AS (SELECT e.*, ${ids.join(", ")} FROM __entities e ${joins.join(" ")})`;
}

/**
 * Point-in-time join of `__entities` (with `__row` and timestamp column `ts`) against `views`: per entity
 * row and view, the row with the greatest event time ≤ the entity time (ASOF), kept only when within the
 * view's TTL (`event time ≥ entity time − ttl`). Output keeps the entity columns (minus `__row`) in row order,
 * then each feature under `columns[i][feature]`.
 */
export function pointInTimeSql(views: OfflineView[], ts: string, columns: Array<Record<string, string>>): string {
  const ctes = [...views.flatMap(viewCtes), entitySide(views)];
  const joins = views.map((_, i) => `ASOF LEFT JOIN g${i} ON ee.__k${i} = g${i}.__kid AND ee.${ident(ts)} >= g${i}.__ts`);
  const select = views.flatMap((v, i) => {
    const fresh =
      v.ttlSeconds > 0
        ? `g${i}.__ts >= ee.${ident(ts)} - to_microseconds(${Math.round(v.ttlSeconds * 1e6)})`
        : `g${i}.__ts IS NOT NULL`;
    return v.features.map((f) => `CASE WHEN ${fresh} THEN g${i}.${ident(f.name)} END AS ${ident(columns[i]![f.name]!)}`);
  });
  const hidden = ["__row", ...views.map((_, i) => `__k${i}`)].join(", ");
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
  const key = v.keys.map((k) => `CAST(${ident(k.name)} AS VARCHAR)`).join(" || chr(31) || ");
  const range = `__ts >= make_timestamp(${Math.round(start * 1000)}) AND __ts < make_timestamp(${Math.round(end * 1000)})`;
  const feats = v.features.map((f) =>
    f.type === "int" ? `CAST(${ident(f.name)} AS DOUBLE) AS ${ident(f.name)}` : ident(f.name),
  );
  return `SELECT * FROM (
      SELECT ${key} AS __key, CAST(epoch_ms(__ts) AS DOUBLE) AS __ts_ms,
        CAST(epoch_ms(__created) AS DOUBLE) AS __created_ms, ${feats.join(", ")}
      FROM (${viewRows(v)}) WHERE ${range}
      QUALIFY row_number() OVER (PARTITION BY ${v.keys.map((k) => ident(k.name)).join(", ")}
        ORDER BY __ts DESC, ${CREATED_ORDER}) = 1)
    ${after === null ? "" : `WHERE __key > ${lit(after)}`}
    ORDER BY __key`;
}
