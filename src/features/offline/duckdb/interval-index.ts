import type { DuckDBConnection } from "@duckdb/node-api";
import type { OfflineView } from "../../offline-store.js";
import { asofJoin, ttlMicros, type ViewJoin } from "./pit-join.js";
import { ident, orderedRows, viewRows } from "./pit-sql.js";

/** Which join each view gets: chosen from the data (`auto`), or forced (tests, comparisons). */
export type PitJoinMode = "auto" | "asof" | "interval";

/** The entity rows' count and time range (µs since the epoch, UTC), read once before planning. */
export interface EntityRange {
  rows: number;
  lo: number;
  hi: number;
}

/**
 * In `auto` mode, a bucket may hold at most this many segments of one entity; beyond it (bursts of
 * updates within a bucket) every entity row in it would test them all, and ASOF is used instead.
 */
const MAX_BUCKET_ROWS = 64;

const MAX_BIGINT = "9223372036854775807";

const keyList = (v: OfflineView, alias = "") => v.keys.map((k) => `${alias}${ident(k.name)}`).join(", ");
const keysMatch = (v: OfflineView, a: string, b: string) =>
  v.keys.map((k) => `${a}.${ident(k.name)} = ${b}.${ident(k.name)}`).join(" AND ");

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const r = await conn.runAndReadAll(sql);
  return Number(r.getRowsJson()[0]?.[0] ?? 0);
}

/**
 * Plans how each view is joined. Views with no more rows than there are entity rows become validity
 * intervals: a row is valid from its event time until the next row of its entity or the end of its TTL,
 * whichever comes first. Views with the same join keys are overlaid into one index of segments carrying every
 * view's values, cut into per-entity time buckets (width = the entity's covered time / its segment count, so
 * about two bucket entries per segment); each entity row then finds its segment with one hash join on
 * (entity, bucket). Larger views, and views whose buckets overflow (alone), use ASOF. Temp tables live until
 * the connection closes.
 */
export async function planJoins(
  conn: DuckDBConnection,
  views: OfflineView[],
  range: EntityRange,
  mode: PitJoinMode,
  cheapToCount: (v: OfflineView) => boolean,
): Promise<ViewJoin[]> {
  const joins: ViewJoin[] = views.map(asofJoin);
  if (mode === "asof" || range.rows === 0) return joins;
  const groups = new Map<string, number[]>();
  const tooMany = (sql: string) => count(conn, `SELECT count(*) FROM (${sql})`).then((n) => n > range.rows);
  for (const [i, v] of views.entries()) {
    // Counting rows in files reads one column and stops early; a view's SQL is computed only once, here.
    const capped = `SELECT * FROM (${viewRows(v)}) LIMIT ${range.rows + 1}`;
    if (mode === "auto" && cheapToCount(v) && (await tooMany(capped))) continue;
    const limit = mode === "auto" && !cheapToCount(v) ? `LIMIT ${range.rows + 1}` : "";
    await conn.run(`CREATE TEMP TABLE __fv${i} AS SELECT * FROM (${viewRows(v)}) ${limit}`);
    if (limit && (await tooMany(`SELECT 1 FROM __fv${i}`))) {
      await conn.run(`DROP TABLE __fv${i}`);
      continue;
    }
    joins[i] = { kind: "asof", rows: `SELECT * FROM __fv${i}` };
    const sig = v.keys.map((k) => `${k.name}:${k.type}`).join(",");
    groups.set(sig, [...(groups.get(sig) ?? []), i]);
  }
  // A group whose buckets overflow is retried view by view: one bursty view must not cost the others.
  const queue = [...groups.values()];
  for (let g = 0; queue.length > 0; g++) {
    const members = queue.shift()!;
    await conn.run(segmentsSql(views, members, g, range));
    for (const sql of bucketsSql(views[members[0]!]!, g)) await conn.run(sql);
    const fullest = await count(
      conn,
      `SELECT max(n) FROM (SELECT count(*) AS n FROM __x${g} GROUP BY __kid, __b)`,
    );
    if (mode === "interval" || fullest <= MAX_BUCKET_ROWS)
      for (const i of members)
        joins[i] = { kind: "interval", group: g, columns: views[i]!.features.map((_, j) => `__f${i}_${j}`) };
    else if (members.length > 1) queue.push(...members.map((i) => [i]));
  }
  return joins;
}

/**
 * CTE `iv<i>`: the rows of `__fv<i>` as intervals [`__s`, `__e`) in µs that meet the entity time range. Among
 * rows of one entity and event time only the last in (event, created) order keeps a non-empty interval, so it
 * wins as in the ASOF join. Rows with a NULL key can never match and are dropped.
 */
