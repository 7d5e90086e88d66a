import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { ArtifactBody, ArtifactEntry, ArtifactStore } from "../artifacts/index.js";
import { joinArtifactPath, safeArtifactPath } from "../artifacts/index.js";
import { GyreError, isGyreError } from "../core/errors.js";
import {
  BatchLogging,
  type HistoryRequest,
  type SearchExperimentsRequest,
  type SearchRunsRequest,
  type TrackingClient,
} from "./client.js";
import { parseFilter, parseOrderBy } from "./search/index.js";
import type { MetadataStore } from "./store.js";
import type {
  ArtifactRecord,
  DatasetInput,
  Experiment,
  LogBatch,
  Metric,
  NewRun,
  Page,
  Run,
  RunInfo,
  RunUpdate,
  Tag,
} from "./types.js";
import { RUN_STATUSES } from "./types.js";
import {
  checkBatch,
  checkExperimentName,
  checkKey,
  checkMaxResults,
  checkTag,
  decodePageToken,
  encodePageToken,
  LIMITS,
} from "./validate.js";

const PROXY_SCHEME = "mlflow-artifacts:/";

/** Fetches one row more than asked to know whether a next page exists. */
function page<T>(rows: T[], offset: number, limit: number): Page<T> {
  const more = rows.length > limit;
  return {
    items: more ? rows.slice(0, limit) : rows,
    nextPageToken: more ? encodePageToken(offset + limit) : null,
  };
}

/**
 * The tracking service: validation, derived operations and artifact bookkeeping over a MetadataStore
 * and an ArtifactStore. All front ends (HTTP, CLI, SDK) call this.
 */
export class TrackingService extends BatchLogging implements TrackingClient {
  constructor(
    readonly store: MetadataStore,
    readonly artifacts: ArtifactStore,
  ) {
    super();
  }

