/**
 * Plain driver access for the bench's own bulk work (seeding, and the raw-insert ceiling): better-sqlite3
 * prepared statements in one transaction, or PostgreSQL `unnest` statements in one transaction.
 * It bypasses gyre on purpose; the bench measures gyre only over HTTP.
 */
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";

export interface Column {
  name: string;
  pg: "text" | "int8" | "int4" | "float8";
}

export interface RawSql {
  readonly kind: "sqlite" | "postgres";
  exec(text: string): Promise<void>;
  /** Inserts `rows` (values in `columns` order) into `table` in one transaction. */
  insertMany(table: string, columns: Column[], rows: unknown[][]): Promise<void>;
  close(): Promise<void>;
}

/** Opens a SQLite file with the store's pragmas (WAL, synchronous NORMAL). */
export function rawSqlite(path: string): RawSql {
  const db = new BetterSqlite3(path, { timeout: 30_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  return {
    kind: "sqlite",
    async exec(text) {
      db.exec(text);
    },
    async insertMany(table, columns, rows) {
      const stmt = db.prepare(
        `INSERT INTO ${table} (${columns.map((c) => c.name).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      db.transaction(() => {
        for (const r of rows) stmt.run(r);
      })();
    },
    async close() {
      db.close();
    },
  };
}

const PG_CHUNK = 10_000;

/** Opens one PostgreSQL connection. */
export async function rawPostgres(url: string): Promise<RawSql> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    kind: "postgres",
    async exec(text) {
      await client.query(text);
    },
    async insertMany(table, columns, rows) {
      const names = columns.map((c) => c.name).join(", ");
      const arrays = columns.map((c, i) => `$${i + 1}::${c.pg}[]`).join(", ");
      const text = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`;
      await client.query("BEGIN");
      try {
        for (let at = 0; at < rows.length; at += PG_CHUNK) {
          const chunk = rows.slice(at, at + PG_CHUNK);
          await client.query(
            text,
            columns.map((_, i) => chunk.map((r) => r[i])),
          );
        }
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
    },
    async close() {
      await client.end();
    },
  };
}
