import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  SqliteDialect as KyselySqliteDialect,
  type RawBuilder,
  SqliteAdapter,
  SqliteDriver,
  sql,
} from "kysely";
import type { SqlDialect } from "./dialect.js";
import { latestPerKey } from "./dialect.js";
import type { Database, MetricsTable } from "./schema.js";

/** Write transactions take the write lock up front, so concurrent writers wait (busy_timeout) instead of deadlocking. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/**
 * SQLite runs DDL inside transactions. Saying so makes Kysely's Migrator migrate in one BEGIN IMMEDIATE
 * transaction, so processes opening a fresh file at once take turns instead of creating the same tables twice.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends KyselySqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const INSERT_METRIC =
  "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)";

const LATEST_UPSERT = `INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,
    timestamp = excluded.timestamp, step = excluded.step
  WHERE excluded.step > latest_metrics.step
     OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
     OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp
         AND excluded.value > latest_metrics.value)`;

/** SQLite through better-sqlite3: WAL, a busy timeout, one connection that all queries share. */
export class SqliteDialect implements SqlDialect {
  readonly name = "sqlite" as const;
  readonly db: Kysely<Database>;
  readonly #raw: BetterSqlite3.Database;
  readonly #stmts = new Map<string, BetterSqlite3.Statement>();

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#raw = new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? 30_000 });
    this.#raw.pragma("journal_mode = WAL");
    // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash can lose the last commits.
    this.#raw.pragma("synchronous = NORMAL");
    this.#raw.pragma("foreign_keys = ON");
    this.#raw.pragma("case_sensitive_like = ON");
    this.db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(this.#raw) });
  }

  /** Statements on tables that migrations create later are prepared on first use, then reused. */
  #stmt(text: string): BetterSqlite3.Statement {
    let stmt = this.#stmts.get(text);
    if (!stmt) {
      stmt = this.#raw.prepare(text);
      this.#stmts.set(text, stmt);
    }
    return stmt;
  }

  async insertMetrics(_trx: unknown, rows: MetricsTable[]): Promise<void> {
    const insert = this.#stmt(INSERT_METRIC);
    for (const r of rows) insert.run(r.run_uuid, r.key, r.value, r.is_nan, r.timestamp, r.step);
  }

  async upsertLatestMetrics(_trx: unknown, rows: MetricsTable[]): Promise<void> {
    const upsert = this.#stmt(LATEST_UPSERT);
    for (const r of latestPerKey(rows)) upsert.run(r.run_uuid, r.key, r.value, r.is_nan, r.timestamp, r.step);
  }

  ilike(column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`lower(${column}) LIKE lower(${pattern})`;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
