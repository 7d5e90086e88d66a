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
 * In `auto` mode, a bucket may hold at most this many intervals of one entity; beyond it (bursts of
 * updates within a bucket) every entity row in it would test them all, and ASOF is used instead.
 */
const MAX_BUCKET_ROWS = 64;

/**
 * Plans the join of view `i`. A view with no more rows than there are entity rows becomes an index of
 * validity intervals: each row is valid from its event time until the next row of its entity or the end of
 * its TTL, whichever comes first; intervals are cut into per-entity time buckets (width = the entity's
 * covered time / its interval count, so about two bucket entries per interval), and each entity row looks up
 * its (entity, bucket) by hash join. Larger views, and views whose buckets overflow, use ASOF.
 * Temp tables `__fv<i>`, `__d<i>` and `__x<i>` live until the connection closes.
 */
export async function planViewJoin(
  conn: DuckDBConnection,
  v: OfflineView,
  i: number,
  range: EntityRange,
  mode: PitJoinMode,
): Promise<ViewJoin> {
  if (mode === "asof" || range.rows === 0) return asofJoin(v);
  const limit = mode === "interval" ? "" : `LIMIT ${range.rows + 1}`;
  await conn.run(`CREATE TEMP TABLE __fv${i} AS SELECT * FROM (${viewRows(v)}) ${limit}`);
  if (mode === "auto" && (await count(conn, `SELECT count(*) FROM __fv${i}`)) > range.rows) {
    await conn.run(`DROP TABLE __fv${i}`);
    return asofJoin(v);
  }
  await conn.run(intervalsSql(v, i, range));
  await conn.run(`CREATE TEMP TABLE __d${i} AS SELECT *, row_number() OVER () AS __kid FROM (
      SELECT ${keyList(v)}, min(__cs) AS __t0, greatest(1, (max(__ce) - min(__cs) + 1) // count(*)) AS __w
      FROM __iv${i} GROUP BY ${keyList(v)})`);
  const feats = v.features.map((f) => `iv.${ident(f.name)}`).join(", ");
  await conn.run(`CREATE TEMP TABLE __x${i} AS SELECT d.__kid, iv.__s, iv.__e, ${feats},
      unnest(range((iv.__cs - d.__t0) // d.__w, (iv.__ce - d.__t0) // d.__w + 1)) AS __b
    FROM __iv${i} iv JOIN __d${i} d ON ${v.keys.map((k) => `iv.${ident(k.name)} = d.${ident(k.name)}`).join(" AND ")}`);
  await conn.run(`DROP TABLE __iv${i}`);
  const fullest = await count(
    conn,
    `SELECT max(n) FROM (SELECT count(*) AS n FROM __x${i} GROUP BY __kid, __b)`,
  );
  if (mode === "auto" && fullest > MAX_BUCKET_ROWS) return { kind: "asof", rows: `SELECT * FROM __fv${i}` };
  return { kind: "interval", keys: `__d${i}`, intervals: `__x${i}` };
}

const keyList = (v: OfflineView) => v.keys.map((k) => ident(k.name)).join(", ");

async function count(conn: DuckDBConnection, sql: string): Promise<number> {
  const r = await conn.runAndReadAll(sql);
  return Number(r.getRowsJson()[0]?.[0] ?? 0);
}

/**
 * `__iv<i>`: the rows of `__fv<i>` as intervals [`__s`, `__e`) in µs, clipped to the entity time range as
 * [`__cs`, `__ce`]. Among rows of one entity and event time only the last in (event, created) order keeps a
 * non-empty interval, so it wins as in the ASOF join. Rows with a NULL key can never match and are dropped.
 */
function intervalsSql(v: OfflineView, i: number, range: EntityRange): string {
  const ttl = ttlMicros(v);
  const next = `coalesce(lead(__s) OVER (PARTITION BY ${keyList(v)} ORDER BY __ord), 9223372036854775807)`;
  const end = ttl > 0 ? `least(${next}, __s + ${ttl + 1})` : next;
  const notNull = v.keys.map((k) => `${ident(k.name)} IS NOT NULL`).join(" AND ");
  return `CREATE TEMP TABLE __iv${i} AS SELECT *, greatest(__s, ${range.lo}) AS __cs, least(__e - 1, ${range.hi}) AS __ce
    FROM (SELECT * EXCLUDE (__ord), ${end} AS __e
      FROM (SELECT *, epoch_us(__ts) AS __s FROM (${orderedRows(v, `SELECT * FROM __fv${i}`)}) WHERE ${notNull}))
    WHERE __e > __s AND __e > ${range.lo} AND __s <= ${range.hi}`;
}
