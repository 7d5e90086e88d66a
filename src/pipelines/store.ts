import type {
  JsonValue,
  OutputValue,
  PipelinePlan,
  PipelineRunStatus,
  StepError,
  StepStatus,
} from "./types.js";

/** Per-run choices that are fixed when the run starts (and kept for resume). */
export interface RunOptions {
  /** Skip cache lookups for every step (results are still cached). */
  noCache: boolean;
  /** Step ids or step names whose cache lookups are skipped. */
  noCacheSteps: string[];
  /** Pipeline inputs, stored as artifacts of the pipeline run. */
  inputs: Record<string, OutputValue>;
}

/** A pipeline run as persisted. `runId` is also the id of its parent tracking run. */
export interface PipelineRunRecord {
  runId: string;
  pipeline: string;
  experimentId: string;
  plan: PipelinePlan;
  params: Record<string, JsonValue>;
  options: RunOptions;
  status: PipelineRunStatus;
  error: string | null;
  /** "host:pid:nonce" of the orchestrator driving it, and its last heartbeat (ms since epoch). */
  owner: string | null;
  heartbeat: number | null;
  cancelRequested: boolean;
  createdTime: number;
  updatedTime: number;
  endedTime: number | null;
  /** The schedule that started the run, or null. */
  schedule: string | null;
}

/** One step (or fan-out instance `id[i]`, or the fan-out node itself) of a run, as persisted. */
export interface StepRecord {
  runId: string;
  stepId: string;
  planStep: string;
  /** Fan-out element index; null for plain steps and fan-out nodes. */
  item: number | null;
  status: StepStatus;
  attempt: number;
  trackingRunId: string | null;
  cacheKey: string | null;
  /** The tracking run whose outputs a CACHED step reused. */
  cachedFrom: string | null;
  outputs: Record<string, OutputValue> | null;
  error: StepError | null;
  startedTime: number | null;
  endedTime: number | null;
}

/** A reusable step result, found by its cache key. */
export interface CacheEntry {
  key: string;
  step: string;
  outputs: Record<string, OutputValue>;
  trackingRunId: string;
  pipelineRunId: string;
  createdTime: number;
}

/** Fields of a run that change after it is created. */
export type RunPatch = Partial<
  Pick<PipelineRunRecord, "status" | "error" | "owner" | "heartbeat" | "cancelRequested" | "endedTime">
>;

/**
 * Persistence of pipeline state, in the metadata database but in tables of its own. Every write is durable
 * when it resolves, so the orchestrator can act on it (and resume from it after a crash).
 */
export interface PipelineStore {
  /** Inserts the run and its initial step records atomically. */
  createRun(run: PipelineRunRecord, steps: StepRecord[]): Promise<void>;
  getRun(runId: string): Promise<PipelineRunRecord | null>;
  /** Newest first. */
  listRuns(query: {
    pipeline?: string;
    status?: PipelineRunStatus;
    limit: number;
  }): Promise<PipelineRunRecord[]>;
  updateRun(runId: string, patch: RunPatch): Promise<void>;
  /** Sets `owner` only if the current owner is still `expected` (compare-and-set); true when it did. */
  claimRun(runId: string, expected: string | null, owner: string, now: number): Promise<boolean>;
  /** Ordered by step id. */
  listSteps(runId: string): Promise<StepRecord[]>;
  /** Inserts or replaces step records, and optionally a cache entry, in one transaction. */
  saveSteps(steps: StepRecord[], cache?: CacheEntry): Promise<void>;
  getCache(key: string): Promise<CacheEntry | null>;
  deleteCache(key: string): Promise<void>;
}

/** A pipeline store that can join a transaction of the metadata store's database (see `metadataTransactionOf`). */
export interface TransactionalPipelineStore extends PipelineStore {
  /** A view whose writes join `trx`. */
  within(trx: unknown): PipelineStore;
}

/** Whether `store` can join a metadata-store transaction. */
export function isTransactionalPipelineStore(store: PipelineStore): store is TransactionalPipelineStore {
  return typeof (store as Partial<TransactionalPipelineStore>).within === "function";
}
