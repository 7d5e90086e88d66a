import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import type { PipelineClient, PipelineEvent, PipelineRunStatusView } from "../../pipelines/index.js";
import { globalOptions } from "../context.js";
import { examples } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { registerLogs } from "./pipeline-logs.js";
import { registerScheduler, registerSchedules } from "./pipeline-schedules.js";
import { parsePair, withPipelineClient } from "./pipeline-service.js";
import { registerTriggers } from "./pipeline-triggers.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function printSummary(s: PipelineRunStatusView): void {
  const r = s.run;
  process.stdout.write(`${r.pipeline}  run ${r.runId}  ${r.status}${r.error ? `  (${r.error})` : ""}\n`);
  const rows = s.steps.map((st) => [
    st.stepId,
    st.status,
    String(st.attempt),
    st.startedTime && st.endedTime ? `${((st.endedTime - st.startedTime) / 1000).toFixed(2)} s` : "-",
    st.trackingRunId ?? "-",
    st.error
      ? `${st.error.reason}: ${st.error.message}`
      : st.cachedFrom
        ? `cached from ${st.cachedFrom}`
        : "",
  ]);
  printTable(["STEP", "STATUS", "ATTEMPT", "TIME", "TRACKING RUN", "DETAIL"], rows, "  ");
}

/**
 * Follows a run in the terminal (one line per step change, with progress) until it ends, prints its
 * summary, and fails the command when the run fails. Works the same for runs this process drives and
 * runs a server drives.
 */
async function follow(cmd: Command, client: PipelineClient, start: () => Promise<string>): Promise<void> {
  const json = globalOptions(cmd).json;
  const finished = new Set<string>();
  const runId = await start();
  if (!json) process.stderr.write(`run ${runId} started\n`);
  const watch = await client.watch(runId, (e: PipelineEvent) => {
    if (json || e.type !== "step") return;
    if (!["PENDING", "RUNNING"].includes(e.status)) finished.add(e.stepId);
    const tail = e.error
      ? `  ${e.error}`
      : e.status === "RUNNING" && e.attempt > 1
        ? `  (attempt ${e.attempt})`
        : "";
    process.stderr.write(
      `${formatTime(Date.now()).slice(11)}  [${finished.size} done]  ${e.stepId.padEnd(24)} ${e.status}${tail}\n`,
    );
  });
  await watch.done;
  const summary = await client.status(runId);
  emit(cmd, summary, () => printSummary(summary));
  if (summary.run.status !== "SUCCEEDED") {
    throw new GyreError(
      "PIPELINE_RUN_FAILED",
      `Pipeline run ${runId} ${summary.run.status.toLowerCase()}: ${summary.run.error} — fix it, then \`gyre pipeline resume ${runId}\``,
    );
  }
}

function registerList(group: Command): void {
  group
    .command("list")
    .description("List the pipelines defined in gyre.config.ts (or --file), or recent runs with --runs")
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .option("--runs [pipeline]", "list recent runs (of one pipeline) instead")
    .addHelpText("after", examples(["gyre pipeline list", "gyre pipeline list --runs training --json"]))
    .action(async (opts: { file?: string; runs?: string | boolean }, cmd: Command) =>
      withPipelineClient(
        cmd,
        async (client) => {
          if (opts.runs !== undefined) {
            const runs = await client.runs({
              pipeline: typeof opts.runs === "string" ? opts.runs : undefined,
            });
            const rows = runs.map((r) => [
              r.runId,
              r.pipeline,
              r.status,
              formatTime(r.createdTime),
              formatTime(r.endedTime),
            ]);
            return emit(cmd, runs, () => printTable(["RUN", "PIPELINE", "STATUS", "STARTED", "ENDED"], rows));
          }
          const defs = await client.describe();
          const rows = defs.map((d) => [d.name, String(d.steps), Object.keys(d.params).join(", ") || "-"]);
          emit(cmd, defs, () => printTable(["PIPELINE", "STEPS", "PARAMS"], rows));
        },
        opts.file,
      ),
    );
}

interface RunOptions {
  file?: string;
  param?: Record<string, string>;
  input?: Record<string, string>;
  cache: boolean;
  noCacheStep?: string[];
  experiment?: string;
}

function registerRun(group: Command): void {
  group
    .command("run <pipeline>")
    .description("Run a pipeline and follow it until it ends (exit code 6 when it fails)")
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .option("--param <name=value>", "a pipeline parameter (repeatable)", parsePair)
    .option("--input <name=path>", "a pipeline input file (repeatable)", parsePair)
    .option("--no-cache", "run every step even when a cached result exists")
    .option("--no-cache-step <step>", "run this step (id or name) even if cached (repeatable)", collect)
    .option("--experiment <name>", "experiment of the run (default: the pipeline's name)")
    .addHelpText(
      "after",
      examples([
        "gyre pipeline run training --param epochs=5",
        "gyre pipeline run training --no-cache --json",
      ]),
    )
    .action(async (name: string, opts: RunOptions, cmd: Command) =>
      withPipelineClient(
        cmd,
        (client) =>
          follow(cmd, client, () =>
            client.start(name, {
              params: opts.param,
              inputs: opts.input,
              noCache: !opts.cache,
              noCacheSteps: opts.noCacheStep,
              experiment: opts.experiment,
            }),
          ),
        opts.file,
      ),
    );
}

function registerRunVerbs(group: Command): void {
  group
    .command("status <run-id>")
    .description("Show a pipeline run and the state of each step")
    .action(async (runId: string, _o: unknown, cmd: Command) =>
      withPipelineClient(
        cmd,
        async (client) => {
          const s = await client.status(runId);
          emit(cmd, s, () => printSummary(s));
        },
        null,
      ),
    );
  group
    .command("resume <run-id>")
    .description("Continue an interrupted, failed or cancelled run; steps that succeeded are not run again")
    .action(async (runId: string, _o: unknown, cmd: Command) =>
      withPipelineClient(cmd, (client) => follow(cmd, client, () => client.resume(runId)), null),
    );
  group
    .command("cancel <run-id>")
    .description("Cancel a run: running steps are killed, pending steps never start")
    .action(async (runId: string, _o: unknown, cmd: Command) =>
      withPipelineClient(
        cmd,
        async (client) => {
          await client.cancel(runId);
          emit(cmd, { runId, cancelRequested: true }, () =>
            process.stdout.write(`cancel requested for run ${runId}\n`),
          );
        },
        null,
      ),
    );
}

/** `gyre pipeline …`: list, run, status, resume, cancel and logs of runs; schedules and the scheduler. */
export function registerPipeline(program: Command): void {
  const group = program
    .command("pipeline")
    .description("Run pipelines defined as TypeScript code, with caching, retries and resume");
  registerList(group);
  registerRun(group);
  registerRunVerbs(group);
  registerLogs(group);
  registerSchedules(group);
  registerTriggers(group);
  registerScheduler(group);
}
