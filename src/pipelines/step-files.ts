import { statSync, unlinkSync } from "node:fs";
import { mkdir, rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { RunContext } from "./run-context.js";
import type { StepRecord } from "./store.js";
import type { PlanStep, StepError } from "./types.js";

/**
 * Where one step's files live: flat in the run's scratch directory, `<base>.in.<port>` (staged inputs),
 * `<base>.out.<port>` (outputs; list outputs are directories) and `<base>.work` (the step's work dir, created
 * only when the step uses it), so that a step needing no work dir costs no directory.
 */
export interface StepFiles {
  base: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  workDir: string;
}

/** The file paths of `rec` (a step, or a fan-out instance of `step`) in this run's scratch directory. */
export function stepFiles(ctx: RunContext, step: PlanStep, rec: StepRecord): StepFiles {
  // Step ids are [A-Za-z][A-Za-z0-9_-]*; an instance `id[i]` becomes `id@i`.
  const base = rec.item === null ? rec.stepId : `${rec.planStep}@${rec.item}`;
  const dir = ctx.scratch.dir;
  const paths = (ports: string[], kind: string) =>
    Object.fromEntries(ports.map((k) => [k, join(dir, `${base}.${kind}.${k}`)]));
  const inputs = [...Object.keys(step.inputs), ...(step.map ? [step.map.as] : [])];
  return {
    base,
    inputs: paths(inputs, "in"),
    outputs: paths(Object.keys(step.outputs), "out"),
    workDir: join(dir, `${base}.work`),
  };
}

/** Creates the run's scratch directory once. */
export function scratchReady(ctx: RunContext): Promise<void> {
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

/**
 * Removes a step's files: a plain file (most are hard links into the artifact store) with one synchronous
 * unlink, which costs less than a trip through libuv's thread pool; directories recursively, asynchronously.
 */
export async function removeStepFiles(files: StepFiles): Promise<void> {
  const paths = [...Object.values(files.inputs), ...Object.values(files.outputs), files.workDir];
  const dirs: string[] = [];
  for (const p of paths) {
    try {
      unlinkSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") dirs.push(p);
    }
  }
  await Promise.all(dirs.map((p) => rm(p, { recursive: true, force: true }))).catch(() => undefined);
}

/** Clears an earlier attempt's outputs; list outputs start as empty directories. */
export async function prepareOutputs(step: PlanStep, files: StepFiles, attempt: number): Promise<void> {
  for (const [port, type] of Object.entries(step.outputs)) {
    const path = files.outputs[port]!;
    if (attempt > 1) await rm(path, { recursive: true, force: true });
    if (type.endsWith("[]")) await mkdir(path, { recursive: true });
  }
}

/** The error for the first declared output the step did not write, or null. */
export function missingOutput(files: StepFiles, stepId: string): StepError | null {
  for (const [port, path] of Object.entries(files.outputs)) {
    if (!statSync(path, { throwIfNoEntry: false })) {
      return {
        reason: "output-missing",
        message: `Step '${stepId}' did not write its declared output '${port}'`,
        retryable: false,
      };
    }
  }
  return null;
}
