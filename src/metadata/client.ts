import type { Readable } from "node:stream";
import type { ArtifactBody, ArtifactEntry } from "../artifacts/index.js";
import type {
  ArtifactRecord,
  DatasetInput,
  Experiment,
  HistoryRequest,
  LogBatch,
  Metric,
  NewRun,
  Page,
  Run,
  RunInfo,
  RunUpdate,
  SearchExperimentsRequest,
  SearchRunsRequest,
  Tag,
} from "./types.js";

export type { HistoryRequest, SearchExperimentsRequest, SearchRunsRequest } from "./types.js";

/**
 * Everything a user does with tracking, whether in-process (`TrackingService`) or against a gyre
 * server (`HttpTrackingClient`): same methods, same errors (GyreError codes).
 */
export interface TrackingClient {
  createExperiment(name: string, options?: { artifactLocation?: string; tags?: Tag[] }): Promise<Experiment>;
  /** Throws TRACKING_EXPERIMENT_NOT_FOUND. */
  getExperiment(id: string): Promise<Experiment>;
  /** The active experiment of that name (else the newest deleted one), or null. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(req?: SearchExperimentsRequest): Promise<Page<Experiment>>;
  renameExperiment(id: string, name: string): Promise<Experiment>;
  /** Soft-deletes the experiment and its runs; its name becomes free for a new experiment. */
  deleteExperiment(id: string): Promise<void>;
  restoreExperiment(id: string): Promise<void>;
  setExperimentTag(id: string, key: string, value: string): Promise<void>;

  createRun(run: NewRun): Promise<Run>;
  /** Throws TRACKING_RUN_NOT_FOUND. */
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, change: RunUpdate): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  searchRuns(req: SearchRunsRequest): Promise<Page<Run>>;

  /** Atomic: all metrics, params and tags are stored, or none (MLflow's limits apply). */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  logMetric(
    runId: string,
    key: string,
    value: number,
    options?: { timestamp?: number; step?: number },
  ): Promise<void>;
  /** Re-logging the same value is a no-op; a different value is refused (TRACKING_PARAM_CHANGED). */
  logParam(runId: string, key: string, value: string): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(runId: string, inputs: DatasetInput[]): Promise<void>;
  /** Points ordered by step, then timestamp. */
  getMetricHistory(runId: string, key: string, req?: HistoryRequest): Promise<Page<Metric>>;

  /** Stores a file under the run's artifact root and records its size and sha256. */
  uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<ArtifactRecord>;
  downloadArtifact(runId: string, path: string): Promise<Readable>;
  /** Direct children of `path` within the run's artifacts; paths are relative to the run's artifact root. */
  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]>;

  /** The recorded listing (size, sha256) of every artifact file under `prefix`, recursively. */
  artifactRecords(runId: string, prefix?: string): Promise<ArtifactRecord[]>;

  close(): Promise<void>;
}

/**
 * The one-entry log operations, derived once from `logBatch` (as MLflow derives log_metric from
 * log_batch); every TrackingClient extends it and implements `logBatch`.
 */
export abstract class BatchLogging {
  abstract logBatch(runId: string, batch: LogBatch): Promise<void>;

  logMetric(
    runId: string,
    key: string,
    value: number,
    options: { timestamp?: number; step?: number } = {},
  ): Promise<void> {
    return this.logBatch(runId, {
      metrics: [{ key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 }],
    });
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { params: [{ key, value }] });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }
}