function intervalsCte(v: OfflineView, i: number, range: EntityRange): string {
  const ttl = ttlMicros(v);
  const next = `coalesce(lead(__s) OVER (PARTITION BY ${keyList(v)} ORDER BY __ord), ${MAX_BIGINT})`;
  const end = ttl > 0 ? `least(${next}, __s + ${ttl + 1})` : next;
  const notNull = v.keys.map((k) => `${ident(k.name)} IS NOT NULL`).join(" AND ");
  const feats = v.features.map((f) => ident(f.name)).join(", ");
  return `iv${i} AS (SELECT * FROM (
      SELECT ${keyList(v)}, __s, ${end} AS __e, ${feats}
      FROM (SELECT *, epoch_us(__ts) AS __s FROM (${orderedRows(v, `SELECT * FROM __fv${i}`)}) WHERE ${notNull}))
    WHERE __e > __s AND __e > ${range.lo} AND __s <= ${range.hi})`;
}

/**
 * `__c<g>`: the views `members` (same join keys) overlaid: per entity, the segments [`__s`, `__e`) between
 * consecutive interval boundaries of any member, each with every member's features (`__f<i>_<j>`, NULL where
 * the member has no valid row), clipped to the entity time range as [`__cs`, `__ce`]. Segments no member
 * covers are dropped; a single view's segments are its intervals.
 */
function segmentsSql(views: OfflineView[], members: number[], g: number, range: EntityRange): string {
  const v0 = views[members[0]!]!;
  const keys = keyList(v0);
  const ctes = members.map((i) => intervalsCte(views[i]!, i, range));
  let body: string;
  if (members.length === 1) {
    const i = members[0]!;
    const feats = views[i]!.features.map((f, j) => `${ident(f.name)} AS __f${i}_${j}`);
    body = `SELECT ${keys}, __s, __e, ${feats.join(", ")} FROM iv${i}`;
  } else {
    const bounds = members
      .map((i) => `SELECT ${keys}, __s AS p FROM iv${i} UNION SELECT ${keys}, __e FROM iv${i}`)
      .join(" UNION ");
    ctes.push(`s AS (SELECT * FROM (SELECT ${keys}, p AS __s, lead(p) OVER (PARTITION BY ${keys} ORDER BY p) AS __e
      FROM (${bounds})) WHERE __e IS NOT NULL)`);
    const covered = members.map((i) => `s.__s < v${i}.__e`);
    const feats = members.flatMap((i, m) =>
      views[i]!.features.map(
        (f, j) => `CASE WHEN ${covered[m]} THEN v${i}.${ident(f.name)} END AS __f${i}_${j}`,
      ),
    );
    const joins = members.map(
      (i) => `ASOF LEFT JOIN iv${i} v${i} ON ${keysMatch(v0, "s", `v${i}`)} AND s.__s >= v${i}.__s`,
    );
    body = `SELECT ${keyList(v0, "s.")}, s.__s, s.__e, ${feats.join(", ")}
      FROM s ${joins.join(" ")} WHERE ${covered.join(" OR ")}`;
  }
  return `CREATE TEMP TABLE __c${g} AS WITH ${ctes.join(",\n")}
    SELECT *, greatest(__s, ${range.lo}) AS __cs, least(__e - 1, ${range.hi}) AS __ce
    FROM (${body}) WHERE __e > ${range.lo} AND __s <= ${range.hi}`;
}

/**
 * `__d<g>`: per entity of group `g`, its id `__kid`, bucket origin `__t0` and width `__w` (µs); `__x<g>`: each
 * segment of `__c<g>` once per bucket it overlaps (`__b`).
 */
function bucketsSql(v: OfflineView, g: number): string[] {
  const keys = keyList(v);
  return [
    `CREATE TEMP TABLE __d${g} AS SELECT *, row_number() OVER () AS __kid FROM (
      SELECT ${keys}, min(__cs) AS __t0, greatest(1, (max(__ce) - min(__cs) + 1) // count(*)) AS __w
      FROM __c${g} GROUP BY ${keys})`,
    `CREATE TEMP TABLE __x${g} AS SELECT d.__kid, c.* EXCLUDE (${keys}, __cs, __ce),
      unnest(range((c.__cs - d.__t0) // d.__w, (c.__ce - d.__t0) // d.__w + 1)) AS __b
    FROM __c${g} c JOIN __d${g} d ON ${keysMatch(v, "c", "d")}`,
  ];
}
