import { mkdir, rm, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isGyreError } from "../core/errors.js";
import { cacheKey } from "./cache.js";
import type { StepOutcome } from "./executor.js";
import { readMetrics } from "./local/command-runner.js";
import { paramValue } from "./params.js";
import { type Deps, type RunContext, saveStep, sourceValue } from "./run-context.js";
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

/** Reuses a cached result when its entry exists and all its artifacts are still stored; true on a hit. */
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
  const runId = await ensureStepRun(d, ctx, step, rec, p.inputs, hit);
  await logStepParams(d, runId, p.params);
  await endStepRun(d, runId, "FINISHED", {}, [
    ...lineageTags("produced", entry.outputs),
    { key: "gyre.pipeline.status", value: "CACHED" },
  ]);
  Object.assign(rec, {
    status: "CACHED",
    trackingRunId: runId,
    cachedFrom: entry.trackingRunId,
    outputs: entry.outputs,
    error: null,
    startedTime: rec.startedTime ?? Date.now(),
    endedTime: Date.now(),
  });
  await saveStep(d, rec);
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

async function execute(d: Deps, ctx: RunContext, step: PlanStep, rec: StepRecord, logs: Logs): Promise<void> {
  const params: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(step.params)) params[k] = paramValue(v, ctx.record.params);
  const p: Prepared = { inputs: resolveInputs(ctx, step, rec), params, env: declaredEnv(step, d.env) };
  const key = cacheKey({ step, code: d.hasher.version(step.run, step.version), ...p });
  rec.cacheKey = key;
  if (cacheReadable(ctx, step) && (await reuse(d, ctx, step, rec, key, p))) return;
  rec.trackingRunId = await ensureStepRun(d, ctx, step, rec, p.inputs);
  rec.startedTime ??= Date.now();
  // Params reach tracking while the step runs: they are not needed to start it.
  const logged = logStepParams(d, rec.trackingRunId, p.params).then(
    () => null,
    (e: unknown) => e,
  );
  const files = stepFiles(ctx, step, rec);
  const staged: Record<string, string | string[]> = {};
  try {
    await scratchReady(ctx);
    for (const [port, v] of Object.entries(p.inputs))
      staged[port] = await d.io.stage(v, ctx.scratch.dir, `${files.base}.in.${port}`);
    const outcome = await attempts(d, ctx, step, rec, { files, staged, ...p }, logs);
    const logError = await logged;
    if (logError) throw logError;
    if (!outcome.ok) return await fail(d, rec, outcome.error!, logs);
    await succeed(d, step, rec, outcome, files, logs, ctx.cleanups);
  } finally {
    // Off the critical path: the run waits for its clean-ups before it ends.
    const inputs = Object.keys(p.inputs).map((port) => join(ctx.scratch.dir, `${files.base}.in.${port}`));
    ctx.cleanups.push(removeAll([...inputs, ...Object.values(files.outputs), files.workDir]));
  }
}

/**
 * Where one step's files live: flat in the run's scratch directory, `<base>.in.<port>` (staged inputs),
 * `<base>.out.<port>` (outputs; list outputs are directories) and `<base>.work` (the step's work dir, created
 * only when the step uses it), so a step that needs no work dir costs no directory.
 */
interface StepFiles {
  base: string;
  outputs: Record<string, string>;
  workDir: string;
}

function stepFiles(ctx: RunContext, step: PlanStep, rec: StepRecord): StepFiles {
  // Step ids are [A-Za-z][A-Za-z0-9_-]*; an instance `id[i]` becomes `id@i`.
  const base = rec.item === null ? rec.stepId : `${rec.planStep}@${rec.item}`;
  const dir = ctx.scratch.dir;
  const outputs = Object.fromEntries(
    Object.keys(step.outputs).map((k) => [k, join(dir, `${base}.out.${k}`)]),
  );
  return { base, outputs, workDir: join(dir, `${base}.work`) };
}

/** Creates the run's scratch directory once. */
function scratchReady(ctx: RunContext): Promise<void> {
  const s = ctx.scratch;
  s.ready ??= mkdir(s.dir, { recursive: true }).then(() => undefined);
  s.ready.catch(() => {
    s.ready = null;
  });
  return s.ready;
}

/** Removes the run's scratch directory (after every step's clean-up), and the run's directory once empty. */
export async function removeScratch(ctx: RunContext): Promise<void> {
  if (!ctx.scratch.ready) return;
  await rm(ctx.scratch.dir, { recursive: true, force: true }).catch(() => undefined);
  await rmdir(dirname(ctx.scratch.dir)).catch(() => undefined);
  ctx.scratch.ready = null;
}

