import { tmpdir } from "node:os";
import { join } from "node:path";
import { GyreError, isGyreError } from "../core/errors.js";
import type { TrackingService } from "../metadata/index.js";
import { ArtifactIO } from "./artifact-io.js";
import { CodeHasher } from "./cache.js";
import type { PipelineDef } from "./dsl.js";
import { type Executor, isPreparingExecutor } from "./executor.js";
import { groupCommit } from "./group-commit.js";
import { LocalExecutor } from "./local/local-executor.js";
import { RunDriver } from "./orchestrator.js";
import { ownerAlive, ownerId, resetForResume } from "./ownership.js";
import { compile } from "./plan.js";
import { atomically, type Deps, type PipelineEvent, type RunContext } from "./run-context.js";
import { createPipelineRun } from "./run-start.js";
import { startedBy } from "./started-by.js";
import type { PipelineRunRecord, PipelineStore, StepRecord } from "./store.js";
import type { PipelinePlan, PipelineRunStatus } from "./types.js";

/** Settings of a pipeline service; every field has a default. */
export interface PipelineServiceOptions {
  /** Default: a LocalExecutor with `workers` warm workers (closed with the service). */
  executor?: Executor;
  workers?: number;
  /** What steps see as GYRE_TRACKING_URI (a gyre server URL, or the store URI). */
  trackingUri?: string;
  /** Environment for command steps and declared step env; default: this process's environment. */
  env?: Record<string, string | undefined>;
  /** Where steps get their work directories; default: <tmp>/gyre-pipelines. */
  workRoot?: string;
  /** Heartbeat period of a driving orchestrator, ms (default 1000); an owner silent for `staleMs` (default 15 s) is presumed dead. */
  heartbeatMs?: number;
  staleMs?: number;
  /** Called once by `close()`, e.g. to close a tracking service opened for this one. */
  onClose?: () => Promise<void>;
}

/** How to start a run. Parameters may be strings (CLI `--param k=v`), parsed per declared type. */
export interface StartOptions {
  params?: Record<string, unknown>;
  /** Local file or directory paths for the pipeline's declared inputs. */
  inputs?: Record<string, string>;
  noCache?: boolean;
  /** Step ids or names that must not be served from the cache. */
  noCacheSteps?: string[];
  /** Experiment name for the run; default: the pipeline's name (created when missing). */
  experiment?: string;
  runName?: string;
  /** The schedule firing this run (set by the scheduler). */
  schedule?: string;
  /** The trigger and event that started this run (recorded as `gyre.trigger.*` tags for lineage). */
  trigger?: { name: string; kind: string; event: string; payload: Record<string, unknown> };
}

/** A run as stored, with its steps in plan order (a fan-out node before its instances, by index). */
export interface PipelineRunSummary {
  run: PipelineRunRecord;
  steps: StepRecord[];
}

/** A run in flight in this process: its id now, its summary when it ends. */
export interface RunHandle {
  runId: string;
  done: Promise<PipelineRunSummary>;
}

function runNotFound(runId: string): GyreError {
  return new GyreError(
    "PIPELINE_RUN_NOT_FOUND",
    `Pipeline run ${runId} not found — list runs with \`gyre pipeline list\``,
    { field: "run_id" },
  );
}

/**
 * Pipelines as a service: registered definitions, runs (parent tracking run + nested step runs), status,
 * cancellation and crash-safe resume. Front ends (CLI, server, scheduler) all call this.
 */
export class PipelineService {
  readonly #defs = new Map<string, PipelineDef>();
  readonly #active = new Map<string, { abort: AbortController; done: Promise<PipelineRunSummary> }>();
  readonly #listeners = new Set<(e: PipelineEvent) => void>();
  readonly #owner = ownerId();
  readonly #deps: Deps;
  readonly #staleMs: number;
  readonly #ownsExecutor: boolean;

