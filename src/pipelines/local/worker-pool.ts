import { type ChildProcess, fork } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { StepContext, StepOutcome } from "../executor.js";
import type { StepError } from "../types.js";

/** A function-step job for the pool. */
export interface PoolJob {
  module: string;
  export: string;
  context: StepContext;
  timeoutMs: number | null;
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
  /** Killed or exited: never handed another job. */
  dead: boolean;
  /** Modules this worker imported, with their mtimes: an edited module needs a fresh worker. */
  loaded: Map<string, number>;
  /** Output written outside a captured step (native crashes, loader errors), kept for diagnostics. */
  raw: string;
}

interface Waiting {
  job: PoolJob;
  signal: AbortSignal;
  resolve: (o: StepOutcome) => void;
}

const HERE = fileURLToPath(import.meta.url);
const ENTRY = join(dirname(HERE), `worker-main${extname(HERE)}`);

/** The tsx loader as a file URL, so workers can import TypeScript step modules from any directory. */
function loaderArgs(): string[] {
  try {
    return ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href];
  } catch {
    return [];
  }
}

/** A module file's mtime (0 when it is missing), to tell an edited module from the one a worker loaded. */
function mtimeOf(module: string): number {
  return statSync(module, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function failed(reason: StepError["reason"], message: string, retryable: boolean, stderr = ""): StepOutcome {
  return { ok: false, error: { reason, message, retryable }, stdout: "", stderr, metrics: {}, durationMs: 0 };
}

/**
 * A warm pool of forked worker processes, each running one function step at a time. A worker that dies,
 * times out or is cancelled is killed and replaced, so one bad step never poisons the next.
 */
export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #queue: Waiting[] = [];
  readonly #execArgv = loaderArgs();
  #closed = false;

  constructor(readonly size: number) {}

  /** Starts every worker and resolves when all are ready to take steps (idempotent). */
  async warm(): Promise<void> {
    while (this.#workers.length < this.size) this.#workers.push(this.#spawn());
    await Promise.all(this.#workers.map((w) => w.ready));
  }

  /**
   * Has every live worker import `modules` it has not loaded yet (in the background: a worker takes steps
   * meanwhile). A module that fails to load is reported by the step that needs it.
   */
  preload(modules: string[]): void {
    if (this.#closed) return;
    while (this.#workers.length < this.size) this.#workers.push(this.#spawn());
    for (const w of this.#workers) {
      const fresh = modules.filter((m) => !w.dead && !w.loaded.has(m));
      if (fresh.length === 0) continue;
      for (const m of fresh) w.loaded.set(m, mtimeOf(m));
      void w.ready.then(() => {
        if (!w.dead && w.child.connected) for (const m of fresh) w.child.send({ type: "load", module: m });
      });
    }
  }

  /** Runs one job; resolves with its outcome (never rejects). Queues while all workers are busy. */
  run(job: PoolJob, signal: AbortSignal): Promise<StepOutcome> {
    return new Promise((resolve) => {
      this.#queue.push({ job, signal, resolve });
      this.#pump();
    });
  }

  #spawn(): Worker {
    const child = fork(ENTRY, [], { execArgv: this.#execArgv, stdio: ["ignore", "pipe", "pipe", "ipc"] });
    const w: Worker = {
      child,
      busy: false,
      dead: false,
      loaded: new Map(),
      raw: "",
      ready: Promise.resolve(),
    };
    const keep = (d: Buffer) => {
      w.raw = (w.raw + d.toString()).slice(-8192);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    w.ready = new Promise((resolve) => {
      const onMsg = (m: { type?: string }) => {
        if (m?.type !== "ready") return;
        child.off("message", onMsg);
        resolve();
      };
      child.on("message", onMsg);
      child.once("exit", () => resolve());
    });
    child.once("exit", () => {
      w.dead = true;
      const i = this.#workers.indexOf(w);
      if (i >= 0) this.#workers.splice(i, 1);
      this.#pump();
    });
    return w;
  }

  #pump(): void {
    if (this.#closed) {
      for (const q of this.#queue.splice(0))
        q.resolve(failed("cancelled", "The worker pool is closed", false));
      return;
    }
    while (this.#queue.length > 0) {
      let w = this.#workers.find((x) => !x.busy && !x.dead);
      if (!w && this.#workers.length < this.size) {
        w = this.#spawn();
        this.#workers.push(w);
      }
      if (!w) return;
      const next = this.#queue.shift()!;
      if (next.signal.aborted) {
        next.resolve(failed("cancelled", "Cancelled before it started", false));
        continue;
      }
      w = this.#fresh(w, next.job.module);
      w.busy = true;
      void this.#dispatch(w, next);
    }
  }

  /** `w`, or a new worker in its place when `w` imported an older version of `module` (ESM cannot unload it). */
  #fresh(w: Worker, module: string): Worker {
    const mtime = mtimeOf(module);
    const seen = w.loaded.get(module);
    if (seen !== undefined && seen !== mtime) {
      w.dead = true;
      w.child.kill("SIGKILL");
      w = this.#spawn();
      this.#workers.push(w);
    }
    w.loaded.set(module, mtime);
    return w;
  }

  async #dispatch(w: Worker, q: Waiting): Promise<void> {
    await w.ready;
    const outcome = await new Promise<StepOutcome>((resolve) => this.#attempt(w, q, resolve));
    w.busy = false;
    q.resolve(outcome);
    this.#pump();
  }

  /** Sends the job and settles once: on the worker's reply, its death, the timeout or cancellation. */
  #attempt(w: Worker, q: Waiting, settle: (o: StepOutcome) => void): void {
    const { child } = w;
    const started = performance.now();
    let done = false;
    const finish = (o: StepOutcome, kill: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      q.signal.removeEventListener("abort", onAbort);
      child.off("message", onMsg);
      child.off("exit", onExit);
      if (kill) {
        w.dead = true;
        child.kill("SIGKILL");
      }
      settle({ ...o, durationMs: performance.now() - started });
    };
    const onMsg = (m: StepOutcome & { type?: string }) => {
      if (m?.type === "done")
        finish(
          {
            ok: m.ok,
            error: m.error && { ...m.error, reason: "error" },
            stdout: m.stdout,
            stderr: m.stderr,
            metrics: m.metrics ?? {},
            durationMs: 0,
          },
          false,
        );
    };
    const onExit = (code: number | null, sig: string | null) =>
      finish(
        failed(
          "worker-died",
          `The worker process running the step died (${sig ?? `exit code ${code}`})`,
          true,
          w.raw,
        ),
        false,
      );
    const onAbort = () => finish(failed("cancelled", "Cancelled while running", false), true);
    const limit = q.job.timeoutMs;
    const timer =
      limit === null
        ? undefined
        : setTimeout(() => finish(failed("timeout", `Timed out after ${limit} ms`, true), true), limit);
    child.on("message", onMsg);
    child.once("exit", onExit);
    q.signal.addEventListener("abort", onAbort, { once: true });
    w.raw = "";
    if (child.exitCode !== null || !child.connected) {
      onExit(child.exitCode, child.signalCode);
      return;
    }
    child.send({ type: "run", module: q.job.module, export: q.job.export, context: q.job.context });
  }

  /** Kills every worker; queued jobs resolve as cancelled. */
  async close(): Promise<void> {
    this.#closed = true;
    const exits = this.#workers.map(
      (w) => new Promise<void>((r) => (w.child.exitCode !== null ? r() : w.child.once("exit", () => r()))),
    );
    for (const w of this.#workers) w.child.kill("SIGKILL");
    this.#pump();
    await Promise.all(exits);
  }
}