/** Removes files and directories, one unlink for a plain file (most are hard links into the store). */
async function removeAll(paths: string[]): Promise<void> {
  await Promise.all(
    paths.map((p) =>
      unlink(p).catch((e: NodeJS.ErrnoException) =>
        e.code === "ENOENT" ? undefined : rm(p, { recursive: true, force: true }),
      ),
    ),
  ).catch(() => undefined);
}

/** Clears an earlier attempt's outputs; list outputs start as empty directories. */
async function prepareOutputs(step: PlanStep, files: StepFiles, attempt: number): Promise<void> {
  for (const [port, type] of Object.entries(step.outputs)) {
    const path = files.outputs[port]!;
    if (attempt > 1) await rm(path, { recursive: true, force: true });
    if (type.endsWith("[]")) await mkdir(path, { recursive: true });
  }
}

async function missingOutput(outputs: Record<string, string>, stepId: string): Promise<StepError | null> {
  for (const [port, path] of Object.entries(outputs)) {
    if (!(await stat(path).catch(() => null))) {
      return {
        reason: "output-missing",
        message: `Step '${stepId}' did not write its declared output '${port}'`,
        retryable: false,
      };
    }
  }
  return null;
}

/** Attempts until success, a non-retryable failure, the retry budget, or cancellation; backoff between. */
async function attempts(
  d: Deps,
  ctx: RunContext,
  step: PlanStep,
  rec: StepRecord,
  p: Prepared & { files: StepFiles; staged: Record<string, string | string[]> },
  logs: Logs,
): Promise<StepOutcome> {
  const outputs = p.files.outputs;
  for (;;) {
    rec.attempt += 1;
    Object.assign(rec, { status: "RUNNING", error: rec.attempt > 1 ? rec.error : null });
    await saveStep(d, rec);
    await prepareOutputs(step, p.files, rec.attempt);
    const env = Object.fromEntries(Object.entries(p.env).filter(([, v]) => v !== null)) as Record<
      string,
      string
    >;
    const context = {
      stepId: rec.stepId,
      attempt: rec.attempt,
      runId: rec.trackingRunId!,
      trackingUri: d.trackingUri,
      inputs: p.staged,
      outputs,
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
    const missing = outcome.ok ? await missingOutput(outputs, rec.stepId) : null;
    if (missing) return { ...outcome, ok: false, error: missing };
    if (outcome.ok) return outcome;
    const error = outcome.error!;
    if (ctx.signal.aborted || !error.retryable || rec.attempt > step.policy.retries) return outcome;
    rec.error = error;
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
  }
}

async function succeed(
  d: Deps,
  step: PlanStep,
  rec: StepRecord,
  outcome: StepOutcome,
  files: StepFiles,
  logs: Logs,
  later: Promise<unknown>[],
): Promise<void> {
  const runId = rec.trackingRunId!;
  const outputs: Record<string, OutputValue> = {};
  const metrics = { ...outcome.metrics };
  for (const [port, type] of Object.entries(step.outputs)) {
    const local = files.outputs[port]!;
    if (type === "metrics") Object.assign(metrics, await readMetrics(local));
    try {
      outputs[port] = await d.io.uploadPort(runId, port, type, local);
    } catch (e) {
      if (!isGyreError(e) || e.code !== "PIPELINE_OUTPUT_MISSING") throw e;
      return fail(
        d,
        rec,
        {
          reason: "output-missing",
          message: `Step '${rec.stepId}' output '${port}': ${e.message}`,
          retryable: false,
        },
        logs,
      );
    }
  }
  await storeLogs(d, runId, logs);
  // Downstream steps wait on the persisted SUCCEEDED, not on the tracking run's final status.
  await endStepRun(d, runId, "FINISHED", metrics, lineageTags("produced", outputs), later);
  Object.assign(rec, { status: "SUCCEEDED", outputs, error: null, endedTime: Date.now() });
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
  await d.store.saveSteps([rec], cache);
  d.emit({
    type: "step",
    runId: rec.runId,
    stepId: rec.stepId,
    status: rec.status,
    attempt: rec.attempt,
    error: null,
  });
}

/** Marks the step FAILED (or CANCELLED) with its reason, storing logs on its tracking run when it has one. */
async function fail(d: Deps, rec: StepRecord, error: StepError, logs: Logs): Promise<void> {
  const cancelled = error.reason === "cancelled";
  Object.assign(rec, { status: cancelled ? "CANCELLED" : "FAILED", error, endedTime: Date.now() });
  if (rec.trackingRunId) {
    const runId = rec.trackingRunId;
    await storeLogs(d, runId, logs).catch(() => undefined);
    const tags = [
      { key: "gyre.pipeline.status", value: rec.status },
      { key: "gyre.pipeline.error", value: `${error.reason}: ${error.message}` },
    ];
    await endStepRun(d, runId, cancelled ? "KILLED" : "FAILED", {}, tags).catch(() => undefined);
  }
  await saveStep(d, rec);
}