  constructor(
    readonly tracking: TrackingService,
    readonly store: PipelineStore,
    readonly options: PipelineServiceOptions = {},
  ) {
    const env = Object.fromEntries(
      Object.entries(options.env ?? process.env).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    this.#ownsExecutor = !options.executor;
    this.#staleMs = options.staleMs ?? 15_000;
    this.#deps = {
      tracking,
      store,
      executor: options.executor ?? new LocalExecutor({ workers: options.workers }),
      io: new ArtifactIO(tracking),
      hasher: new CodeHasher(),
      env,
      trackingUri: options.trackingUri ?? "",
      workRoot: options.workRoot ?? join(tmpdir(), "gyre-pipelines"),
      heartbeatMs: options.heartbeatMs ?? 1000,
      atomic: groupCommit(atomically(tracking, store)),
      emit: (e) => {
        for (const l of this.#listeners) l(e);
      },
    };
  }

  /** The executor steps run on. */
  get executor(): Executor {
    return this.#deps.executor;
  }

  /** Registers pipeline definitions by name (a later one with the same name replaces the earlier). */
  register(...defs: PipelineDef[]): this {
    for (const d of defs) this.#defs.set(d.name, d);
    return this;
  }

  /** Registered pipelines, by name. */
  pipelines(): PipelineDef[] {
    return [...this.#defs.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The plan of a registered pipeline (by name), a definition, or a plan as is. Throws PIPELINE_NOT_FOUND. */
  plan(pipeline: string | PipelineDef | PipelinePlan): PipelinePlan {
    if (typeof pipeline !== "string") return "kind" in pipeline ? compile(pipeline) : pipeline;
    const def = this.#defs.get(pipeline);
    if (!def) {
      const known = [...this.#defs.keys()].join(", ") || "none registered";
      throw new GyreError("PIPELINE_NOT_FOUND", `Pipeline '${pipeline}' not found (known: ${known})`, {
        field: "pipeline",
      });
    }
    return compile(def);
  }

  /** Listens to run and step status changes; returns the unsubscribe function. */
  subscribe(listener: (e: PipelineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts a run and resolves once it is persisted; `done` resolves when it ends. Throws PIPELINE_* for bad params or inputs. */
  async start(pipeline: string | PipelineDef | PipelinePlan, options: StartOptions = {}): Promise<RunHandle> {
    const { record, steps } = await createPipelineRun(this.#deps, this.plan(pipeline), options, this.#owner);
    this.#deps.emit({
      type: "run",
      runId: record.runId,
      pipeline: record.pipeline,
      status: "RUNNING",
      error: null,
    });
    return this.#drive(record, steps);
  }

  /** Starts a run and waits for its end. */
  async run(
    pipeline: string | PipelineDef | PipelinePlan,
    options: StartOptions = {},
  ): Promise<PipelineRunSummary> {
    return (await this.start(pipeline, options)).done;
  }

  #drive(record: PipelineRunRecord, steps: StepRecord[]): RunHandle {
    const abort = new AbortController();
    const ctx: RunContext = {
      record,
      plan: record.plan,
      planSteps: new Map(record.plan.steps.map((s) => [s.id, s])),
      steps: new Map(steps.map((s) => [s.stepId, s])),
      signal: abort.signal,
      cleanups: [],
      scratch: { dir: join(this.#deps.workRoot, record.runId, `${Date.now()}-${process.pid}`), ready: null },
    };
    if (isPreparingExecutor(this.#deps.executor)) this.#deps.executor.prepare(record.plan);
    const done = new RunDriver(this.#deps, ctx, abort)
      .drive()
      .then(() => this.status(record.runId))
      .finally(() => this.#active.delete(record.runId));
    this.#active.set(record.runId, { abort, done });
    return { runId: record.runId, done };
  }

  /** The run and its steps as stored. Throws PIPELINE_RUN_NOT_FOUND. */
  async status(runId: string): Promise<PipelineRunSummary> {
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    const order = new Map(run.plan.steps.map((s, i) => [s.id, i]));
    const steps = (await this.store.listSteps(runId)).sort(
      (a, b) => order.get(a.planStep)! - order.get(b.planStep)! || (a.item ?? -1) - (b.item ?? -1),
    );
    return { run, steps };
  }

  /** Runs, newest first, optionally of one pipeline or status. */
  listRuns(
    query: { pipeline?: string; status?: PipelineRunStatus; limit?: number } = {},
  ): Promise<PipelineRunRecord[]> {
    return this.store.listRuns({ ...query, limit: query.limit ?? 50 });
  }

  /** Runs like `listRuns`, each with what started it (schedule, trigger, monitoring alert, or manual). */
  async listRunsStartedBy(
    query: { pipeline?: string; status?: PipelineRunStatus; limit?: number } = {},
  ): Promise<Array<PipelineRunRecord & { startedBy: string }>> {
    const runs = await this.listRuns(query);
    return Promise.all(
      runs.map(async (r) => {
        const tracked = await this.tracking.getRun(r.runId).catch(() => null);
        const tags = Object.fromEntries((tracked?.data.tags ?? []).map((t) => [t.key, t.value]));
        return { ...r, startedBy: startedBy(r, tags) };
      }),
    );
  }

  /** Resumes every RUNNING run whose orchestrator is gone (what a restarted scheduler does first). */
  async resumeOrphans(): Promise<RunHandle[]> {
    const runs = await this.store.listRuns({ status: "RUNNING", limit: 1000 });
    const handles: RunHandle[] = [];
    for (const r of runs) {
      if (this.#active.has(r.runId) || ownerAlive(r, this.#staleMs)) continue;
      try {
        handles.push(await this.resume(r.runId));
      } catch (e) {
        if (!isGyreError(e) || e.code !== "PIPELINE_RUN_ACTIVE") throw e;
      }
    }
    return handles;
  }

  /**
   * Continues a run that was interrupted (orchestrator killed), failed or cancelled: steps that succeeded are
   * kept, the rest run again (with fixed code, if it changed). A finished run resolves as is.
   * Throws PIPELINE_RUN_ACTIVE while a live orchestrator drives it, PIPELINE_RUN_NOT_FOUND.
   */
  async resume(runId: string): Promise<RunHandle> {
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    if (run.status === "SUCCEEDED") return { runId, done: this.status(runId) };
    if (this.#active.has(runId) || (run.status === "RUNNING" && ownerAlive(run, this.#staleMs))) {
      throw new GyreError(
        "PIPELINE_RUN_ACTIVE",
        `Pipeline run ${runId} is still being driven by ${run.owner}: wait for it or cancel it`,
        { field: "run_id" },
      );
    }
    if (!(await this.store.claimRun(runId, run.owner, this.#owner, Date.now()))) {
      throw new GyreError(
        "PIPELINE_RUN_ACTIVE",
        `Another orchestrator took over pipeline run ${runId} first`,
        { field: "run_id" },
      );
    }
    const steps = await this.store.listSteps(runId);
    await this.#closeStepRuns(steps);
    const changed = resetForResume(steps, new Map(run.plan.steps.map((s) => [s.id, s])));
    if (changed.length > 0) await this.store.saveSteps(changed);
    await this.store.updateRun(runId, {
      status: "RUNNING",
      error: null,
      endedTime: null,
      cancelRequested: false,
    });
    await this.tracking.updateRun(runId, { status: "RUNNING" });
    await this.tracking.setTag(runId, "gyre.pipeline.status", "RUNNING");
    Object.assign(run, { status: "RUNNING", error: null, owner: this.#owner, cancelRequested: false });
    this.#deps.emit({ type: "run", runId, pipeline: run.pipeline, status: "RUNNING", error: null });
    return this.#drive(run, steps);
  }

  /** Finishes tracking runs of steps that succeeded just before a crash left their tracking status behind. */
  async #closeStepRuns(steps: StepRecord[]): Promise<void> {
    for (const s of steps) {
      if ((s.status !== "SUCCEEDED" && s.status !== "CACHED") || !s.trackingRunId) continue;
      const run = await this.tracking.getRun(s.trackingRunId).catch(() => null);
      if (run?.info.status === "RUNNING")
        await this.tracking.updateRun(s.trackingRunId, {
          status: "FINISHED",
          endTime: s.endedTime ?? Date.now(),
        });
    }
  }

  /**
   * Cancels a run: running steps are killed, pending ones never start. Works across processes (the owning
   * orchestrator sees the request within a heartbeat); a run whose orchestrator is gone is closed here.
   */
  async cancel(runId: string): Promise<void> {
    const active = this.#active.get(runId);
    if (active) {
      active.abort.abort();
      await active.done;
      return;
    }
    const run = await this.store.getRun(runId);
    if (!run) throw runNotFound(runId);
    if (run.status !== "RUNNING") return;
    if (ownerAlive(run, this.#staleMs)) return this.store.updateRun(runId, { cancelRequested: true });
    const open = (await this.store.listSteps(runId)).filter(
      (s) => s.status === "PENDING" || s.status === "RUNNING",
    );
    for (const s of open)
      Object.assign(s, {
        status: "CANCELLED",
        endedTime: Date.now(),
        error: { reason: "cancelled", message: "The run was cancelled", retryable: false },
      });
    await this.store.saveSteps(open);
    await this.store.updateRun(runId, {
      status: "CANCELLED",
      error: "Cancelled",
      endedTime: Date.now(),
      owner: null,
    });
    await this.tracking.updateRun(runId, { status: "KILLED", endTime: Date.now() });
  }

  /** Cancels runs in flight here, then stops the executor it created. Leaves the tracking service open unless `onClose` closes it. */
  async close(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.cancel(id).catch(() => undefined)));
    if (this.#ownsExecutor) await this.#deps.executor.close();
    await this.options.onClose?.();
  }
}
