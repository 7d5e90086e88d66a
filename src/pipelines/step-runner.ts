import { setTimeout as sleep } from "node:timers/promises";
import { isGyreError } from "../core/errors.js";
import { cacheKey } from "./cache.js";
import type { StepOutcome } from "./executor.js";
import { readMetrics } from "./local/command-runner.js";
import { paramValue } from "./params.js";
import { type Atomic, announce, type Deps, type RunContext, saveStep, sourceValue } from "./run-context.js";
import {
  missingOutput,
  prepareOutputs,
  removeStepFiles,
  type StepFiles,
  scratchReady,
  stepFiles,
} from "./step-files.js";
import { endStepRun, ensureStepRun, lineageTags, logStepParams, storeLogs } from "./step-tracking.js";
import type { StepRecord } from "./store.js";
import type { JsonValue, OutputValue, PlanStep, StepError } from "./types.js";

interface Logs {
  stdout: string;
  stderr: string;
}

/** The input values of a step (or fan-out instance): upstream outputs, with the instance's element bound. */
function resolveInputs(ctx: RunContext, step: PlanStep, rec: StepRecord): Record<string, OutputValue> {
  const out: Record<string, OutputValue> = {};
  for (const [port, { from }] of Object.entries(step.inputs)) {
    const v = sourceValue(ctx, from);
    if (v === undefined) throw new Error(`Input '${port}' of step '${rec.stepId}' has no value`);
    out[port] = v;
  }
  if (step.map && rec.item !== null) {
    const list = sourceValue(ctx, step.map.over);
    const elem = Array.isArray(list) ? list[rec.item] : undefined;
    if (!elem) throw new Error(`Fan-out element ${rec.item} of step '${step.id}' is missing`);
    out[step.map.as] = elem;
  }
  return out;
}

function declaredEnv(step: PlanStep, env: Record<string, string>): Record<string, string | null> {
  return Object.fromEntries(step.env.map((k) => [k, env[k] ?? null]));
}

function cacheReadable(ctx: RunContext, step: PlanStep): boolean {
  const o = ctx.record.options;
  return (
    step.policy.cache &&
    !o.noCache &&
    !o.noCacheSteps.includes(step.id) &&
    !o.noCacheSteps.includes(step.name)
  );
}

/**
 * Reuses a cached result when its entry exists and all its artifacts are still stored; true on a hit. The
 * step's tracking run and its CACHED state are written in one transaction.
 */
async function reuse(
  d: Deps,
  ctx: RunContext,
  step: PlanStep,
  rec: StepRecord,
  key: string,
  p: Prepared,
): Promise<boolean> {
  const entry = await d.store.getCache(key);
  if (!entry) return false;
  for (const v of Object.values(entry.outputs)) {
    if (!(await d.io.intact(v))) {
      await d.store.deleteCache(key);
      return false;
    }
  }
  const hit = [
    { key: "gyre.pipeline.cache", value: "hit" },
    { key: "gyre.pipeline.cachedFrom", value: entry.trackingRunId },
  ];
  const done = await d.atomic(async (t: Atomic) => {
    const runId = await ensureStepRun(t.tracking, d.io, ctx, step, rec, p.inputs, hit);
    await logStepParams(t.tracking, runId, p.params);
    await endStepRun(t.tracking, runId, "FINISHED", {}, [
      ...lineageTags("produced", entry.outputs),
      { key: "gyre.pipeline.status", value: "CACHED" },
    ]);
    const next: StepRecord = {
      ...rec,
      status: "CACHED",
      trackingRunId: runId,
      cachedFrom: entry.trackingRunId,
      outputs: entry.outputs,
      error: null,
      startedTime: rec.startedTime ?? Date.now(),
      endedTime: Date.now(),
    };
    await t.store.saveSteps([next]);
    return next;
  });
  Object.assign(rec, done);
  announce(d, rec);
  return true;
}

interface Prepared {
  inputs: Record<string, OutputValue>;
  params: Record<string, JsonValue>;
  env: Record<string, string | null>;
}

