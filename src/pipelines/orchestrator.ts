import { evaluateCondition } from "./conditions.js";
import {
  announce,
  type Deps,
  DONE_OK,
  newStepRecord,
  type RunContext,
  sourceValue,
  TERMINAL,
} from "./run-context.js";
import { removeScratch } from "./step-files.js";
import { runStep } from "./step-runner.js";
import type { StepRecord } from "./store.js";
import type { ArtifactRef, OutputValue, PipelineRunStatus, PlanStep, StepError } from "./types.js";

const TRACKING_STATUS = {
  SUCCEEDED: "FINISHED",
  FAILED: "FAILED",
  CANCELLED: "KILLED",
  RUNNING: "RUNNING",
} as const;

/**
 * Drives one pipeline run to its end: starts every step whose upstream steps succeeded (up to the
 * executor's capacity, plus a few being staged or stored), skips steps downstream of failures and false conditions, expands fan-outs once
 * their list exists and collects them for fan-in. Persisted state is the source of truth for resume.
 */
export class RunDriver {
  readonly #running = new Map<string, Promise<void>>();
  readonly #instances = new Map<string, StepRecord[]>();
  /** Per fan-out node, the index of the first instance not yet started. */
  readonly #cursors = new Map<string, number>();
  readonly #conditions = new Map<string, boolean>();
  #waiters: Array<() => void> = [];
  #dirty = false;
  #fatal: unknown = null;
  /** Steps in flight: the executor's capacity, plus room for steps staging inputs or storing outputs. */
  readonly #slots: number;

  constructor(
    readonly d: Deps,
    readonly ctx: RunContext,
    readonly abort: AbortController,
  ) {
    for (const rec of [...ctx.steps.values()].sort((a, b) => (a.item ?? 0) - (b.item ?? 0))) {
      if (rec.item !== null)
        this.#instances.set(rec.planStep, [...(this.#instances.get(rec.planStep) ?? []), rec]);
    }
    ctx.signal.addEventListener("abort", () => this.#notify(), { once: true });
    this.#slots = Math.max(8, d.executor.capacity * 4);
  }

  /** Runs until no step can make progress; resolves with the run's final status (never rejects). */
  async drive(): Promise<PipelineRunStatus> {
    const hb = setInterval(() => void this.#beat(), this.d.heartbeatMs);
    hb.unref();
    try {
      for (;;) {
        this.#dirty = false;
        const progressed = this.ctx.signal.aborted
          ? false
          : await this.#schedule().catch((e) => this.#crash(e));
        if (this.#running.size === 0 && !progressed) break;
        if (!progressed && !this.#dirty) await new Promise<void>((r) => this.#waiters.push(r));
      }
      return await this.#finish();
    } finally {
      clearInterval(hb);
    }
  }

  #notify(): void {
    this.#dirty = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  #crash(e: unknown): boolean {
    this.#fatal ??= e;
    this.abort.abort();
    return false;
  }

  async #beat(): Promise<void> {
    try {
      await this.d.store.updateRun(this.ctx.record.runId, { heartbeat: Date.now() });
      if ((await this.d.store.getRun(this.ctx.record.runId))?.cancelRequested) this.abort.abort();
    } catch {
      // A missed heartbeat only delays cancel detection; the next one retries.
    }
  }

  async #schedule(): Promise<boolean> {
    let progressed = false;
    for (const step of this.ctx.plan.steps) {
      const rec = this.ctx.steps.get(step.id)!;
      if (step.map && rec.status === "RUNNING") {
        progressed = (await this.#mapProgress(step, rec)) || progressed;
        continue;
      }
      if (rec.status !== "PENDING" || this.#running.has(rec.stepId)) continue;
      const gate = this.#gate(step);
      if (gate === "wait") continue;
      if (gate !== "go") {
        await this.#skip(rec, gate);
        progressed = true;
      } else if (!(await this.#condition(step, rec))) {
        progressed = true;
      } else if (step.map) {
        await this.#expand(step, rec);
        progressed = true;
      } else if (this.#running.size < this.#slots) {
        this.#start(step, rec);
        progressed = true;
      }
    }
    return progressed;
  }

  /** "go" when every upstream step succeeded, "wait" while some are unfinished, else why to skip. */
  #gate(step: PlanStep): "go" | "wait" | StepError {
    let wait = false;
    for (const dep of step.dependsOn) {
      const s = this.ctx.steps.get(dep)!.status;
      if (s === "FAILED" || s === "SKIPPED" || s === "CANCELLED") {
        return { reason: "upstream", message: `Upstream step '${dep}' ${s.toLowerCase()}`, retryable: false };
      }
      if (!DONE_OK.has(s)) wait = true;
    }
    return wait ? "wait" : "go";
  }

  /** Evaluates the step's `when` once; a false condition skips the step and returns false. */
  async #condition(step: PlanStep, rec: StepRecord): Promise<boolean> {
    if (!step.when) return true;
    let holds = this.#conditions.get(step.id);
    if (holds === undefined) {
      const c = await evaluateCondition(
        step.when,
        this.ctx.record.params,
        (src) => sourceValue(this.ctx, src),
        this.d.io,
      );
      holds = c.holds;
      this.#conditions.set(step.id, holds);
      if (!holds)
        await this.#skip(rec, {
          reason: "condition",
          message: `Condition not met: ${c.why}`,
          retryable: false,
        });
    }
    return holds;
  }

