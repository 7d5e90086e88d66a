import type { FilterExpr, OrderKey } from "./search/ast.js";

/** Whether an experiment or run is live or soft-deleted (restorable). */
export type LifecycleStage = "active" | "deleted";

/** MLflow's RunStatus values. */
export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** MLflow's ViewType: which lifecycle stages a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface Tag {
  key: string;
  value: string;
}

export type Param = Tag;

/** One metric point. `value` may be NaN or ±Infinity; `timestamp` is ms since the Unix epoch (UTC). */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  /** ms since epoch */
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
  parentRunId: string | null;
}

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string | null;
  profile?: string | null;
}

export interface DatasetInput {
  tags: Tag[];
  dataset: Dataset;
}

/** A run with its latest metric values (not the history), params, tags and dataset inputs. */
export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: Param[]; tags: Tag[] };
  inputs: { datasetInputs: DatasetInput[] };
}

/** A file recorded in a run's artifact listing (sha256 of its bytes, size in bytes). */
export interface ArtifactRecord {
  path: string;
  size: number;
  sha256: string;
  updatedTime: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page, or null on the last page. */
  nextPageToken: string | null;
}

export interface NewExperiment {
  name: string;
  artifactLocation?: string | undefined;
  tags?: Tag[] | undefined;
}

export interface NewRun {
  experimentId: string;
  runName?: string | undefined;
  userId?: string | undefined;
  startTime?: number | undefined;
  tags?: Tag[] | undefined;
  parentRunId?: string | undefined;
}

export interface RunUpdate {
  status?: RunStatus | undefined;
  endTime?: number | undefined;
  runName?: string | undefined;
}

/** A batch write: all of it is stored, or none of it. */
export interface LogBatch {
  metrics?: Metric[] | undefined;
  params?: Param[] | undefined;
  tags?: Tag[] | undefined;
}

/** A run search as callers (and the native API's body) give it. */
export interface SearchRunsRequest {
  experimentIds: string[];
  /** MLflow filter grammar plus OR and parentheses. */
  filter?: string | undefined;
  viewType?: ViewType | undefined;
  /** Default 1000, at most 50,000. */
  maxResults?: number | undefined;
  /** e.g. ["metrics.rmse ASC", "params.lr"] */
  orderBy?: string[] | undefined;
  pageToken?: string | undefined;
}

export interface SearchExperimentsRequest {
  filter?: string | undefined;
  viewType?: ViewType | undefined;
  maxResults?: number | undefined;
  orderBy?: string[] | undefined;
  pageToken?: string | undefined;
}

export interface HistoryRequest {
  /** Default: the whole history. */
  maxResults?: number | undefined;
  pageToken?: string | undefined;
}

/** A search as the store executes it: filter already parsed and validated, paging by offset. */
export interface StoreRunQuery {
  experimentIds: string[];
  filter: FilterExpr | null;
  viewType: ViewType;
  orderBy: OrderKey[];
  offset: number;
  limit: number;
}

export interface StoreExperimentQuery {
  filter: FilterExpr | null;
  viewType: ViewType;
  orderBy: OrderKey[];
  offset: number;
  limit: number;
}

export interface StoreHistoryQuery {
  runId: string;
  key: string;
  offset: number;
  limit: number;
}
