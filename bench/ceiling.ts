/**
 * The physical ceiling for metric writes: the same rows inserted with the bare driver, in one
 * transaction, into a table with the same definition and indexes as gyre's `metrics` table.
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

/** Rows per second for inserting `rows` into `CREATE TABLE … (LIKE metrics INCLUDING ALL)` on PostgreSQL. */
export async function postgresCeiling(url: string, rows: unknown[][]): Promise<number> {
  const raw = await rawPostgres(url);
  const table = `bench_ceiling_${Date.now()}`;
  try {
    await raw.exec(`CREATE TABLE ${table} (LIKE metrics INCLUDING ALL)`);
    return await timedInsert(raw, table, rows);
  } finally {
    await raw.exec(`DROP TABLE IF EXISTS ${table}`);
    await raw.close();
  }
}

async function timedInsert(raw: RawSql, table: string, rows: unknown[][]): Promise<number> {
  const t0 = performance.now();
  await raw.insertMany(table, [...METRIC_COLUMNS], rows);
  return rows.length / ((performance.now() - t0) / 1000);
}
