import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { PipelineRunRecord, StepRecord } from "./store.js";
import type { PlanStep } from "./types.js";

/** This process's orchestrator identity: "host:pid:nonce". */
export function ownerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}

/**
 * Whether the orchestrator that owns `run` may still be driving it: on this host, its process must exist;
 * anywhere, its heartbeat must be younger than `staleMs`. A run without an owner is not driven.
 */
export function ownerAlive(run: PipelineRunRecord, staleMs: number, now = Date.now()): boolean {
  if (!run.owner) return false;
  const [host, pid] = run.owner.split(":");
  if (host === hostname()) {
    try {
      process.kill(Number(pid), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    }
  }
  return run.heartbeat !== null && now - run.heartbeat < staleMs;
}

/**
 * Resets unfinished steps for a resume: SUCCEEDED and CACHED steps are kept (never re-run); failed,
 * cancelled, skipped and interrupted ones go back to PENDING with a fresh retry budget. A fan-out node that
 * already has instances stays RUNNING so its finished instances are kept too. Returns the changed records.
 */
export function resetForResume(steps: StepRecord[], planSteps: Map<string, PlanStep>): StepRecord[] {
  const expanded = new Set(steps.filter((s) => s.item !== null).map((s) => s.planStep));
  const changed: StepRecord[] = [];
  for (const s of steps) {
    if (s.status === "SUCCEEDED" || s.status === "CACHED") continue;
    const isNode = s.item === null && planSteps.get(s.planStep)?.map != null;
    const status = isNode && expanded.has(s.planStep) ? "RUNNING" : "PENDING";
    Object.assign(s, { status, attempt: 0, error: null, endedTime: null });
    changed.push(s);
  }
  return changed;
}
