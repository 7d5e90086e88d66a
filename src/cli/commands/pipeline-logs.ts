import type { Command } from "commander";
import type { PipelineClient, PipelineEvent } from "../../pipelines/index.js";
import { examples } from "../options.js";
import { formatTime } from "../output.js";
import { withPipelineClient } from "./pipeline-service.js";

/** Prints the stored stdout and stderr of one step's tracking run. */
async function printStepLogs(client: PipelineClient, stepId: string, trackingRunId: string): Promise<void> {
  for (const file of ["stdout", "stderr"] as const) {
    const text = await client.stepLog(trackingRunId, file);
    if (text) process.stdout.write(`==> ${stepId} ${file} <==\n${text}${text.endsWith("\n") ? "" : "\n"}`);
  }
}

async function printLogs(client: PipelineClient, runId: string, step: string | undefined): Promise<void> {
  const s = await client.status(runId);
  for (const st of s.steps.filter((x) => x.trackingRunId && (!step || x.stepId === step)))
    await printStepLogs(client, st.stepId, st.trackingRunId!);
}

/**
 * Follows a run until it ends: status changes go to stderr as they happen, and each step's logs go to stdout
 * once the step finishes (steps store their output when they end). Works for runs driven by any process.
 */
async function followLogs(client: PipelineClient, runId: string, step: string | undefined): Promise<void> {
  let printing = Promise.resolve();
  const onEvent = (e: PipelineEvent) => {
    if (e.type === "step" && step && e.stepId !== step) return;
    const who = e.type === "run" ? `run ${e.pipeline}` : e.stepId;
    process.stderr.write(
      `${formatTime(Date.now()).slice(11)}  ${who.padEnd(24)} ${e.status}${e.error ? `  ${e.error}` : ""}\n`,
    );
    if (e.type !== "step" || e.status === "PENDING" || e.status === "RUNNING") return;
    printing = printing.then(async () => {
      const rec = (await client.status(runId)).steps.find((s) => s.stepId === e.stepId);
      if (rec?.trackingRunId) await printStepLogs(client, e.stepId, rec.trackingRunId);
    });
  };
  const watch = await client.watch(runId, onEvent);
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
      withPipelineClient(
        cmd,
        (client) => (o.follow ? followLogs(client, runId, step) : printLogs(client, runId, step)),
        null,
      ),
    );
}
