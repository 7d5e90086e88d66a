import type { Transaction } from "kysely";
import { openArtifactStore } from "../artifacts/index.js";
import { SchemeRegistry, uriPath } from "../core/schemes.js";
import type { TrackingClient } from "./client.js";
import { TrackingService } from "./service.js";
import type { SqlDialect } from "./sql/dialect.js";
import type { Database } from "./sql/schema.js";
import type { MetadataStore } from "./store.js";

export type {
  HistoryRequest,
  SearchExperimentsRequest,
  SearchRunsRequest,
  TrackingClient,
} from "./client.js";
export type { Comparison, FilterExpr, OrderKey, SearchTarget } from "./search/index.js";
export { parseFilter, parseOrderBy } from "./search/index.js";
export { TrackingService } from "./service.js";
export type { SqlDialect, SqlDialectName } from "./sql/dialect.js";
export { isUniqueViolation } from "./sql/dialect.js";
export { compare as compileComparison } from "./sql/search-sql.js";
export type { MetadataStore } from "./store.js";
export type * from "./types.js";
export { RUN_STATUSES } from "./types.js";
export { decodePageToken, encodePageToken, LIMITS } from "./validate.js";

/** Metadata backends by URI scheme. `memory://` is SQLite in memory (for tests and throwaway work). */
export const metadataStores = new SchemeRegistry<MetadataStore>("metadata store")
  .register("sqlite", async (_u, raw) => {
    const [{ SqliteDialect }, { SqlMetadataStore }] = await Promise.all([
      import("./sql/sqlite-dialect.js"),
      import("./sql/sql-metadata-store.js"),
    ]);
    return SqlMetadataStore.open(new SqliteDialect(uriPath(raw, process.cwd())));
  })
  .register("memory", async () => {
    const [{ SqliteDialect }, { SqlMetadataStore }] = await Promise.all([
      import("./sql/sqlite-dialect.js"),
      import("./sql/sql-metadata-store.js"),
    ]);
    return SqlMetadataStore.open(new SqliteDialect(":memory:"));
  });

for (const scheme of ["postgres", "postgresql"]) {
  metadataStores.register(scheme, async (_u, raw) => {
    const [{ PostgresDialect }, { SqlMetadataStore }] = await Promise.all([
      import("./sql/postgres-dialect.js"),
      import("./sql/sql-metadata-store.js"),
    ]);
    return SqlMetadataStore.open(new PostgresDialect(raw));
  });
}

/** The SQL dialect under `store` when it is SQL-backed (a capability, checked by shape), else null. */
export function sqlDialectOf(store: MetadataStore): SqlDialect | null {
  const d = (store as { dialect?: Partial<SqlDialect> }).dialect;
  return d && typeof d === "object" && d.db !== undefined && typeof d.name === "string"
    ? (d as SqlDialect)
    : null;
}

/**
 * A SQL metadata store's ability to run writes in one database transaction: `fn` gets a view of the store
 * whose writes join it, and `trx` for other components' tables in the same database (see `sqlDialectOf`).
 */
export type MetadataTransaction = <T>(
  fn: (store: MetadataStore, trx: Transaction<Database>) => Promise<T>,
) => Promise<T>;

/** `store`'s transaction ability when it has one (SQL stores; checked by shape, like `sqlDialectOf`), else null. */
export function metadataTransactionOf(store: MetadataStore): MetadataTransaction | null {
  const tx = (store as { transaction?: unknown }).transaction;
  return typeof tx === "function" && sqlDialectOf(store) ? (tx.bind(store) as MetadataTransaction) : null;
}

/** Opens the metadata store named by `uri` (see `metadataStores.schemes()`). */
export function openMetadataStore(uri: string): Promise<MetadataStore> {
  return metadataStores.open(uri);
}

/**
 * A tracking client for a store URI: in-process over SQLite/PostgreSQL plus the artifact store, or a
 * thin HTTP client when `store` is the `http(s)://` address of a gyre server (artifacts then go through it too).
 */
export async function openTracking(options: { store: string; artifacts: string }): Promise<TrackingClient> {
  if (/^https?:\/\//.test(options.store)) {
    const { HttpTrackingClient } = await import("./http/http-tracking-client.js");
    return new HttpTrackingClient(options.store);
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(options.store),
    openArtifactStore(options.artifacts),
  ]);
  return new TrackingService(store, artifacts);
}
export type { WireMetric } from "./wire.js";
export { metricFromWire, metricToWire, runFromWire, runToWire } from "./wire.js";
