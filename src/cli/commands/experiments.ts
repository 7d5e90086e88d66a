import { type Command, Option } from "commander";
import type { Experiment, Tag, ViewType } from "../../metadata/index.js";
import { resolveExperiment, withTracking } from "../context.js";
import { examples, parseCount, parseTag } from "../options.js";
import { emit, formatTime, printNextPage, printTable } from "../output.js";

interface ListOptions {
  all?: boolean;
  deleted?: boolean;
  filter?: string;
  maxResults?: number;
  pageToken?: string;
}

function viewType(opts: ListOptions): ViewType {
  if (opts.all) return "ALL";
  return opts.deleted ? "DELETED_ONLY" : "ACTIVE_ONLY";
}

function printExperiments(items: Experiment[]): void {
  if (items.length === 0) {
    process.stdout.write("No experiments found. Create one with `gyre experiments create <name>`\n");
    return;
  }
  const rows = items.map((e) => [
    e.experimentId,
    e.name,
    e.lifecycleStage,
    formatTime(e.creationTime),
    e.artifactLocation,
  ]);
  printTable(["ID", "NAME", "STAGE", "CREATED (UTC)", "ARTIFACT LOCATION"], rows);
}

function registerList(group: Command): void {
  group
    .command("list")
    .description("List experiments, newest first (active ones unless --all or --deleted)")
    .addOption(new Option("--all", "include deleted experiments").conflicts("deleted"))
    .option("--deleted", "only deleted experiments (restore them with `gyre experiments restore`)")
    .option("--filter <expr>", "MLflow experiment filter, e.g. \"name LIKE 'flights%'\"")
    .option("--max-results <n>", "at most this many experiments (default 1000)", parseCount)
    .option("--page-token <token>", "continue from a previous listing")
    .addHelpText(
      "after",
      examples([
        "gyre experiments list",
        "gyre experiments list --deleted",
        "gyre experiments list --filter \"tags.team = 'forecasting'\" --json",
      ]),
    )
    .action(async (opts: ListOptions, cmd: Command) => {
      const page = await withTracking(cmd, (client) =>
        client.searchExperiments({
          viewType: viewType(opts),
          filter: opts.filter,
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        }),
      );
      emit(cmd, page, () => {
        printExperiments(page.items);
        printNextPage(page.nextPageToken);
      });
    });
}

function registerCreate(group: Command): void {
  group
    .command("create <name>")
    .description("Create an experiment (names are unique among active experiments)")
    .option("--artifact-location <uri>", "where its runs store artifacts (default: under the artifact store)")
    .option("--tag <key=value>", "set a tag; repeat for several", parseTag, [] as Tag[])
    .addHelpText(
      "after",
      examples([
        "gyre experiments create flights",
        "gyre experiments create flights --tag team=forecasting --tag owner=ana --json",
      ]),
    )
    .action(async (name: string, opts: { artifactLocation?: string; tag: Tag[] }, cmd: Command) => {
      const options = {
        tags: opts.tag,
        ...(opts.artifactLocation ? { artifactLocation: opts.artifactLocation } : {}),
      };
      const exp = await withTracking(cmd, (client) => client.createExperiment(name, options));
      emit(cmd, exp, () =>
        process.stdout.write(`Created experiment '${exp.name}' with id ${exp.experimentId}\n`),
      );
    });
}

function registerDeleteRestore(group: Command): void {
  group
    .command("delete <id-or-name>")
    .description("Soft-delete an experiment and its runs; its name becomes free again")
    .addHelpText("after", examples(["gyre experiments delete flights", "gyre experiments delete 3"]))
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const exp = await withTracking(cmd, async (client) => {
        const found = await resolveExperiment(client, ref);
        await client.deleteExperiment(found.experimentId);
        return found;
      });
      emit(cmd, { experimentId: exp.experimentId, name: exp.name, lifecycleStage: "deleted" }, () =>
        process.stdout.write(
          `Deleted experiment '${exp.name}' (id ${exp.experimentId}); undo with \`gyre experiments restore ${exp.experimentId}\`\n`,
        ),
      );
    });
  group
    .command("restore <id-or-name>")
    .description("Restore a deleted experiment and its runs")
    .addHelpText("after", examples(["gyre experiments list --deleted", "gyre experiments restore 3"]))
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const exp = await withTracking(cmd, async (client) => {
        const found = await resolveExperiment(client, ref);
        await client.restoreExperiment(found.experimentId);
        return found;
      });
      emit(cmd, { experimentId: exp.experimentId, name: exp.name, lifecycleStage: "active" }, () =>
        process.stdout.write(`Restored experiment '${exp.name}' (id ${exp.experimentId})\n`),
      );
    });
}

/** `gyre experiments list | create | delete | restore`. */
export function registerExperiments(program: Command): void {
  const group = program
    .command("experiments")
    .description("Create, list, delete and restore experiments")
    .addHelpText("after", examples(["gyre experiments create flights", "gyre experiments list --json"]));
  registerList(group);
  registerCreate(group);
  registerDeleteRestore(group);
}
