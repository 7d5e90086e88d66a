import type { OfflineView } from "../../offline-store.js";
import { ident, orderedRows, SHIFT, viewRows } from "./pit-sql.js";

/**
 * How one view meets the entity rows. `asof`: DuckDB's ASOF join over `rows` (shaped like `viewRows`), which
 * sorts the entity rows; `interval`: a hash join on (entity id, time bucket) against the segment index of
 * `group` (temp tables `__d<group>` and `__x<group>`, built by interval-index.ts), where the view's features
 * are `columns` (in feature order); it leaves the entity rows unsorted.
 */
export type ViewJoin =
  | { kind: "asof"; rows: string }
  | { kind: "interval"; group: number; columns: string[] };

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

/** The entity side: every entity column, its time in µs (`__t`), and per view or group its entity id (and bucket). */
function entitySide(views: OfflineView[], joins: ViewJoin[], ts: string): string {
  const cols: string[] = [`epoch_us(e.${ident(ts)}) AS __t`];
  const from: string[] = [];
  const on = (v: OfflineView, alias: string) =>
    v.keys.map((k) => `e.${ident(k.name)} = ${alias}.${ident(k.name)}`).join(" AND ");
  const groups = new Set<number>();
  views.forEach((v, i) => {
    const j = joins[i]!;
    if (j.kind === "interval") {
      if (groups.has(j.group)) return;
      groups.add(j.group);
      const d = `d${j.group}`;
      cols.push(
        `${d}.__kid AS __kg${j.group}`,
        `(epoch_us(e.${ident(ts)}) - ${d}.__t0) // ${d}.__w AS __bg${j.group}`,
      );
      from.push(`LEFT JOIN __d${j.group} ${d} ON ${on(v, d)}`);
    } else if (intKey(v)) cols.push(`e.${ident(v.keys[0]!.name)} AS __k${i}`);
    else {
      cols.push(`k${i}.__kid AS __k${i}`);
      from.push(`LEFT JOIN k${i} ON ${on(v, `k${i}`)}`);
    }
  });
  // The entity's order key sorts after every row of the same event time, whatever its created time.
  if (views.some((v, i) => joins[i]!.kind === "asof" && v.createdTimestampField))
    cols.push(`epoch_us(e.${ident(ts)})::HUGEINT * ${SHIFT} + (${SHIFT} - 1) AS __tord`);
  return `ee AS (SELECT e.*, ${cols.join(", ")} FROM __entities e ${from.join(" ")})`;
}

/** The ASOF join clause of view `i` and its features, NULL unless the matched row is within the TTL. */
function asofClause(v: OfflineView, i: number, ts: string): { join: string; values: string[] } {
  const asOf = v.createdTimestampField ? `ee.__tord >= g${i}.__ord` : `ee.${ident(ts)} >= g${i}.__ts`;
  const fresh =
    v.ttlSeconds > 0
      ? `g${i}.__ts >= ee.${ident(ts)} - to_microseconds(${ttlMicros(v)})`
      : `g${i}.__ts IS NOT NULL`;
  return {
    join: `ASOF LEFT JOIN g${i} ON ee.__k${i} = g${i}.__kid AND ${asOf}`,
    values: v.features.map((f) => `CASE WHEN ${fresh} THEN g${i}.${ident(f.name)} END`),
  };
}

/** A view's TTL in whole microseconds (0: no TTL). */
export const ttlMicros = (v: OfflineView): number => Math.round(v.ttlSeconds * 1e6);

/**
 * Point-in-time join of `__entities` (with `__row` and timestamp column `ts`) against `views`, each joined as
 * `joins[i]` says: per entity row and view, the row with the greatest event time ≤ the entity time (ties
 * broken by created time), kept only within the view's TTL (`event time ≥ entity time − ttl`). Output: `__row`,
 * the entity columns, then each feature under `columns[i][feature]`, in no particular order (see `inRowOrder`).
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
  const from: string[] = [];
  const hidden = ["__t"];
  if (ctes.at(-1)!.includes("__tord")) hidden.push("__tord");
  const select = views.flatMap((v, i) => {
    const j = joins[i]!;
    let values: string[];
    if (j.kind === "asof") {
      const c = asofClause(v, i, ts);
      from.push(c.join);
      hidden.push(`__k${i}`);
      values = c.values;
    } else {
      // Segments end at the TTL, so a match is fresh; the group's one join serves all its views.
      const x = `x${j.group}`;
      if (!hidden.includes(`__kg${j.group}`)) {
        hidden.push(`__kg${j.group}`, `__bg${j.group}`);
        from.push(`LEFT JOIN __x${j.group} ${x} ON ee.__kg${j.group} = ${x}.__kid AND ee.__bg${j.group} = ${x}.__b
          AND ee.__t >= ${x}.__s AND ee.__t < ${x}.__e`);
      }
      values = j.columns.map((c) => `${x}.${c}`);
    }
    return v.features.map((f, k) => `${values[k]} AS ${ident(columns[i]![f.name]!)}`);
  });
  return `WITH ${ctes.join(",\n")}
    SELECT ee.* EXCLUDE (${hidden.join(", ")}), ${select.join(", ")}
    FROM ee ${from.join(" ")}`;
}

/** The rows of `pointInTimeSql` (`joined`) in entity order, as `select` (default: all but `__row`). */
export function inRowOrder(joined: string, select = "* EXCLUDE (__row)"): string {
  return `SELECT ${select} FROM (${joined}) ORDER BY __row`;
}
