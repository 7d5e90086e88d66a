import type { Command } from "commander";
import { type CatchUp, schedulerFor } from "../../pipelines/index.js";
import { examples } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { parsePair, registerToggles, withPipelines } from "./pipeline-service.js";

interface ScheduleOptions {
  file?: string;
  cron: string;
  timezone?: string;
  param?: Record<string, string>;
  catchup?: CatchUp;
  maxConcurrent?: number;
}

/** `gyre pipeline schedule list|add|remove|enable|disable`. */
export function registerSchedules(group: Command): void {
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
  registerToggles(sched, "schedule", (svc) => schedulerFor(svc), {
    remove: "Remove a schedule",
    enable: "Resume a paused schedule (from its next cron time)",
    disable: "Pause a schedule",
  });
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

/** `gyre scheduler` (and `gyre pipeline scheduler`): the scheduler alone, in the foreground. */
export function registerScheduler(group: Command): void {
  group
    .command("scheduler")
    .description(
      "Run the scheduler in the foreground: resumes orphaned runs, then fires schedules and polls dataset and git triggers (stop with Ctrl-C)",
    )
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .action(async (o: { file?: string }, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const scheduler = await schedulerFor(svc, {
            onError: (e, name) =>
              process.stderr.write(
                `${name === "triggers" ? name : `schedule ${name}`}: ${(e as Error).message}\n`,
              ),
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
