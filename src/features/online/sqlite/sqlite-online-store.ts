import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { LatestRow } from "../../offline-store.js";
import type { MaterializeState, OnlineStore, OnlineValue } from "../../online-store.js";
import type { FeatureValue } from "../../types.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS online_values (
  view TEXT NOT NULL, key TEXT NOT NULL, event_time REAL NOT NULL, created_time REAL, value TEXT NOT NULL,
  PRIMARY KEY (view, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS online_state (
  view TEXT PRIMARY KEY, watermark REAL, pending_start REAL, pending_end REAL, last_key TEXT);`;

// Replaces a stored row only with a newer one (event time, then created time): rewriting a chunk is a no-op.
const UPSERT = `INSERT INTO online_values (view, key, event_time, created_time, value) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (view, key) DO UPDATE SET event_time = excluded.event_time, created_time = excluded.created_time,
    value = excluded.value
  WHERE excluded.event_time > online_values.event_time OR (excluded.event_time = online_values.event_time
    AND coalesce(excluded.created_time, -1e300) >= coalesce(online_values.created_time, -1e300))`;

interface StateRow {
  watermark: number | null;
  pending_start: number | null;
  pending_end: number | null;
  last_key: string | null;
}

/**
 * The online store in a SQLite file (WAL): one row per (view, entity key) with the values as JSON. Reads are
 * single prepared-statement lookups; each chunk and its progress marker commit together.
 */
export class SqliteOnlineStore implements OnlineStore {
  readonly kind = "sqlite";
  readonly #db: BetterSqlite3.Database;
  readonly #get: BetterSqlite3.Statement<[string, string], { event_time: number; value: string }>;
  readonly #upsert: BetterSqlite3.Statement;
  readonly #chunk: BetterSqlite3.Transaction<
    (view: string, rows: LatestRow[], p: MaterializeState["pending"], finish: boolean) => void
  >;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new BetterSqlite3(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("busy_timeout = 10000");
    this.#db.exec(SCHEMA);
    this.#get = this.#db.prepare("SELECT event_time, value FROM online_values WHERE view = ? AND key = ?");
    this.#upsert = this.#db.prepare(UPSERT);
    const setPending = this.#db.prepare(
      `INSERT INTO online_state (view, pending_start, pending_end, last_key) VALUES (?, ?, ?, ?)
       ON CONFLICT (view) DO UPDATE SET pending_start = excluded.pending_start,
         pending_end = excluded.pending_end, last_key = excluded.last_key`,
    );
    const finishRun = this.#db.prepare(
      `INSERT INTO online_state (view, watermark) VALUES (?, ?) ON CONFLICT (view) DO UPDATE SET
         watermark = max(coalesce(online_state.watermark, excluded.watermark), excluded.watermark),
         pending_start = NULL, pending_end = NULL, last_key = NULL`,
    );
    this.#chunk = this.#db.transaction((view, rows, p, finish) => {
      for (const r of rows)
        this.#upsert.run(view, r.key, r.eventTime, r.createdTime, JSON.stringify(r.values));
      if (finish) finishRun.run(view, p!.end);
      else setPending.run(view, p!.start, p!.end, p!.lastKey);
    });
  }

  async writeChunk(
    view: string,
    rows: LatestRow[],
    pending: { start: number; end: number; lastKey: string | null },
    finish = false,
  ): Promise<void> {
    this.#chunk.immediate(view, rows, pending, finish);
  }

  async read(view: string, keys: string[]): Promise<Map<string, OnlineValue>> {
    const out = new Map<string, OnlineValue>();
    for (const key of keys) {
      const row = this.#get.get(view, key);
      if (row)
        out.set(key, {
          eventTime: row.event_time,
          values: JSON.parse(row.value) as Record<string, FeatureValue>,
        });
    }
    return out;
  }

  async state(view: string): Promise<MaterializeState> {
    const row = this.#db
      .prepare("SELECT watermark, pending_start, pending_end, last_key FROM online_state WHERE view = ?")
      .get(view) as StateRow | undefined;
    const pending =
      row && row.pending_start !== null && row.pending_end !== null
        ? { start: row.pending_start, end: row.pending_end, lastKey: row.last_key }
        : null;
    return { view, watermark: row?.watermark ?? null, pending };
  }

  async count(view: string): Promise<number> {
    const row = this.#db.prepare("SELECT count(*) AS n FROM online_values WHERE view = ?").get(view) as {
      n: number;
    };
    return row.n;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
