import type { Command } from "commander";
import { type PipelineEvent, type PipelineService, watchRun } from "../../pipelines/index.js";
import { examples } from "../options.js";
import { formatTime } from "../output.js";
import { withPipelines } from "./pipeline-service.js";

/** How often `logs -f` reads the store for changes made by the orchestrator (another process), ms. */
const FOLLOW_POLL_MS = 500;

async function readArtifact(svc: PipelineService, runId: string, path: string): Promise<string | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of await svc.tracking.downloadArtifact(runId, path)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch {
    return null;
  }
}

/** Prints the stored stdout and stderr of one step's tracking run. */
async function printStepLogs(svc: PipelineService, stepId: string, trackingRunId: string): Promise<void> {
  for (const file of ["stdout", "stderr"]) {
    const text = await readArtifact(svc, trackingRunId, `logs/${file}.txt`);
    if (text) process.stdout.write(`==> ${stepId} ${file} <==\n${text}${text.endsWith("\n") ? "" : "\n"}`);
  }
}

async function printLogs(svc: PipelineService, runId: string, step: string | undefined): Promise<void> {
  const s = await svc.status(runId);
  for (const st of s.steps.filter((x) => x.trackingRunId && (!step || x.stepId === step)))
    await printStepLogs(svc, st.stepId, st.trackingRunId!);
}

/**
 * Follows a run until it ends: status changes go to stderr as they happen, and each step's logs go to stdout
 * once the step finishes (steps store their output when they end). Works for runs driven by any process.
 */
async function followLogs(svc: PipelineService, runId: string, step: string | undefined): Promise<void> {
  let printing = Promise.resolve();
  const onEvent = (e: PipelineEvent) => {
    if (e.type === "step" && step && e.stepId !== step) return;
    const who = e.type === "run" ? `run ${e.pipeline}` : e.stepId;
    process.stderr.write(
      `${formatTime(Date.now()).slice(11)}  ${who.padEnd(24)} ${e.status}${e.error ? `  ${e.error}` : ""}\n`,
    );
    if (e.type !== "step" || e.status === "PENDING" || e.status === "RUNNING") return;
    printing = printing.then(async () => {
      const rec = (await svc.status(runId)).steps.find((s) => s.stepId === e.stepId);
      if (rec?.trackingRunId) await printStepLogs(svc, e.stepId, rec.trackingRunId);
    });
  };
  const watch = await watchRun(svc, runId, onEvent, { pollMs: FOLLOW_POLL_MS });
  const stop = () => watch.stop();
  process.once("SIGINT", stop);
  try {
    await watch.done;
    await printing;
  } finally {
    process.off("SIGINT", stop);
  }
}

/** `gyre pipeline logs <run-id> [step] [-f]`. */
export function registerLogs(group: Command): void {
  group
    .command("logs <run-id> [step]")
    .description("Print the stored stdout and stderr of a run's steps (or one step); -f follows the run")
    .option("-f, --follow", "print status changes and each step's logs as it finishes, until the run ends")
    .addHelpText("after", examples(["gyre pipeline logs 7f3a… train", "gyre pipeline logs -f 7f3a…"]))
    .action(async (runId: string, step: string | undefined, o: { follow?: boolean }, cmd: Command) =>
      withPipelines(
        cmd,
        (svc) => (o.follow ? followLogs(svc, runId, step) : printLogs(svc, runId, step)),
        null,
      ),
    );
}
