import { dirname } from "node:path";
import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { SchemeRegistry, uriPath } from "../core/schemes.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import type { OnlineStore } from "./online-store.js";
import { FeatureStore } from "./service.js";

export type { FeatureRef } from "./catalog.js";
export {
  checkName,
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  defineOnDemandFeatureView,
  defineSource,
  isDefinition,
  parseTtl,
} from "./dsl.js";

import { dataFor } from "../data/index.js";

export { TRAINING_SET_PREFIX } from "./historical.js";
export { loadFeatureDefinitions } from "./load.js";
export { type FeatureRow, onlineFeatureLookup } from "./lookup.js";
export { DEFAULT_CHUNK_ROWS, type MaterializeOptions } from "./materialize.js";
export type { LatestRow, OfflineStore, OfflineView } from "./offline-store.js";
export { onlineKey } from "./online.js";
export type { MaterializeState, OnlineStore, OnlineValue } from "./online-store.js";
export type { DefinitionStore } from "./registry.js";
export { FeatureStore, type FeatureStoreParts } from "./service.js";
export type * from "./types.js";

/** Online store backends by URI scheme: `sqlite://path` (Redis follows with the scale-out work). */
export const onlineStores = new SchemeRegistry<OnlineStore>("online store").register(
  "sqlite",
  async (_u, raw) => {
    const { SqliteOnlineStore } = await import("./online/sqlite/sqlite-online-store.js");
    return new SqliteOnlineStore(uriPath(raw, process.cwd()));
  },
);

/** The online store URI to use: the configured one, else `online.db` beside a SQLite metadata store. */
export function defaultOnlineStore(config: { store: string; onlineStore?: string | undefined }): string {
  if (config.onlineStore) return config.onlineStore;
  if (config.store.startsWith("sqlite://"))
    return `sqlite://${dirname(uriPath(config.store, process.cwd()))}/online.db`;
  return "sqlite://./.gyre/online.db";
}

export interface FeatureStoreOptions {
  /** Online store URI (default: `defaultOnlineStore(config)`). */
  onlineStore?: string | undefined;
  /** Where relative source paths point (default: the current directory). */
  projectDir?: string;
  /** DuckDB threads for offline queries (default: all cores). */
  threads?: number;
  /**
   * How training sets join each view (default `auto`: an interval index when the view has no more rows than
   * there are entity rows, else DuckDB's ASOF join); force one to compare plans. Results are identical.
   */
  pitJoin?: "auto" | "asof" | "interval";
  now?: () => number;
}

/**
 * The feature store beside an open tracking service: its registry lives in the same database (own
 * tables and migrations). Closing the feature store leaves `tracking` open.
 * Throws CONFIG_INVALID when the metadata store is not SQL-backed.
 */
export async function featuresFor(
  tracking: TrackingService,
  config: { store: string; onlineStore?: string | undefined },
  options: FeatureStoreOptions & { onClose?: () => Promise<void> } = {},
): Promise<FeatureStore> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect)
    throw new GyreError(
      "CONFIG_INVALID",
      `The feature store needs a SQL metadata store (sqlite://, postgres://); got '${tracking.store.kind}'`,
      {
        field: "store",
      },
    );
  const [{ SqlDefinitionStore }, { DuckDbOfflineStore }] = await Promise.all([
    import("./sql/sql-definition-store.js"),
    import("./offline/duckdb/duckdb-offline-store.js"),
  ]);
  const definitions = await SqlDefinitionStore.open(dialect);
  const online = await onlineStores.open(options.onlineStore ?? defaultOnlineStore(config));
  const offline = await DuckDbOfflineStore.open({
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.pitJoin ? { pitJoin: options.pitJoin } : {}),
  });
  return new FeatureStore({
    definitions,
    offline,
    online,
    artifacts: tracking.artifacts,
    tracking,
    datasets: await dataFor(tracking),
    projectDir: options.projectDir ?? process.cwd(),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
}

/**
 * Opens the feature store named by a configuration (metadata store, artifact store, online store), with its
 * own tracking service that it closes with itself. Serving calls this for in-process request enrichment.
 */
export async function openFeatureStore(
  config: Pick<GyreConfig, "store" | "artifacts"> & { onlineStore?: string | undefined },
  options: FeatureStoreOptions = {},
): Promise<FeatureStore> {
  if (/^https?:\/\//.test(config.store))
    throw new GyreError(
      "CONFIG_INVALID",
      "The feature store opens a database store (sqlite://, postgres://), not a server URL",
      {
        field: "store",
      },
    );
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  try {
    return await featuresFor(tracking, config, { ...options, onClose: () => tracking.close() });
  } catch (e) {
    await tracking.close();
    throw e;
  }
}
