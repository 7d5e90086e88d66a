import type {
  ArtifactRecord,
  DatasetInput,
  Experiment,
  LifecycleStage,
  LogBatch,
  Metric,
  NewExperiment,
  NewRun,
  Run,
  RunInfo,
  RunUpdate,
  StoreExperimentQuery,
  StoreHistoryQuery,
  StoreRunQuery,
  Tag,
} from "./types.js";

/**
 * The metadata store's required core. Backends trust their input: the TrackingService validates
 * ids, keys, values and limits first, and derives single-value writes from `logBatch`.
 * Every method that writes several rows does it in one transaction.
 * Lookups of missing entities return null; writes against missing entities throw GyreError *_NOT_FOUND.
 */
export interface MetadataStore {
  /** Backend name for diagnostics: "sqlite", "postgres", "http". */
  readonly kind: string;

  createExperiment(exp: NewExperiment): Promise<Experiment>;
  getExperiment(id: string): Promise<Experiment | null>;
  /** Only an active experiment is found by name (names of deleted experiments may be reused). */
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(q: StoreExperimentQuery): Promise<Experiment[]>;
  /** Renames, moves between lifecycle stages and/or sets tags in one transaction. */
  updateExperiment(
    id: string,
    change: { name?: string; lifecycleStage?: LifecycleStage; tags?: Tag[] },
  ): Promise<Experiment>;

  /**
   * Creates the run in one transaction, checking its experiment is active and its parent exists; the artifact
   * URI is `<experiment artifact location>/<runId>/artifacts`. Throws TRACKING_EXPERIMENT_NOT_FOUND,
   * TRACKING_EXPERIMENT_DELETED, TRACKING_RUN_NOT_FOUND (the parent).
   */
  createRun(run: NewRun & { runId: string; runName: string; experimentId: string }): Promise<Run>;
  getRun(runId: string): Promise<Run | null>;
  /** The run's info alone (no params, metrics or tags): what existence and state checks need. */
  getRunInfo(runId: string): Promise<RunInfo | null>;
  /** Updates status/end time/name and lifecycle stage. */
  updateRun(runId: string, change: RunUpdate & { lifecycleStage?: LifecycleStage }): Promise<RunInfo>;
  /** Returns runs (fully loaded) in the requested order, at most `limit`, starting at `offset`. */
  searchRuns(q: StoreRunQuery): Promise<Run[]>;

  /** Inserts metrics (history + latest), params (refusing changed values) and tags (upsert) atomically. */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  getMetricHistory(q: StoreHistoryQuery): Promise<Metric[]>;

  recordArtifact(runId: string, record: ArtifactRecord): Promise<void>;
  listArtifactRecords(runId: string, prefix: string): Promise<ArtifactRecord[]>;

  close(): Promise<void>;
}
