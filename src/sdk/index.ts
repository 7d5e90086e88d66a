/**
 * gyre's TypeScript SDK: one client whose interface is the same in-process (SQLite, PostgreSQL) and
 * against a gyre server (`http://`), plus `startRun()` for training code.
 *
 *   const gyre = await connect();                       // GYRE_STORE / gyre.config.ts / defaults
 *   const run = await gyre.startRun({ experiment: "flights", params: { lr: 0.01 } });
 *   run.logMetric("loss", 0.4, step);                   // queued, written in the background
 *   await run.end();                                    // flush + FINISHED
 */
import { userInfo } from "node:os";
import { loadConfig } from "../core/config.js";
import { readGitInfo } from "../core/git.js";
import { openTracking, type Tag, type TrackingClient } from "../metadata/index.js";
import { type RegistryClient, registryBeside } from "../registry/index.js";
import { watchRun } from "./exit-hooks.js";
import { ActiveRun } from "./run.js";

export { defineConfig, type UserConfig } from "../core/config.js";
export { GyreError, isGyreError } from "../core/errors.js";
export type { TrackingClient } from "../metadata/index.js";
export type * from "../metadata/types.js";
export type {
  AliasEvent,
  AliasHistory,
  LineageGraph,
  ModelVersion,
  RegisteredModel,
  RegistryClient,
} from "../registry/index.js";
export { ActiveRun } from "./run.js";

export interface ConnectOptions {
  /** Metadata store URI or `http://host:port` of a gyre server; default from config/env (`GYRE_STORE`). */
  store?: string;
  /** Artifact store URI; default from config/env (`GYRE_ARTIFACTS`). Ignored for `http://` stores. */
  artifacts?: string;
  /** Directory holding `gyre.config.ts` (default: the current directory). */
  cwd?: string;
}

export interface StartRunOptions {
  /** Experiment name; created when it does not exist yet (like `mlflow.set_experiment`). Default: "Default". */
  experiment?: string;
  /** Experiment id; takes precedence over `experiment`. */
  experimentId?: string;
  runName?: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  /** Nest the run under this one (or its id). */
  parent?: ActiveRun | string;
  /** Record git commit, branch, remote and dirty flag of the working directory (default true). */
  git?: boolean;
  /** How long queued metrics wait before a background flush, in ms (default 500). */
  flushIntervalMs?: number;
  /** End the run on process idle (FINISHED), uncaught error (FAILED) and SIGINT/SIGTERM (KILLED). Default true. */
  exitHooks?: boolean;
}

/** Tags MLflow's Python client sets on every run: source, user and git facts. */
async function sourceTags(withGit: boolean): Promise<Tag[]> {
  const tags: Tag[] = [
    { key: "mlflow.source.type", value: "LOCAL" },
    { key: "mlflow.source.name", value: process.argv[1] ?? "node" },
    { key: "mlflow.user", value: safeUser() },
  ];
  const git = withGit ? await readGitInfo() : null;
  if (git) {
    tags.push({ key: "mlflow.source.git.commit", value: git.commit });
    tags.push({ key: "gyre.source.git.dirty", value: String(git.dirty) });
    if (git.branch) tags.push({ key: "mlflow.source.git.branch", value: git.branch });
    if (git.repoUrl) tags.push({ key: "mlflow.source.git.repoURL", value: git.repoUrl });
  }
  return tags;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * A connected gyre client. `tracking` is the full TrackingClient; `startRun` is the training-loop helper;
 * `registry()` is the model registry of the same store.
 */
export class Gyre {
  #registry: Promise<RegistryClient> | undefined;

  /** `store` is the URI `tracking` was opened with; it locates the registry (default: tracking's own store). */
  constructor(
    readonly tracking: TrackingClient,
    private readonly store = "",
  ) {}

  /** The model registry beside `tracking` (same database connection, or same server), opened on first use. */
  registry(): Promise<RegistryClient> {
    this.#registry ??= registryBeside(this.tracking, this.store);
    return this.#registry;
  }

  async #experimentId(options: StartRunOptions): Promise<string> {
    if (options.experimentId) return options.experimentId;
    if (!options.experiment) return "0";
    const found = await this.tracking.getExperimentByName(options.experiment);
    if (found?.lifecycleStage === "active") return found.experimentId;
    try {
      return (await this.tracking.createExperiment(options.experiment)).experimentId;
    } catch (e) {
      const raced = await this.tracking.getExperimentByName(options.experiment);
      if (raced?.lifecycleStage === "active") return raced.experimentId;
      throw e;
    }
  }

  /** Creates a run and returns it active. Params and tags given here are stored before this resolves. */
  async startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
    const tags = await sourceTags(options.git ?? true);
    for (const [key, value] of Object.entries(options.tags ?? {})) tags.push({ key, value });
    const parentRunId = typeof options.parent === "string" ? options.parent : options.parent?.runId;
    const run = await this.tracking.createRun({
      experimentId: await this.#experimentId(options),
      runName: options.runName,
      userId: safeUser(),
      tags,
      parentRunId,
    });
    const params = Object.entries(options.params ?? {}).map(([key, value]) => ({
      key,
      value: String(value),
    }));
    for (let i = 0; i < params.length; i += 100) {
      await this.tracking.logBatch(run.info.runId, { params: params.slice(i, i + 100) });
    }
    const active = new ActiveRun(this.tracking, run, { flushIntervalMs: options.flushIntervalMs ?? 500 });
    if (options.exitHooks ?? true) active.onEnd(watchRun(active));
    return active;
  }

  /** Runs `fn` inside a run: FINISHED when it resolves, FAILED (and rethrown) when it throws. */
  async withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => Promise<T>): Promise<T> {
    const run = await this.startRun(options);
    try {
      const out = await fn(run);
      await run.end("FINISHED");
      return out;
    } catch (e) {
      await run.end("FAILED").catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    const registry = this.#registry;
    this.#registry = undefined;
    if (registry) await (await registry.catch(() => null))?.close();
    await this.tracking.close();
  }
}

/** Connects using flags → `GYRE_*` env → `gyre.config.ts` → defaults (`./.gyre/`). */
export async function connect(options: ConnectOptions = {}): Promise<Gyre> {
  const flags: { store?: string; artifacts?: string } = {};
  if (options.store) flags.store = options.store;
  if (options.artifacts) flags.artifacts = options.artifacts;
  const config = await loadConfig({ cwd: options.cwd, flags });
  return new Gyre(await openTracking({ store: config.store, artifacts: config.artifacts }), config.store);
}