/**
 * Runs one step or fan-out instance to a terminal state, persisting every transition before acting on it:
 * cache lookup, nested tracking run, staged inputs, attempts with retries, outputs and lineage. Never throws
 * for a step failure; an unexpected error (e.g. an unreadable module) fails the step with its message.
 */
export async function runStep(d: Deps, ctx: RunContext, step: PlanStep, rec: StepRecord): Promise<void> {
  const logs: Logs = { stdout: "", stderr: "" };
  try {
    await execute(d, ctx, step, rec, logs);
  } catch (e) {
    const cancelled = ctx.signal.aborted;
    const message = e instanceof Error ? e.message : String(e);
    await fail(d, rec, { reason: cancelled ? "cancelled" : "error", message, retryable: false }, logs);
  }
}

/** Opens (or reopens) the step's tracking run with its params and persists its first attempt as RUNNING, atomically. */
async function begin(d: Deps, ctx: RunContext, step: PlanStep, rec: StepRecord, p: Prepared): Promise<void> {
  const started = await d.atomic(async (t: Atomic) => {
    const runId = await ensureStepRun(t.tracking, d.io, ctx, step, rec, p.inputs);
    await logStepParams(t.tracking, runId, p.params);
    const next: StepRecord = {
      ...rec,
      status: "RUNNING",
      attempt: rec.attempt + 1,
      trackingRunId: runId,
      error: null,
      startedTime: rec.startedTime ?? Date.now(),
    };
    await t.store.saveSteps([next]);
    return next;
  });
  Object.assign(rec, started);
  announce(d, rec);
}

async function execute(d: Deps, ctx: RunContext, step: PlanStep, rec: StepRecord, logs: Logs): Promise<void> {
  const params: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(step.params)) params[k] = paramValue(v, ctx.record.params);
  const p: Prepared = { inputs: resolveInputs(ctx, step, rec), params, env: declaredEnv(step, d.env) };
  const key = cacheKey({ step, code: d.hasher.version(step.run, step.version), ...p });
  rec.cacheKey = key;
  if (cacheReadable(ctx, step) && (await reuse(d, ctx, step, rec, key, p))) return;
  await begin(d, ctx, step, rec, p);
  const files = stepFiles(ctx, step, rec);
  try {
    await scratchReady(ctx);
    const staged: Record<string, string | string[]> = {};
    for (const [port, v] of Object.entries(p.inputs)) staged[port] = await d.io.stage(v, files.inputs[port]!);
    const outcome = await attempts(d, ctx, step, rec, { files, staged, ...p }, logs);
    if (!outcome.ok) return await fail(d, rec, outcome.error!, logs);
    await succeed(d, step, rec, outcome, files, logs);
  } finally {
    // Off the critical path: the run waits for its clean-ups before it ends.
    ctx.cleanups.push(removeStepFiles(files));
  }
}

/**
 * Attempts until success, a non-retryable failure, the retry budget, or cancellation; backoff between.
 * The first attempt is already persisted as RUNNING (see `begin`); each retry is persisted before it starts.
 */
