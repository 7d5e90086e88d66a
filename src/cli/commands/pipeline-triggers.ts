import type { Command } from "commander";
import {
  parseTriggerSpec,
  type Severity,
  type Trigger,
  type TriggerSpec,
  triggersFor,
} from "../../pipelines/index.js";
import { examples } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { parsePair, registerToggles, withPipelines } from "./pipeline-service.js";

/** The CLI form of a trigger spec, as `--on` takes it. */
export function describeSpec(on: TriggerSpec): string {
  if (on.kind === "dataset") return `dataset:${on.dataset}`;
  if (on.kind === "git") return `git:${on.repo}#${on.branch}`;
  const filters = [
    on.deployment,
    on.monitor && `monitor=${on.monitor}`,
    on.minSeverity && `≥${on.minSeverity}`,
  ];
  return ["alert", ...filters.filter(Boolean)].join(":");
}

function triggerRows(all: Trigger[]): string[][] {
  return all.map((t) => [
    t.name,
    t.pipeline,
    describeSpec(t.on),
    t.enabled ? "yes" : "no",
    formatTime(t.createdTime),
  ]);
}

/** `gyre pipeline trigger list|add|remove|enable|disable|events`. */
export function registerTriggers(group: Command): void {
  const trig = group
    .command("trigger")
    .description("Event triggers: a new dataset version, a git commit on a branch, or an alert starts a run");
  trig
    .command("list")
    .description("List triggers")
    .action(async (_o: unknown, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const all = await (await triggersFor(svc)).list();
          emit(cmd, all, () =>
            printTable(["TRIGGER", "PIPELINE", "ON", "ENABLED", "CREATED (UTC)"], triggerRows(all)),
          );
        },
        null,
      ),
    );
  trig
    .command("add <name> <pipeline>")
    .description("Start <pipeline> on an event; what exists when the trigger is added counts as already seen")
    .requiredOption("--on <event>", "dataset:<name or pattern>, git:<repo>#<branch> or alert[:<deployment>]")
    .option(
      "--param <name=value>",
      "a fixed run parameter (repeatable); event fields with a parameter's name override it",
      parsePair,
    )
    .option("--min-severity <level>", "alert triggers: info, warning or critical and above")
    .option("--file <module>", "a TypeScript module exporting pipelines")
    .addHelpText(
      "after",
      examples([
        'gyre pipeline trigger add new-data training --on "dataset:flights-*"',
        "gyre pipeline trigger add on-push training --on git:.#main",
        "gyre pipeline trigger add on-drift training --on alert:flights --min-severity warning",
      ]),
    )
    .action(
      async (
        name: string,
        pipeline: string,
        o: { on: string; param?: Record<string, string>; minSeverity?: string; file?: string },
        cmd: Command,
      ) =>
        withPipelines(
          cmd,
          async (svc) => {
            const spec = parseTriggerSpec(o.on);
            // add() validates the severity along with the rest of the spec.
            const on =
              spec.kind === "alert" && o.minSeverity
                ? { ...spec, minSeverity: o.minSeverity as Severity }
                : spec;
            const t = await (await triggersFor(svc)).add({ name, pipeline, on, params: o.param });
            emit(cmd, t, () =>
              process.stdout.write(`trigger ${name}: ${describeSpec(t.on)} → ${pipeline}\n`),
            );
          },
          o.file,
        ),
    );
  registerToggles(trig, "trigger", (svc) => triggersFor(svc), {
    remove: "Remove a trigger and its event history",
    enable: "Resume a paused trigger",
    disable: "Pause a trigger (events while paused are picked up when it resumes, alerts are not)",
  });
  registerTriggerEvents(trig);
}

function registerTriggerEvents(trig: Command): void {
  trig
    .command("events <name>")
    .description("Events a trigger has seen, newest first, with the runs they started")
    .option("--limit <n>", "at most this many (default 50)", Number)
    .action(async (name: string, o: { limit?: number }, cmd: Command) =>
      withPipelines(
        cmd,
        async (svc) => {
          const events = await (await triggersFor(svc)).events(name, o.limit);
          const rows = events.map((e) => [formatTime(e.createdTime), e.key, e.runId ?? "(seen when added)"]);
          emit(cmd, events, () => printTable(["SEEN (UTC)", "EVENT", "RUN"], rows));
        },
        null,
      ),
    );
}
