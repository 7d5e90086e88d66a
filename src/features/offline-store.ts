import type { FeatureType, FeatureValue, KeyType, SourceDef } from "./types.js";

/** A feature view as the offline store needs it: resolved keys, typed features and where rows come from. */
export interface OfflineView {
  name: string;
  keys: Array<{ name: string; type: KeyType }>;
  source: string;
  sql?: string | undefined;
  timestampField: string;
  createdTimestampField?: string | undefined;
  ttlSeconds: number;
  features: Array<{ name: string; type: FeatureType }>;
}

/** Where the entity rows of a training set come from, after the service checked them. */
export type OfflineEntities =
  | {
      rows: Array<Record<string, unknown>>;
      columns: Array<{ name: string; type: "string" | "int" | "float" | "bool" | "timestamp" }>;
    }
  | { parquet: string }
  | { sql: string };

/** One entity's latest values, as written to the online store. Times in ms since the epoch (UTC). */
export interface LatestRow {
  key: string;
  eventTime: number;
  createdTime: number | null;
  values: Record<string, FeatureValue>;
}

/** A point-in-time join held in memory: its size, schema, entity time range (ms, UTC) and rows. */
export interface HeldJoin {
  readonly rowCount: number;
  readonly schema: Array<{ name: string; type: string }>;
  readonly start: number | null;
  readonly end: number | null;
  /** How each view was joined, in view order. */
  readonly joins: string[];
  /**
   * Rows in entity order, `chunkRows` at a time: timestamps as ms since the epoch (UTC), integers and
   * decimals as numbers, other non-JSON types as text. Throws FEATURES_QUERY_FAILED after `close`.
   */
  rows(chunkRows: number): AsyncIterable<Array<Record<string, FeatureValue>>>;
  /** Drops the rows (the engine frees their memory once they are unreferenced); idempotent. */
  close(): Promise<void>;
}

/** Column statistics of one feature over a view's offline rows. */
export interface FeatureColumnStats {
  name: string;
  nullRate: number;
  min?: number | null;
  max?: number | null;
  mean?: number | null;
  top?: Array<{ value: string; count: number }>;
}

/**
 * The offline store: historical feature rows queried where they lie (files, SQL), never loaded into JS.
 * Sources are registered once per definition set; views refer to them by name.
 */
export interface OfflineStore {
  readonly kind: string;
  /** Makes `sources` queryable by name (relative paths against `baseDir`); replaces earlier ones. */
  setSources(sources: SourceDef[], baseDir: string): Promise<void>;
  /** Column names and engine types of a view's rows; throws FEATURES_DEFINITION_INVALID if its SQL fails. */
  columns(view: OfflineView): Promise<Array<{ name: string; type: string }>>;
  /** Columns of an entity source, as `columns` does for a view. */
  entityColumns(entities: OfflineEntities): Promise<Array<{ name: string; type: string }>>;
  /**
   * Point-in-time join written as Parquet to `outFile`; returns its row count, schema, the entity
   * time range (ms, UTC) and how each view was joined (engine-specific plan names, in view order).
   * Column names per view are given in `columns`.
   */
  historical(req: {
    entities: OfflineEntities;
    timestampColumn: string;
    views: OfflineView[];
    columns: Array<Record<string, string>>;
    outFile: string;
  }): Promise<{
    rowCount: number;
    schema: Array<{ name: string; type: string }>;
    start: number | null;
    end: number | null;
    joins: string[];
  }>;
  /**
   * The same join as `historical`, held in the store's memory instead of written: rows are read back in
   * entity order until `close`. Closing the store closes every held join.
   */
  holdHistorical(req: {
    entities: OfflineEntities;
    timestampColumn: string;
    views: OfflineView[];
    columns: Array<Record<string, string>>;
  }): Promise<HeldJoin>;
  /** Latest row per entity with event time in [start, end) ms, ordered by key, after key `after`, in chunks. */
  latest(
    view: OfflineView,
    start: number,
    end: number,
    after: string | null,
    chunkRows: number,
  ): AsyncIterable<LatestRow[]>;
  /** Row count, latest event time and per-feature statistics of a view's rows. */
  stats(
    view: OfflineView,
  ): Promise<{ rowCount: number; latestEventTime: number | null; features: FeatureColumnStats[] }>;
  close(): Promise<void>;
}