async function attempts(
  d: Deps,
  ctx: RunContext,
  step: PlanStep,
  rec: StepRecord,
  p: Prepared & { files: StepFiles; staged: Record<string, string | string[]> },
  logs: Logs,
): Promise<StepOutcome> {
  const env = Object.fromEntries(Object.entries(p.env).filter(([, v]) => v !== null)) as Record<
    string,
    string
  >;
  for (;;) {
    await prepareOutputs(step, p.files, rec.attempt);
    const context = {
      stepId: rec.stepId,
      attempt: rec.attempt,
      runId: rec.trackingRunId!,
      trackingUri: d.trackingUri,
      inputs: p.staged,
      outputs: p.files.outputs,
      params: p.params,
      workDir: p.files.workDir,
      env,
    };
    const outcome = await d.executor.execute(
      { run: step.run, context, timeoutMs: step.policy.timeoutMs, baseEnv: d.env },
      ctx.signal,
    );
    const header = rec.attempt > 1 || step.policy.retries > 0 ? `--- attempt ${rec.attempt} ---\n` : "";
    logs.stdout += outcome.stdout ? header + outcome.stdout : "";
    logs.stderr +=
      outcome.stderr || outcome.error
        ? header + outcome.stderr + (outcome.error ? `${outcome.error.message}\n` : "")
        : "";
    const missing = outcome.ok ? missingOutput(p.files, rec.stepId) : null;
    if (missing) return { ...outcome, ok: false, error: missing };
    if (outcome.ok) return outcome;
    const error = outcome.error!;
    if (ctx.signal.aborted || !error.retryable || rec.attempt > step.policy.retries) return outcome;
    const b = step.policy.backoff;
    const delay = Math.min(b.maxMs, b.initialMs * b.factor ** (rec.attempt - 1));
    try {
      await sleep(delay, undefined, { signal: ctx.signal });
    } catch {
      return {
        ...outcome,
        error: { reason: "cancelled", message: "Cancelled while waiting to retry", retryable: false },
      };
    }
    Object.assign(rec, { status: "RUNNING", attempt: rec.attempt + 1, error });
    await saveStep(d, rec);
  }
}

/**
 * Stores the step's outputs and logs (files first, outside any transaction), then records them, ends the
 * step's tracking run, and persists SUCCEEDED with its cache entry, all in one transaction.
 */
async function succeed(
  d: Deps,
  step: PlanStep,
  rec: StepRecord,
  outcome: StepOutcome,
  files: StepFiles,
  logs: Logs,
): Promise<void> {
  const runId = rec.trackingRunId!;
  const outputs: Record<string, OutputValue> = {};
  const metrics = { ...outcome.metrics };
  for (const [port, type] of Object.entries(step.outputs)) {
    const local = files.outputs[port]!;
    if (type === "metrics") Object.assign(metrics, await readMetrics(local));
    try {
      outputs[port] = await d.io.storePort(runId, port, type, local);
    } catch (e) {
      if (!isGyreError(e) || e.code !== "PIPELINE_OUTPUT_MISSING") throw e;
      const message = `Step '${rec.stepId}' output '${port}': ${e.message}`;
      return fail(d, rec, { reason: "output-missing", message, retryable: false }, logs);
    }
  }
  const logFiles = await storeLogs(d.io, runId, logs);
  const done: StepRecord = { ...rec, status: "SUCCEEDED", outputs, error: null, endedTime: Date.now() };
  const cache =
    step.policy.cache && rec.cacheKey
      ? {
          key: rec.cacheKey,
          step: step.name,
          outputs,
          trackingRunId: runId,
          pipelineRunId: rec.runId,
          createdTime: Date.now(),
        }
      : undefined;
  await d.atomic(async (t: Atomic) => {
    await d.io.record(t.tracking.store, [...Object.values(outputs), ...logFiles]);
    await endStepRun(t.tracking, runId, "FINISHED", metrics, lineageTags("produced", outputs));
    await t.store.saveSteps([done], cache);
  });
  Object.assign(rec, done);
  announce(d, rec);
}

/** Marks the step FAILED (or CANCELLED) with its reason, storing logs on its tracking run when it has one. */
async function fail(d: Deps, rec: StepRecord, error: StepError, logs: Logs): Promise<void> {
  const cancelled = error.reason === "cancelled";
  Object.assign(rec, { status: cancelled ? "CANCELLED" : "FAILED", error, endedTime: Date.now() });
  if (rec.trackingRunId) {
    const runId = rec.trackingRunId;
    await storeLogs(d.io, runId, logs)
      .then((refs) => d.io.record(d.tracking.store, refs))
      .catch(() => undefined);
    const tags = [
      { key: "gyre.pipeline.status", value: rec.status },
      { key: "gyre.pipeline.error", value: `${error.reason}: ${error.message}` },
    ];
    const status = cancelled ? "KILLED" : "FAILED";
    await endStepRun(d.tracking, runId, status, {}, tags).catch(() => undefined);
  }
  await saveStep(d, rec);
}