  async #skip(rec: StepRecord, error: StepError): Promise<void> {
    Object.assign(rec, { status: "SKIPPED", error, endedTime: Date.now() });
    await this.d.store.saveSteps([rec]);
    announce(this.d, rec);
  }

  #start(step: PlanStep, rec: StepRecord): void {
    const p = runStep(this.d, this.ctx, step, rec)
      .catch((e) => void this.#crash(e))
      .finally(() => {
        this.#running.delete(rec.stepId);
        this.#notify();
      });
    this.#running.set(rec.stepId, p);
  }

  /** Creates one PENDING instance per list element, persisted together with the node turning RUNNING. */
  async #expand(step: PlanStep, rec: StepRecord): Promise<void> {
    const list = (sourceValue(this.ctx, step.map!.over) ?? []) as ArtifactRef[];
    const runId = this.ctx.record.runId;
    const instances = list.map((_, i) => newStepRecord(runId, `${step.id}[${i}]`, step.id, i));
    const empty = Object.fromEntries(Object.keys(step.outputs).map((port) => [port, [] as ArtifactRef[]]));
    Object.assign(
      rec,
      list.length === 0
        ? { status: "SUCCEEDED", outputs: empty, endedTime: Date.now() }
        : { status: "RUNNING" },
    );
    rec.startedTime = Date.now();
    await this.d.store.saveSteps([rec, ...instances]);
    announce(this.d, rec);
    this.#instances.set(step.id, instances);
    for (const i of instances) this.ctx.steps.set(i.stepId, i);
  }

  /** Starts pending instances; once all are finished, settles the fan-out node and collects its outputs. */
  async #mapProgress(step: PlanStep, node: StepRecord): Promise<boolean> {
    const instances = this.#instances.get(step.id) ?? [];
    let progressed = false;
    // Instances start in index order and never return to PENDING: scan on from where the last call stopped
    // (a 1,000-way fan-out would otherwise rescan every instance after each step).
    let i = this.#cursors.get(step.id) ?? 0;
    for (; i < instances.length && this.#running.size < this.#slots; i++) {
      const inst = instances[i]!;
      if (inst.status !== "PENDING" || this.#running.has(inst.stepId)) continue;
      this.#start(step, inst);
      progressed = true;
    }
    this.#cursors.set(step.id, i);
    if (i < instances.length || instances.some((x) => !TERMINAL.has(x.status))) return progressed;
    const failed = instances.filter((i) => i.status === "FAILED");
    const cancelled = instances.some((i) => i.status === "CANCELLED");
    if (cancelled || failed.length > 0) {
      const first = failed[0];
      const message = first
        ? `${failed.length} of ${instances.length} fan-out instances failed (first: ${first.stepId}: ${first.error?.message})`
        : "Cancelled";
      Object.assign(node, {
        status: cancelled ? "CANCELLED" : "FAILED",
        error: { reason: cancelled ? "cancelled" : "error", message, retryable: false },
      });
    } else {
      const outputs: Record<string, OutputValue> = {};
      for (const port of Object.keys(step.outputs))
        outputs[port] = instances.map((i) => i.outputs![port] as ArtifactRef);
      const allCached = instances.every((i) => i.status === "CACHED");
      Object.assign(node, { status: allCached ? "CACHED" : "SUCCEEDED", outputs, error: null });
    }
    node.endedTime = Date.now();
    await this.d.store.saveSteps([node]);
    announce(this.d, node);
    return true;
  }

  async #finish(): Promise<PipelineRunStatus> {
    await Promise.all(this.ctx.cleanups.splice(0));
    await removeScratch(this.ctx);
    const aborted = this.ctx.signal.aborted;
    const open = [...this.ctx.steps.values()].filter((r) => !TERMINAL.has(r.status));
    for (const r of open) {
      const error: StepError = aborted
        ? { reason: "cancelled", message: "The run was cancelled", retryable: false }
        : { reason: "upstream", message: "Never became ready", retryable: false };
      Object.assign(r, { status: aborted ? "CANCELLED" : "SKIPPED", error, endedTime: Date.now() });
    }
    const { runId } = this.ctx.record;
    const failed = [...this.ctx.steps.values()].find((r) => r.status === "FAILED" && r.item === null);
    const status: PipelineRunStatus = this.#fatal
      ? "FAILED"
      : aborted
        ? "CANCELLED"
        : failed
          ? "FAILED"
          : "SUCCEEDED";
    const error = this.#fatal
      ? `The orchestrator failed: ${(this.#fatal as Error).message ?? this.#fatal}`
      : failed
        ? `Step '${failed.stepId}' failed: ${failed.error?.message}`
        : aborted
          ? "Cancelled"
          : null;
    try {
      if (open.length > 0) await this.d.store.saveSteps(open);
      await this.d.store.updateRun(runId, { status, error, endedTime: Date.now(), owner: null });
      await this.d.tracking.setTag(runId, "gyre.pipeline.status", status);
      await this.d.tracking.updateRun(runId, { status: TRACKING_STATUS[status], endTime: Date.now() });
    } catch {
      // The store is unreachable: the run stays RUNNING with a stale owner, which `resume` takes over.
    }
    Object.assign(this.ctx.record, { status, error });
    this.d.emit({ type: "run", runId, pipeline: this.ctx.plan.name, status, error });
    return status;
  }
}
