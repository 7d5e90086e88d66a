/** Value types a feature can have; `int` values are read back as JS numbers (exact up to 2^53). */
export type FeatureType = "float" | "int" | "string" | "bool";
/** Types a join key can have. Entity rows must give keys of this type (a numeric string is not an int). */
export type KeyType = "string" | "int";

/** A business object features describe, e.g. an airport, identified by its join keys. */
export interface EntityDef {
  kind: "entity";
  name: string;
  /** Join-key column → type; usually one key. */
  joinKeys: Record<string, KeyType>;
  description?: string;
}

/**
 * Where raw rows come from: a Parquet or CSV file (glob allowed; relative paths against the project
 * directory), or a DuckDB SQL query over other sources, which are visible as tables under their names.
 */
export interface SourceDef {
  kind: "source";
  name: string;
  path?: string;
  /** Defaults from the file extension. */
  format?: "parquet" | "csv";
  query?: string;
  /** A versioned dataset (`gyre data register`): its latest version, or `datasetVersion` when given. */
  dataset?: string;
  datasetVersion?: number;
  description?: string;
}

/** A named, typed group of features of one entity, computed from one source at event timestamps. */
export interface FeatureViewDef {
  kind: "featureView";
  name: string;
  entity: string;
  source: string;
  /** Column with each row's event time (when the values became true). */
  timestampField: string;
  /** Column with when the row was written; breaks ties between rows with the same event time (latest wins). */
  createdTimestampField?: string;
  /** How long a value stays valid after its event time, in seconds (0 = forever). */
  ttlSeconds: number;
  features: Record<string, FeatureType>;
  /** Optional DuckDB SQL over the sources (by name); its result must have the keys, timestamps and features. */
  sql?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** A named list of feature references (`view:feature`, or `view` for all its features) that a model uses. */
export interface FeatureServiceDef {
  kind: "featureService";
  name: string;
  features: string[];
  description?: string;
}

/** Features computed at request time from request data and other features, by a TypeScript function. */
export interface OnDemandFeatureViewDef {
  kind: "onDemandFeatureView";
  name: string;
  /** Feature references (`view:feature`) the function reads. */
  inputs: string[];
  /** Request fields (name → type) the caller must send with each entity row. */
  request: Record<string, FeatureType>;
  features: Record<string, FeatureType>;
  /** Pure function of one row: inputs by feature name (and `view:feature`), request fields by name. */
  compute(row: Record<string, FeatureValue>): Record<string, FeatureValue>;
  description?: string;
}

export type FeatureDefinition =
  | EntityDef
  | SourceDef
  | FeatureViewDef
  | FeatureServiceDef
  | OnDemandFeatureViewDef;
export type DefinitionKind = FeatureDefinition["kind"];

export type FeatureValue = number | string | boolean | null;
export type EntityKeyValue = string | number;

/** A definition as stored in the registry: its serialisable spec, version and content digest. */
export interface StoredDefinition {
  kind: DefinitionKind;
  name: string;
  version: number;
  /** sha256 of the canonical JSON spec (for on-demand views, including the function's source). */
  digest: string;
  spec: Record<string, unknown>;
  createdTime: number;
}

/** One line of a plan: what apply would do to one definition. */
export interface PlanChange {
  action: "create" | "update" | "delete" | "unchanged";
  kind: DefinitionKind;
  name: string;
  fromVersion: number | null;
  toVersion: number | null;
  /** Top-level spec fields that differ, for updates. */
  fields: string[];
}

/** The diff between code and the registry, at registry revision `revision`. */
export interface Plan {
  revision: number;
  changes: PlanChange[];
}

/**
 * Per-feature status of an online read, as Feast's FieldStatus: PRESENT, MISSING (no stored row for the
 * entity, or a null value), OUTSIDE_TTL (the stored row is older than the view's TTL; the value is null).
 */
export type FeatureStatus = "PRESENT" | "MISSING" | "OUTSIDE_TTL";

export interface OnlineRequest {
  entityRows: Array<Record<string, EntityKeyValue>>;
  /** Feature references `view:feature` (or `view` for all of a view's features). */
  features?: string[];
  featureService?: string;
}

/** Columns in request order: one entry per entity row in each result. */
export interface OnlineResponse {
  /** Join keys first, then features as `view:feature`. */
  featureNames: string[];
  results: Array<{
    values: FeatureValue[];
    statuses: FeatureStatus[];
    /** Event time of each value in ms since the epoch (UTC); null when missing or computed on demand. */
    eventTimestamps: Array<number | null>;
  }>;
}

/** Entity rows for a training set: an array, a Parquet file, or a DuckDB SQL query. */
export type EntitySource =
  | { rows: Array<Record<string, EntityKeyValue | Date>> }
  | { parquet: string }
  | { sql: string };

export interface HistoricalRequest {
  entities: EntitySource;
  /** Column of the entity rows with the point in time (default `event_timestamp`). */
  timestampColumn?: string;
  features?: string[];
  featureService?: string;
  /** Name the training set is saved under (default `training-set`). */
  name?: string;
  /** Tracking run to log the training set to as a dataset input (lineage). */
  runId?: string;
  /** Columns `view__feature` instead of `feature` (always used when two views share a feature name). */
  fullFeatureNames?: boolean;
}

/**
 * Point-in-time features held in the offline store's memory, like a data frame (Feast's `to_df()`):
 * the rows of a training set without the Parquet file, read in entity order. Close it to free the rows.
 */
export interface HistoricalFeatures {
  rowCount: number;
  schema: Array<{ name: string; type: string }>;
  /** Earliest and latest entity timestamp (ms since the epoch, UTC). */
  timeRange: { start: number | null; end: number | null };
  /**
   * Rows in entity order, `chunkRows` (default 10,000) at a time: timestamps as ms since the epoch (UTC),
   * integers as numbers. Throws FEATURES_QUERY_FAILED after `close`.
   */
  rows(chunkRows?: number): AsyncIterable<Array<Record<string, FeatureValue>>>;
  /** Drops the rows (their memory is freed once unreferenced); idempotent. Closing the feature store closes it. */
  close(): Promise<void>;
}

/** A saved training set: Parquet in the artifact store plus its manifest. */
export interface TrainingSet {
  id: string;
  name: string;
  /** Artifact paths of the data and of the manifest. */
  dataPath: string;
  manifestPath: string;
  rowCount: number;
  /** sha256 of the Parquet bytes. */
  digest: string;
  schema: Array<{ name: string; type: string }>;
  views: Array<{ name: string; version: number; features: string[] }>;
  /** Earliest and latest entity timestamp (ms since the epoch, UTC). */
  timeRange: { start: number | null; end: number | null };
  createdTime: number;
}

/** Counters of one materialization. */
export interface MaterializeResult {
  views: Array<{ name: string; start: number; end: number; rows: number; chunks: number }>;
}

/** Progress callback of materialization, once per written chunk. */
export type MaterializeProgress = (p: { view: string; rows: number; chunks: number }) => void;

/** Basic statistics of a view's offline data and online freshness. */
export interface ViewStats {
  view: string;
  rowCount: number;
  /** Latest event time in the offline data, ms (UTC). */
  latestEventTime: number | null;
  /** Materialization watermark: everything before it is online, ms (UTC). */
  watermark: number | null;
  onlineRows: number;
  features: Array<{
    name: string;
    type: FeatureType;
    nullRate: number;
    min?: number | null;
    max?: number | null;
    mean?: number | null;
    top?: Array<{ value: string; count: number }>;
  }>;
}
