/**
 * The physical ceiling for metric writes: the same rows inserted with the bare driver, in one
 * transaction (per connection), into a table with the same definition and indexes as gyre's `metrics`.
 */
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { type RawSql, rawPostgres, rawSqlite } from "./raw-sql.js";
import { METRIC_COLUMNS } from "./seed.js";

/** Rows per second for inserting `rows` into a copy of `metrics` of the SQLite file `storePath`, in a fresh file in `dir`. */
export async function sqliteCeiling(storePath: string, dir: string, rows: unknown[][]): Promise<number> {
  const source = new BetterSqlite3(storePath, { readonly: true });
  const ddl = source
    .prepare(
      "SELECT sql FROM sqlite_master WHERE tbl_name = 'metrics' AND sql IS NOT NULL ORDER BY type DESC",
    )
    .pluck()
    .all() as string[];
  source.close();
  const raw = rawSqlite(join(dir, `ceiling-${Date.now()}.db`));
  try {
    for (const statement of ddl) await raw.exec(statement);
    return await timedInsert(raw, "metrics", rows);
  } finally {
    await raw.close();
  }
}

/**
 * Rows per second for inserting `rows` into `CREATE TABLE … (LIKE metrics INCLUDING ALL)` on PostgreSQL,
 * split across `connections` connections that each insert their share in one transaction at the same
 * time (PostgreSQL, unlike SQLite, takes concurrent writers).
 */
export async function postgresCeiling(url: string, rows: unknown[][], connections: number): Promise<number> {
  const table = `bench_ceiling_${Date.now()}`;
  const admin = await rawPostgres(url);
  const clients = await Promise.all(Array.from({ length: connections }, () => rawPostgres(url)));
  try {
    await admin.exec(`CREATE TABLE ${table} (LIKE metrics INCLUDING ALL)`);
    const share = Math.ceil(rows.length / connections);
    const t0 = performance.now();
    await Promise.all(
      clients.map((c, i) => c.insertMany(table, [...METRIC_COLUMNS], rows.slice(i * share, (i + 1) * share))),
    );
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await admin.exec(`DROP TABLE IF EXISTS ${table}`);
    await admin.close();
  }
}

async function timedInsert(raw: RawSql, table: string, rows: unknown[][]): Promise<number> {
  const t0 = performance.now();
  await raw.insertMany(table, [...METRIC_COLUMNS], rows);
  return rows.length / ((performance.now() - t0) / 1000);
}
