import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { PreparingExecutor, StepOutcome, StepTask } from "../executor.js";
import type { PipelinePlan } from "../types.js";
import { runCommand } from "./command-runner.js";
import { WorkerPool } from "./worker-pool.js";

/** Options of the local executor. */
export interface LocalExecutorOptions {
  /** Worker processes kept warm for function steps; default: available CPUs. */
  workers?: number;
  /** Attempts run at once (function and command steps together); default: `workers`, at least 2. */
  concurrency?: number;
}

function envName(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The environment a command step sees: base env, declared env, then GYRE_* (and MLflow's run variables). */
export function commandEnv(task: StepTask, contextFile: string, metricsFile: string): Record<string, string> {
  const c = task.context;
  const env: Record<string, string> = { ...task.baseEnv, ...c.env };
  env.GYRE_STEP_CONTEXT = contextFile;
  env.GYRE_METRICS_FILE = metricsFile;
  env.GYRE_RUN_ID = c.runId;
  env.GYRE_STEP_ID = c.stepId;
  env.GYRE_TRACKING_URI = c.trackingUri;
  env.MLFLOW_RUN_ID = c.runId;
  if (/^https?:\/\//.test(c.trackingUri)) env.MLFLOW_TRACKING_URI = c.trackingUri;
  env.GYRE_WORK_DIR = c.workDir;
  for (const [k, v] of Object.entries(c.inputs))
    env[`GYRE_INPUT_${envName(k)}`] = Array.isArray(v) ? v.join("\n") : v;
  for (const [k, v] of Object.entries(c.outputs)) env[`GYRE_OUTPUT_${envName(k)}`] = v;
  for (const [k, v] of Object.entries(c.params))
    env[`GYRE_PARAM_${envName(k)}`] = typeof v === "string" ? v : JSON.stringify(v);
  return env;
}

/**
 * Runs steps on this machine: function steps in a warm pool of worker processes (no process start per
 * step), command steps as child processes. Paths in tasks are local files the orchestrator staged.
 */
export class LocalExecutor implements PreparingExecutor {
  readonly kind = "local";
  readonly capacity: number;
  readonly #pool: WorkerPool;
  #busy = 0;
  #waiting: Array<() => void> = [];

  constructor(options: LocalExecutorOptions = {}) {
    const workers = Math.max(1, options.workers ?? availableParallelism());
    this.capacity = Math.max(1, options.concurrency ?? Math.max(2, workers));
    this.#pool = new WorkerPool(workers);
  }

  /** Starts the worker processes now rather than on the first step. */
  warm(): Promise<void> {
    return this.#pool.warm();
  }

  /** Has every worker import the plan's function-step modules now, so no step waits for its module to load. */
  prepare(plan: PipelinePlan): void {
    const modules = new Set<string>();
    for (const s of plan.steps) if (s.run.kind === "function") modules.add(s.run.module);
    this.#pool.preload([...modules]);
  }

  async execute(task: StepTask, signal: AbortSignal): Promise<StepOutcome> {
    if (!(await this.#acquire(signal))) {
      const error = {
        reason: "cancelled" as const,
        message: "Cancelled before it started",
        retryable: false,
      };
      return { ok: false, error, stdout: "", stderr: "", metrics: {}, durationMs: 0 };
    }
    try {
      return await this.#run(task, signal);
    } finally {
      this.#release();
    }
  }

  /** Waits for a free slot; false when `signal` aborts first. */
  #acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#busy < this.capacity) {
      this.#busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== grant);
        resolve(false);
      };
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        this.#busy++;
        resolve(true);
      };
      this.#waiting.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #release(): void {
    this.#busy--;
    this.#waiting.shift()?.();
  }

  async #run(task: StepTask, signal: AbortSignal): Promise<StepOutcome> {
    const { run, context } = task;
    if (run.kind === "function") {
      return this.#pool.run(
        { module: run.module, export: run.export, context, timeoutMs: task.timeoutMs },
        signal,
      );
    }
    await mkdir(context.workDir, { recursive: true });
    const contextFile = join(context.workDir, "context.json");
    const metricsFile = join(context.workDir, "metrics.json");
    await writeFile(contextFile, JSON.stringify(context, null, 2));
    const env = commandEnv(task, contextFile, metricsFile);
    const cwd = run.cwd ?? process.cwd();
    return runCommand(
      { command: run.command, shell: run.shell, cwd, env, timeoutMs: task.timeoutMs, metricsFile },
      signal,
    );
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
