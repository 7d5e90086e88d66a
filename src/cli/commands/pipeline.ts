import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { GyreError } from "../../core/index.js";
import {
  type CatchUp,
  loadPipelines,
  openPipelines,
  type PipelineDef,
  type PipelineEvent,
  type PipelineRunSummary,
  type PipelineService,
  type RunHandle,
  schedulerFor,
} from "../../pipelines/index.js";
import { cliConfig, globalOptions } from "../context.js";
import { examples } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";

/** Commander parser for a repeatable `k=v`, collected into a record. */
function parsePair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected name=value, e.g. --param epochs=3");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Pipeline definitions: from `file`, else gyre.config.ts (or --config) when it exists; none for `null`. */
async function definitions(cmd: Command, file: string | null | undefined): Promise<PipelineDef[]> {
  if (file === null) return [];
  if (file) return loadPipelines(resolve(file));
  const config = resolve(globalOptions(cmd).config ?? "gyre.config.ts");
  return existsSync(config) ? loadPipelines(config) : [];
}

/** Opens the pipeline service on the configured store with the pipelines of `file` registered, runs `fn`, closes it. */
async function withPipelines<T>(
  cmd: Command,
  fn: (svc: PipelineService) => Promise<T>,
  file?: string | null,
): Promise<T> {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre pipeline` drives runs itself: point --store at the database (sqlite://…, postgres://…), not a server",
      { field: "store" },
    );
  }
  const defs = await definitions(cmd, file);
  const svc = await openPipelines({ store: config.store, artifacts: config.artifacts });
  try {
    svc.register(...defs);
    return await fn(svc);
  } finally {
    await svc.close();
  }
}

/** The run as JSON for --json: everything but the (large) plan. */
function summaryJson(s: PipelineRunSummary): unknown {
  const { plan: _plan, ...run } = s.run;
  return { run, steps: s.steps };
}

function printSummary(s: PipelineRunSummary): void {
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

/** Follows a run in the terminal (one line per change, with progress) and fails the command when the run fails. */
async function follow(cmd: Command, svc: PipelineService, start: () => Promise<RunHandle>): Promise<void> {
  const json = globalOptions(cmd).json;
  const finished = new Set<string>();
  const off = svc.subscribe((e: PipelineEvent) => {
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
  try {
    const handle = await start();
    if (!json) process.stderr.write(`run ${handle.runId} started\n`);
    const summary = await handle.done;
    emit(cmd, summaryJson(summary), () => printSummary(summary));
    if (summary.run.status !== "SUCCEEDED") {
      throw new GyreError(
        "PIPELINE_RUN_FAILED",
        `Pipeline run ${summary.run.runId} ${summary.run.status.toLowerCase()}: ${summary.run.error} — fix it, then \`gyre pipeline resume ${summary.run.runId}\``,
      );
    }
  } finally {
    off();
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
      withPipelines(
        cmd,
        async (svc) => {
          if (opts.runs !== undefined) {
            const runs = await svc.listRuns({
              pipeline: typeof opts.runs === "string" ? opts.runs : undefined,
            });
            const rows = runs.map((r) => [
              r.runId,
              r.pipeline,
              r.status,
              formatTime(r.createdTime),
              formatTime(r.endedTime),
            ]);
            return emit(
              cmd,
              runs.map(({ plan: _p, ...r }) => r),
              () => printTable(["RUN", "PIPELINE", "STATUS", "STARTED", "ENDED"], rows),
            );
          }
          const defs = svc
            .pipelines()
            .map((d) => ({ name: d.name, params: d.params, plan: svc.plan(d.name) }));
          const rows = defs.map((d) => [
            d.name,
            String(d.plan.steps.length),
            Object.keys(d.params).join(", ") || "-",
          ]);
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
      withPipelines(
        cmd,
        (svc) =>
          follow(cmd, svc, () =>
            svc.start(name, {
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
      withPipelines(
        cmd,
        async (svc) => {
          const s = await svc.status(runId);
          emit(cmd, summaryJson(s), () => printSummary(s));
        },
        null,
      ),
    );
  group
    .command("resume <run-id>")
    .description("Continue an interrupted, failed or cancelled run; steps that succeeded are not run again")
    .action(async (runId: string, _o: unknown, cmd: Command) =>
      withPipelines(cmd, (svc) => follow(cmd, svc, () => svc.resume(runId)), null),
    );
  group
    .command("cancel <run-id>")
    .description("Cancel a run: running steps are killed, pending steps never start")
    .action(async (runId: string, _o: unknown, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          await svc.cancel(runId);
          emit(cmd, { runId, cancelRequested: true }, () =>
            process.stdout.write(`cancel requested for run ${runId}\n`),
          );
        },
        null,
      ),
    );
  group
    .command("logs <run-id> [step]")
    .description("Print the stored stdout and stderr of a run's steps (or one step)")
    .action(async (runId: string, step: string | undefined, _o: unknown, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const s = await svc.status(runId);
          for (const st of s.steps.filter((x) => x.trackingRunId && (!step || x.stepId === step))) {
            for (const file of ["stdout", "stderr"]) {
              const text = await readArtifact(svc, st.trackingRunId!, `logs/${file}.txt`);
              if (text)
                process.stdout.write(
                  `==> ${st.stepId} ${file} <==\n${text}${text.endsWith("\n") ? "" : "\n"}`,
                );
            }
          }
        },
        null,
      ),
    );
}

async function readArtifact(svc: PipelineService, runId: string, path: string): Promise<string | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of await svc.tracking.downloadArtifact(runId, path)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch {
    return null;
  }
}

interface ScheduleOptions {
  file?: string;
  cron: string;
  timezone?: string;
  param?: Record<string, string>;
  catchup?: CatchUp;
  maxConcurrent?: number;
}

function registerSchedules(group: Command): void {
  const sched = group
    .command("schedule")
    .description("Cron schedules of pipelines (time zone, catch-up, max concurrent runs)");
  sched
    .command("list")
    .description("List schedules with their next firing")
    .action(async (_o: unknown, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const all = await (await schedulerFor(svc)).list();
          const rows = all.map((x) => [
            x.name,
            x.pipeline,
            x.cron,
            x.timezone,
            x.enabled ? "yes" : "no",
            formatTime(x.nextFire),
          ]);
          emit(cmd, all, () =>
            printTable(["SCHEDULE", "PIPELINE", "CRON", "TIME ZONE", "ENABLED", "NEXT (UTC)"], rows),
          );
        },
        null,
      ),
    );
  registerScheduleAdd(sched);
  registerScheduleToggles(sched);
}

function registerScheduleAdd(sched: Command): void {
  sched
    .command("add <name> <pipeline>")
    .description("Schedule a pipeline defined in gyre.config.ts (or --file)")
    .requiredOption("--cron <expr>", 'cron expression, e.g. "0 6 * * 1-5"')
    .option("--timezone <iana>", "time zone the cron is read in (default UTC)")
    .option("--param <name=value>", "a pipeline parameter (repeatable)", parsePair)
    .option("--catchup <policy>", "missed firings: none, latest (default) or all")
    .option("--max-concurrent <n>", "skip a firing while this many runs are active (default 1)", Number)
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .addHelpText(
      "after",
      examples(['gyre pipeline schedule add nightly training --cron "0 2 * * *" --timezone Europe/Berlin']),
    )
    .action(async (name: string, pipeline: string, o: ScheduleOptions, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const s = await (await schedulerFor(svc)).add({
            name,
            pipeline,
            cron: o.cron,
            timezone: o.timezone,
            params: o.param,
            catchup: o.catchup,
            maxConcurrent: o.maxConcurrent,
          });
          emit(cmd, s, () =>
            process.stdout.write(`schedule ${name}: next firing ${formatTime(s.nextFire)} UTC\n`),
          );
        },
        o.file,
      ),
    );
}

