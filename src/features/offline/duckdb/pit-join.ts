import type { OfflineView } from "../../offline-store.js";
import { ident, orderedRows, SHIFT, viewRows } from "./pit-sql.js";

/**
 * How one view meets the entity rows. `asof`: DuckDB's ASOF join over `rows` (shaped like `viewRows`),
 * which sorts the entity rows; `interval`: a hash join on (entity id, time bucket) against the view's
 * validity intervals in temp tables `keys` (entity id, bucket origin and width) and `intervals` (built by
 * interval-index.ts), which leaves the entity rows unsorted.
 */
export type ViewJoin = { kind: "asof"; rows: string } | { kind: "interval"; keys: string; intervals: string };

/** The ASOF plan over the view's own rows. */
export const asofJoin = (v: OfflineView): ViewJoin => ({ kind: "asof", rows: viewRows(v) });

/** Whether a view's entity is one integer key, which ASOF can partition on directly. */
const intKey = (v: OfflineView) => v.keys.length === 1 && v.keys[0]!.type === "int";

/**
 * The CTEs of an ASOF view `i`: its rows (`fv`, with `__ord` when created time breaks ties), and `g` = those
 * rows with an integer `__kid` for the entity. String and composite keys go through a dictionary (`k`) of the
 * view's distinct keys: DuckDB's ASOF join partitions on integers much faster than on strings, and entities
 * absent from the view get no id.
 */
function asofCtes(v: OfflineView, i: number, rows: string): string[] {
  const fv = `fv${i} AS (${v.createdTimestampField ? orderedRows(v, rows) : rows})`;
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

/** The entity side: every entity column, its time in µs (`__t`), and per view its entity id (and bucket). */
function entitySide(views: OfflineView[], joins: ViewJoin[], ts: string): string {
  const cols: string[] = [`epoch_us(e.${ident(ts)}) AS __t`];
  const from: string[] = [];
  views.forEach((v, i) => {
    const j = joins[i]!;
    const on = (alias: string) =>
      v.keys.map((k) => `e.${ident(k.name)} = ${alias}.${ident(k.name)}`).join(" AND ");
    if (j.kind === "interval") {
      cols.push(`d${i}.__kid AS __k${i}`, `(epoch_us(e.${ident(ts)}) - d${i}.__t0) // d${i}.__w AS __b${i}`);
      from.push(`LEFT JOIN ${j.keys} d${i} ON ${on(`d${i}`)}`);
    } else if (intKey(v)) cols.push(`e.${ident(v.keys[0]!.name)} AS __k${i}`);
    else {
      cols.push(`k${i}.__kid AS __k${i}`);
      from.push(`LEFT JOIN k${i} ON ${on(`k${i}`)}`);
    }
  });
  // The entity's order key sorts after every row of the same event time, whatever its created time.
  cols.push(`epoch_us(e.${ident(ts)})::HUGEINT * ${SHIFT} + (${SHIFT} - 1) AS __tord`);
  return `ee AS (SELECT e.*, ${cols.join(", ")} FROM __entities e ${from.join(" ")})`;
}

/** The join clause of view `i` and the condition under which its matched row is fresh (within the TTL). */
function joinClause(v: OfflineView, i: number, j: ViewJoin, ts: string): { join: string; fresh: string } {
  if (j.kind === "interval")
    // The intervals already end at the TTL, so a match is fresh.
    return {
      join: `LEFT JOIN ${j.intervals} g${i} ON ee.__k${i} = g${i}.__kid AND ee.__b${i} = g${i}.__b
        AND ee.__t >= g${i}.__s AND ee.__t < g${i}.__e`,
      fresh: `g${i}.__s IS NOT NULL`,
    };
  const asOf = v.createdTimestampField ? `ee.__tord >= g${i}.__ord` : `ee.${ident(ts)} >= g${i}.__ts`;
  return {
    join: `ASOF LEFT JOIN g${i} ON ee.__k${i} = g${i}.__kid AND ${asOf}`,
    fresh:
      v.ttlSeconds > 0
        ? `g${i}.__ts >= ee.${ident(ts)} - to_microseconds(${ttlMicros(v)})`
        : `g${i}.__ts IS NOT NULL`,
  };
}

/** A view's TTL in whole microseconds (0: no TTL). */
export const ttlMicros = (v: OfflineView): number => Math.round(v.ttlSeconds * 1e6);

/**
 * Point-in-time join of `__entities` (with `__row` and timestamp column `ts`) against `views`, each joined as
 * `joins[i]` says: per entity row and view, the row with the greatest event time ≤ the entity time (ties
 * broken by created time), kept only within the view's TTL (`event time ≥ entity time − ttl`). Output keeps
 * the entity columns (minus `__row`) in row order, then each feature under `columns[i][feature]`.
 */
export function pointInTimeSql(
  views: OfflineView[],
  joins: ViewJoin[],
  ts: string,
  columns: Array<Record<string, string>>,
): string {
  const ctes = views.flatMap((v, i) => {
    const j = joins[i]!;
    return j.kind === "asof" ? asofCtes(v, i, j.rows) : [];
  });
  ctes.push(entitySide(views, joins, ts));
  const clauses = views.map((v, i) => joinClause(v, i, joins[i]!, ts));
  const select = views.flatMap((v, i) =>
    v.features.map(
      (f) =>
        `CASE WHEN ${clauses[i]!.fresh} THEN g${i}.${ident(f.name)} END AS ${ident(columns[i]![f.name]!)}`,
    ),
  );
  const hidden = ["__row", "__t", "__tord", ...views.flatMap((_, i) => [`__k${i}`])];
  joins.forEach((j, i) => {
    if (j.kind === "interval") hidden.push(`__b${i}`);
  });
  return `WITH ${ctes.join(",\n")}
    SELECT ee.* EXCLUDE (${hidden.join(", ")}), ${select.join(", ")}
    FROM ee ${clauses.map((c) => c.join).join(" ")}
    ORDER BY ee.__row`;
}