  async createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: Tag[] } = {},
  ): Promise<Experiment> {
    const tags = (options.tags ?? []).map((t, i) =>
      checkTag(t, `tags[${i}]`, LIMITS.experimentTagValueLength),
    );
    if (options.artifactLocation?.startsWith("runs:/")) {
      throw new GyreError(
        "TRACKING_INVALID_VALUE",
        `Artifact location cannot be a runs:/ URI. Given: '${options.artifactLocation}'`,
        {
          field: "artifact_location",
        },
      );
    }
    return this.store.createExperiment({
      name: checkExperimentName(name),
      artifactLocation: options.artifactLocation,
      tags,
    });
  }

  async getExperiment(id: string): Promise<Experiment> {
    const exp = await this.store.getExperiment(id);
    if (!exp) {
      throw new GyreError("TRACKING_EXPERIMENT_NOT_FOUND", `No Experiment with id=${id} exists`, {
        field: "experiment_id",
      });
    }
    return exp;
  }

  getExperimentByName(name: string): Promise<Experiment | null> {
    return this.store.getExperimentByName(name);
  }

  /** The id of the active experiment `name`, created when missing (tolerates a concurrent creator). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.getExperimentByName(name);
    if (found) return found.experimentId;
    try {
      return (await this.createExperiment(name)).experimentId;
    } catch (e) {
      const again =
        isGyreError(e) && e.code === "TRACKING_EXPERIMENT_EXISTS"
          ? await this.getExperimentByName(name)
          : null;
      if (!again) throw e;
      return again.experimentId;
    }
  }

  async searchExperiments(req: SearchExperimentsRequest = {}): Promise<Page<Experiment>> {
    const limit = checkMaxResults(req.maxResults, 1000);
    const offset = decodePageToken(req.pageToken);
    const rows = await this.store.searchExperiments({
      filter: parseFilter(req.filter, "experiments"),
      orderBy: parseOrderBy(req.orderBy, "experiments"),
      viewType: req.viewType ?? "ACTIVE_ONLY",
      offset,
      limit: limit + 1,
    });
    return page(rows, offset, limit);
  }

  renameExperiment(id: string, name: string): Promise<Experiment> {
    return this.#activeExperiment(id, "rename").then(() =>
      this.store.updateExperiment(id, { name: checkExperimentName(name) }),
    );
  }

  async deleteExperiment(id: string): Promise<void> {
    if (id === "0") {
      throw new GyreError("TRACKING_INVALID_VALUE", "The Default experiment (id 0) cannot be deleted", {
        field: "experiment_id",
      });
    }
    await this.#activeExperiment(id, "delete");
    await this.store.updateExperiment(id, { lifecycleStage: "deleted" });
  }

  async restoreExperiment(id: string): Promise<void> {
    const exp = await this.getExperiment(id);
    if (exp.lifecycleStage !== "deleted") {
      throw new GyreError(
        "TRACKING_EXPERIMENT_NOT_FOUND",
        `No deleted Experiment with id=${id} exists to restore`,
        {
          field: "experiment_id",
        },
      );
    }
    await this.store.updateExperiment(id, { lifecycleStage: "active" });
  }

  async setExperimentTag(id: string, key: string, value: string): Promise<void> {
    const tag = checkTag({ key, value }, "tag", LIMITS.experimentTagValueLength);
    await this.#activeExperiment(id, "tag");
    await this.store.updateExperiment(id, { tags: [tag] });
  }

  async #activeExperiment(id: string, verb: string): Promise<Experiment> {
    const exp = await this.getExperiment(id);
    if (exp.lifecycleStage !== "active") {
      throw new GyreError(
        "TRACKING_EXPERIMENT_DELETED",
        `Cannot ${verb} experiment ${id}: it is deleted. Restore it first with \`gyre experiments restore ${id}\`.`,
        { field: "experiment_id" },
      );
    }
    return exp;
  }

  async createRun(run: NewRun): Promise<Run> {
    const experimentId = run.experimentId ?? "0";
    const tags = (run.tags ?? []).map((t, i) => checkTag(t, `tags[${i}]`));
    const tagName = tags.find((t) => t.key === "mlflow.runName")?.value;
    if (run.runName && tagName !== undefined && tagName !== run.runName) {
      throw new GyreError(
        "TRACKING_INVALID_VALUE",
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${run.runName}', mlflow.runName='${tagName}').`,
        { field: "run_name" },
      );
    }
    const runName = run.runName || tagName || randomRunName();
    if (tagName === undefined) tags.push({ key: "mlflow.runName", value: runName });
    const parentRunId = run.parentRunId ?? tags.find((t) => t.key === "mlflow.parentRunId")?.value;
    if (parentRunId && !tags.some((t) => t.key === "mlflow.parentRunId"))
      tags.push({ key: "mlflow.parentRunId", value: parentRunId });
    if (run.userId && !tags.some((t) => t.key === "mlflow.user"))
      tags.push({ key: "mlflow.user", value: run.userId });
    const runId = randomUUID().replaceAll("-", "");
    // The store checks the experiment and the parent inside its transaction.
    return this.store.createRun({ ...run, experimentId, runName, tags, parentRunId, runId });
  }

  async getRun(runId: string): Promise<Run> {
    const run = await this.store.getRun(runId);
    if (!run)
      throw new GyreError("TRACKING_RUN_NOT_FOUND", `Run with id=${runId} not found`, { field: "run_id" });
    return run;
  }

  async updateRun(runId: string, change: RunUpdate): Promise<RunInfo> {
    if (change.status !== undefined && !RUN_STATUSES.includes(change.status)) {
      throw new GyreError(
        "TRACKING_INVALID_VALUE",
        `Invalid status '${change.status}': use one of ${RUN_STATUSES.join(", ")}`,
        {
          field: "status",
        },
      );
    }
    await this.#activeRun(runId);
    return this.store.updateRun(runId, change);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.#runInfo(runId);
    await this.store.updateRun(runId, { lifecycleStage: "deleted" });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.#runInfo(runId);
    await this.store.updateRun(runId, { lifecycleStage: "active" });
  }

  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const limit = checkMaxResults(req.maxResults, 1000);
    const offset = decodePageToken(req.pageToken);
    const rows = await this.store.searchRuns({
      experimentIds: req.experimentIds,
      filter: parseFilter(req.filter, "runs"),
      orderBy: parseOrderBy(req.orderBy, "runs"),
      viewType: req.viewType ?? "ACTIVE_ONLY",
      offset,
      limit: limit + 1,
    });
    return page(rows, offset, limit);
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const checked = checkBatch(batch);
    if (checked.metrics.length + checked.params.length + checked.tags.length === 0) {
      await this.#activeRun(runId);
      return;
    }
    await this.store.logBatch(runId, checked);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.store.deleteTag(runId, checkKey(key, "key"));
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    inputs.forEach((input, i) => {
      for (const f of ["name", "digest", "sourceType", "source"] as const) {
        if (typeof input.dataset?.[f] !== "string" || input.dataset[f] === "") {
          throw new GyreError(
            "TRACKING_INVALID_VALUE",
            `Missing value for required parameter 'datasets[${i}].dataset.${f}'.`,
            {
              field: `datasets[${i}].dataset.${f}`,
            },
          );
        }
      }
    });
    await this.store.logInputs(runId, inputs);
  }

  async getMetricHistory(runId: string, key: string, req: HistoryRequest = {}): Promise<Page<Metric>> {
    await this.#runInfo(runId);
    const limit =
      req.maxResults === undefined ? Number.MAX_SAFE_INTEGER - 1 : checkMaxResults(req.maxResults, 0);
    const offset = decodePageToken(req.pageToken);
    const rows = await this.store.getMetricHistory({
      runId,
      key: checkKey(key, "metric_key"),
      offset,
      limit: limit + 1,
    });
    return page(rows, offset, limit);
  }

  /** The run's info (no params, metrics or tags). Throws TRACKING_RUN_NOT_FOUND. */
  async #runInfo(runId: string): Promise<RunInfo> {
    const info = await this.store.getRunInfo(runId);
    if (!info)
      throw new GyreError("TRACKING_RUN_NOT_FOUND", `Run with id=${runId} not found`, { field: "run_id" });
    return info;
  }

  async #activeRun(runId: string): Promise<RunInfo> {
    const info = await this.#runInfo(runId);
    if (info.lifecycleStage !== "active") {
      throw new GyreError(
        "TRACKING_RUN_DELETED",
        `The run ${runId} must be in the 'active' state. Current state is ${info.lifecycleStage}. Restore it first.`,
        { field: "run_id" },
      );
    }
    return info;
  }

  /** The artifact-store key of a run's artifact root, for runs whose artifacts gyre stores itself. */
  runArtifactRoot(run: Pick<Run, "info">): string {
    const uri = run.info.artifactUri;
    if (!uri.startsWith(PROXY_SCHEME)) {
      throw new GyreError(
        "ARTIFACT_PATH_INVALID",
        `Run ${run.info.runId} keeps its artifacts at ${uri}, outside gyre's store`,
        {
          field: "run_id",
        },
      );
    }
    return safeArtifactPath(uri.slice(PROXY_SCHEME.length));
  }

  async uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<ArtifactRecord> {
    const rel = safeArtifactPath(path, "path", false);
    const info = await this.#activeRun(runId);
    const res = await this.artifacts.put(joinArtifactPath(this.runArtifactRoot({ info }), rel), body);
    const record = { path: rel, size: res.size, sha256: res.sha256, updatedTime: Date.now() };
    await this.store.recordArtifact(runId, record);
    return record;
  }

  /** Records an artifact that arrived through the MLflow proxy at store key `key`, if it lies under a run root. */
  async recordProxiedArtifact(key: string, size: number, sha256: string): Promise<void> {
    const m = /^\d+\/([0-9a-f]{32})\/artifacts\/(.+)$/.exec(key);
    if (!m) return;
    const info = await this.store.getRunInfo(m[1]!);
    if (info) await this.store.recordArtifact(m[1]!, { path: m[2]!, size, sha256, updatedTime: Date.now() });
  }

  async downloadArtifact(runId: string, path: string): Promise<Readable> {
    const rel = safeArtifactPath(path, "path", false);
    const info = await this.#runInfo(runId);
    try {
      return await this.artifacts.get(joinArtifactPath(this.runArtifactRoot({ info }), rel));
    } catch (e) {
      if (!isGyreError(e) || e.code !== "ARTIFACT_NOT_FOUND") throw e;
      throw new GyreError(
        "ARTIFACT_NOT_FOUND",
        `Run ${runId} has no artifact '${rel}'. List its artifacts with \`gyre artifacts list ${runId}\`.`,
        { field: "path" },
      );
    }
  }

  async listArtifacts(runId: string, path = ""): Promise<ArtifactEntry[]> {
    const rel = safeArtifactPath(path);
    const root = this.runArtifactRoot({ info: await this.#runInfo(runId) });
    const entries = await this.artifacts.list(joinArtifactPath(root, rel));
    return entries.map((e) => ({ ...e, path: e.path.slice(root.length + 1) }));
  }

  /** The recorded listing (with sha256) of every artifact under `prefix`. */
  artifactRecords(runId: string, prefix = ""): Promise<ArtifactRecord[]> {
    return this.store.listArtifactRecords(runId, safeArtifactPath(prefix));
  }

  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.artifacts.close()]);
  }
}

const ADJECTIVES = [
  "amber",
  "brisk",
  "calm",
  "deft",
  "eager",
  "fleet",
  "gentle",
  "hardy",
  "keen",
  "lucid",
  "merry",
  "nimble",
];
const NOUNS = [
  "otter",
  "heron",
  "lynx",
  "finch",
  "badger",
  "falcon",
  "marten",
  "ibis",
  "puffin",
  "wren",
  "stoat",
  "vole",
];

/** MLflow-style readable default run names, e.g. "brisk-heron-417". */
function randomRunName(): string {
  const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
