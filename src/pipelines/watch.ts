import type { PipelineEvent } from "./run-context.js";
import type { PipelineRunSummary, PipelineService } from "./service.js";

/** How to watch a run. */
export interface WatchOptions {
  /** How often the store is read for changes made by other processes, ms (default 1000). */
  pollMs?: number;
}

/** A run being watched: `done` resolves once its final status was delivered (or `stop()` was called). */
export interface RunWatch {
  stop(): void;
  done: Promise<void>;
}

/** The events that describe a stored run as it is now: steps first when the run has ended, else run first. */
function snapshotEvents(s: PipelineRunSummary): PipelineEvent[] {
  const r = s.run;
  const run: PipelineEvent = {
    type: "run",
    runId: r.runId,
    pipeline: r.pipeline,
    status: r.status,
    error: r.error,
  };
  const steps: PipelineEvent[] = s.steps.map((st) => ({
    type: "step",
    runId: st.runId,
    stepId: st.stepId,
    status: st.status,
    attempt: st.attempt,
    error: st.error?.message ?? null,
  }));
  return r.status === "RUNNING" ? [run, ...steps] : [...steps, run];
}

/**
 * Delivers a run's status changes to `onEvent`, in order and each change once: first the current state,
 * then live events of this process (`subscribe()`) merged with changes read from the store every `pollMs`
 * (runs driven by another process). Ends after the run's final status. Throws PIPELINE_RUN_NOT_FOUND up front.
 */
export async function watchRun(
  service: PipelineService,
  runId: string,
  onEvent: (e: PipelineEvent) => void,
  options: WatchOptions = {},
): Promise<RunWatch> {
  const last = new Map<string, string>();
  let buffered: PipelineEvent[] | null = [];
  let stopped = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const deliver = (e: PipelineEvent) => {
    if (stopped) return;
    const key = e.type === "run" ? "" : e.stepId;
    const value = `${e.status}/${e.type === "step" ? e.attempt : ""}`;
    if (last.get(key) === value) return;
    last.set(key, value);
    onEvent(e);
    if (e.type === "run" && e.status !== "RUNNING") stop();
  };
  const off = service.subscribe((e) => {
    if (e.runId !== runId) return;
    if (buffered) buffered.push(e);
    else deliver(e);
  });
  const poll = async () => {
    buffered ??= [];
    try {
      for (const e of snapshotEvents(await service.status(runId))) deliver(e);
    } finally {
      const pending = buffered;
      buffered = null;
      for (const e of pending) deliver(e);
    }
  };
  const timer = setInterval(() => {
    if (!buffered) void poll().catch(() => undefined);
  }, options.pollMs ?? 1000);
  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    off();
    finish();
  }
  try {
    await poll();
  } catch (e) {
    stop();
    throw e;
  }
  return { stop, done };
}
