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
  type SqliteDatabase,
  SqliteDriver,
  sql,
} from "kysely";
import type { Metric, StoreHistoryQuery } from "../types.js";
import type { SqlDialect } from "./dialect.js";
import { historyFromJson, latestPerKey } from "./dialect.js";
import type { Database, MetricsTable } from "./schema.js";

/** Write transactions take the write lock up front, so concurrent writers wait (busy_timeout) instead of deadlocking. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

const BUSY_RETRY_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn`, retrying while SQLite answers SQLITE_BUSY without having waited: WAL mode skips the busy
 * handler in a few cases (recovery, a snapshot a checkpoint moved past), which many processes sharing one
 * file can hit. Only statements outside a transaction and BEGIN are retried, so no write is applied twice.
 */
function retryBusy<T>(db: BetterSqlite3.Database, fn: () => T): T {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const busy = typeof code === "string" && code.startsWith("SQLITE_BUSY");
      if (!busy || db.inTransaction || Date.now() > deadline) throw e;
      Atomics.wait(sleeper, 0, 0, wait);
    }
  }
}

/** A statement whose runs outside a transaction are retried on SQLITE_BUSY (see `retryBusy`). */
function busyRetrying(db: BetterSqlite3.Database, stmt: BetterSqlite3.Statement): BetterSqlite3.Statement {
  return new Proxy(stmt, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== "all" && prop !== "run" && prop !== "get")
        return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) =>
        retryBusy(db, () => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
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

/**
 * better-sqlite3 as Kysely sees it, except that statements are reused by SQL text: Kysely prepares every
 * query anew, which costs more than running a small one. A statement still being iterated is not reused.
 */
function reusingStatements(db: BetterSqlite3.Database, size = 256): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(text) {
      const hit = cache.get(text);
      cache.delete(text);
      const stmt = hit && !hit.busy ? hit : busyRetrying(db, db.prepare(text));
      cache.set(text, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close() {
      db.close();
    },
  };
}

class ImmediateSqliteDialect extends KyselySqliteDialect {
  private readonly database: SqliteDatabase;
  constructor(raw: BetterSqlite3.Database) {
    const database = reusingStatements(raw);
    super({ database });
    this.database = database;
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

const HISTORY_JSON = `SELECT json_group_array(CASE WHEN is_nan = 1 THEN NULL ELSE value END),
    json_group_array(timestamp), json_group_array(step)
  FROM (SELECT value, is_nan, timestamp, step FROM metrics WHERE run_uuid = ? AND key = ?
    ORDER BY step, timestamp LIMIT ? OFFSET ?)`;

/** SQLite through better-sqlite3: WAL, a busy timeout, one connection that all queries share. */
export class SqliteDialect implements SqlDialect {
  readonly name = "sqlite" as const;
  readonly db: Kysely<Database>;
  readonly #raw: BetterSqlite3.Database;
  readonly #stmts = new Map<string, BetterSqlite3.Statement>();

  constructor(path: string, options: { busyTimeoutMs?: number } = {}) {
    const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#raw = new BetterSqlite3(path, { timeout: busyTimeoutMs });
    // Switching a fresh file to WAL needs an exclusive lock that SQLite does not always wait for (several
    // processes opening a new store at once get SQLITE_BUSY at once), so that step is retried.
    retryBusy(this.#raw, () => this.#raw.pragma("journal_mode = WAL"));
    // NORMAL in WAL mode survives a process crash (kill -9); only an OS crash can lose the last commits.
    this.#raw.pragma("synchronous = NORMAL");
    this.#raw.pragma("foreign_keys = ON");
    this.#raw.pragma("case_sensitive_like = ON");
    // Searches read many index pages: map the file instead of copying pages through read(2), keep more cached.
    this.#raw.pragma(`mmap_size = ${256 * 1024 * 1024}`);
    this.#raw.pragma(`cache_size = ${-32 * 1024}`);
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

  async writeMetrics(_trx: unknown, rows: MetricsTable[]): Promise<void> {
    const insert = this.#stmt(INSERT_METRIC);
    for (const r of rows) insert.run(r.run_uuid, r.key, r.value, r.is_nan, r.timestamp, r.step);
    const upsert = this.#stmt(LATEST_UPSERT);
    for (const r of latestPerKey(rows)) upsert.run(r.run_uuid, r.key, r.value, r.is_nan, r.timestamp, r.step);
  }

  writeRunMetrics(runId: string, rows: MetricsTable[]): Promise<string | null> {
    return this.db.transaction().execute(async (trx) => {
      const run = await trx
        .selectFrom("runs")
        .select("lifecycle_stage")
        .where("run_uuid", "=", runId)
        .executeTakeFirst();
      if (run?.lifecycle_stage === "active") await this.writeMetrics(trx, rows);
      return run?.lifecycle_stage ?? null;
    });
  }

  /**
   * The history comes back as three JSON arrays in one row (SQLite's JSON renders doubles exactly, and
   * ±Infinity as ±9e999, which JSON.parse reads back as ±Infinity): far cheaper than a row per point.
   */
  async metricHistory(q: StoreHistoryQuery): Promise<Metric[]> {
    const row = this.#stmt(HISTORY_JSON).raw(true).get(q.runId, q.key, q.limit, q.offset) as string[];
    return historyFromJson(q.key, row);
  }

  ilike(column: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
    return sql<boolean>`lower(${column}) LIKE lower(${pattern})`;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