function registerScheduleToggles(sched: Command): void {
  for (const [verb, what] of [
    ["remove", "Remove a schedule"],
    ["enable", "Resume a paused schedule (from its next cron time)"],
    ["disable", "Pause a schedule"],
  ] as const) {
    sched
      .command(`${verb} <name>`)
      .description(what)
      .action(async (name: string, _o: unknown, cmd: Command) =>
        withPipelines(
          cmd,
          async (svc) => {
            const scheduler = await schedulerFor(svc);
            if (verb === "remove") await scheduler.remove(name);
            else await scheduler.setEnabled(name, verb === "enable");
            emit(cmd, { name, [verb]: true }, () => process.stdout.write(`schedule ${name}: ${verb}d\n`));
          },
          null,
        ),
      );
  }
}

function registerScheduler(group: Command): void {
  group
    .command("scheduler")
    .description(
      "Run the scheduler in the foreground: resumes orphaned runs, then fires schedules (stop with Ctrl-C)",
    )
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .action(async (o: { file?: string }, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const scheduler = await schedulerFor(svc, {
            onError: (e, name) => process.stderr.write(`schedule ${name}: ${(e as Error).message}\n`),
          });
          await scheduler.start();
          process.stderr.write("scheduler running; Ctrl-C to stop\n");
          await new Promise<void>((resolve) => process.once("SIGINT", resolve).once("SIGTERM", resolve));
          scheduler.stop();
        },
        o.file,
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
  registerSchedules(group);
  registerScheduler(group);
}
