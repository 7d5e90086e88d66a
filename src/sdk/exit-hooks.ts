import type { RunStatus } from "../metadata/index.js";

/** Something that can be ended with a final status (an ActiveRun). */
interface Endable {
  readonly ended: boolean;
  end(status: RunStatus): Promise<void>;
}

const live = new Set<Endable>();
let installed = false;

async function endAll(status: RunStatus): Promise<void> {
  const runs = [...live].filter((r) => !r.ended);
  live.clear();
  await Promise.allSettled(runs.map((r) => r.end(status)));
}

/** The loop went idle with runs still open: finish them (flushing their queues), as MLflow's atexit hook does. */
function onBeforeExit(): void {
  if (live.size > 0) void endAll("FINISHED");
}

/** The process threw: report it as Node would, mark open runs FAILED, then exit 1. */
function onUncaught(err: unknown): void {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  void endAll("FAILED").finally(() => process.exit(1));
}

function onSignal(signal: NodeJS.Signals): void {
  void endAll("KILLED").finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("beforeExit", onBeforeExit);
  process.on("uncaughtException", onUncaught);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("beforeExit", onBeforeExit);
  process.off("uncaughtException", onUncaught);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

/**
 * Tracks `run` until it ends: if the process goes idle it is ended FINISHED, if it throws an uncaught
 * error FAILED, on SIGINT/SIGTERM KILLED. Handlers are installed only while some run is open, so a
 * program without open runs keeps Node's default behaviour. `process.exit()` cannot be intercepted.
 */
export function watchRun(run: Endable): () => void {
  live.add(run);
  install();
  return () => {
    live.delete(run);
    if (live.size === 0) uninstall();
  };
}
