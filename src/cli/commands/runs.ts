import type { Command } from "commander";
import { type Page, type Run, runToWire, type TrackingClient } from "../../metadata/index.js";
import { resolveExperiment, withTracking } from "../context.js";
import { examples, parseCount } from "../options.js";
import { emit, printNextPage } from "../output.js";
import { columnsOf, printRun, printRuns } from "../run-format.js";

interface SearchOptions {
  experiment: string[];
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}

async function experimentIds(client: TrackingClient, refs: string[]): Promise<string[]> {
  const found = await Promise.all(refs.map((ref) => resolveExperiment(client, ref)));
  return found.map((e) => e.experimentId);
}

function wirePage(page: Page<Run>) {
  return { items: page.items.map(runToWire), nextPageToken: page.nextPageToken };
}

function registerList(group: Command): void {
  group
    .command("list")
    .description("List the runs of one experiment, newest first")
    .requiredOption("--experiment <id-or-name>", "the experiment")
    .option("--max-results <n>", "at most this many runs (default 1000)", parseCount)
    .option("--page-token <token>", "continue from a previous listing")
    .addHelpText(
      "after",
      examples(["gyre runs list --experiment flights", "gyre runs list --experiment 3 --json"]),
    )
    .action(async (opts: Omit<SearchOptions, "experiment"> & { experiment: string }, cmd: Command) => {
      const page = await withTracking(cmd, async (client) =>
        client.searchRuns({
          experimentIds: await experimentIds(client, [opts.experiment]),
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        }),
      );
      emit(cmd, wirePage(page), () => {
        printRuns(page.items);
        printNextPage(page.nextPageToken);
      });
    });
}

function registerSearch(group: Command): void {
  group
    .command("search")
    .description("Search runs with MLflow's filter grammar (plus OR and parentheses)")
    .requiredOption("--experiment <id-or-name...>", "one or more experiments to search")
    .option("--filter <expr>", "e.g. \"metrics.acc > 0.9 OR params.model = 'gbm'\"")
    .option("--order-by <clause...>", 'e.g. "metrics.acc DESC" (default: newest first)')
    .option("--max-results <n>", "at most this many runs (default 1000)", parseCount)
    .option("--page-token <token>", "continue from a previous search")
    .addHelpText(
      "after",
      examples([
        "gyre runs search --experiment flights --filter \"metrics.auc > 0.7 OR params.lr = '0.1'\"",
        'gyre runs search --experiment flights baseline --order-by "metrics.auc DESC" --max-results 5',
        "gyre runs search --experiment 3 --filter \"attributes.status = 'FINISHED'\" --json",
      ]),
    )
    .action(async (opts: SearchOptions, cmd: Command) => {
      const page = await withTracking(cmd, async (client) =>
        client.searchRuns({
          experimentIds: await experimentIds(client, opts.experiment),
          filter: opts.filter,
          orderBy: opts.orderBy,
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        }),
      );
      emit(cmd, wirePage(page), () => {
        printRuns(page.items, columnsOf(opts.filter, opts.orderBy));
        printNextPage(page.nextPageToken);
      });
    });
}

function registerShowDelete(group: Command): void {
  group
    .command("show <run-id>")
    .description("Show a run: info, params, latest metrics, tags and dataset inputs")
    .addHelpText("after", examples(["gyre runs show 7f3a9c…", "gyre runs show 7f3a9c… --json"]))
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      const { run, experiment } = await withTracking(cmd, async (client) => {
        const found = await client.getRun(runId);
        return { run: found, experiment: await client.getExperiment(found.info.experimentId) };
      });
      emit(cmd, runToWire(run), () => printRun(run, experiment));
    });
  group
    .command("delete <run-id>")
    .description("Soft-delete a run; it no longer shows in lists and searches")
    .addHelpText("after", examples(["gyre runs delete 7f3a9c…"]))
    .action(async (runId: string, _opts: unknown, cmd: Command) => {
      await withTracking(cmd, (client) => client.deleteRun(runId));
      emit(cmd, { runId, lifecycleStage: "deleted" }, () => process.stdout.write(`Deleted run ${runId}\n`));
    });
}

/** `gyre runs list | search | show | delete`. */
export function registerRuns(program: Command): void {
  const group = program
    .command("runs")
    .description("List, search, inspect and delete runs")
    .addHelpText(
      "after",
      examples([
        "gyre runs list --experiment flights",
        'gyre runs search --experiment flights --filter "metrics.auc > 0.7"',
        "gyre runs show 7f3a9c…",
      ]),
    );
  registerList(group);
  registerSearch(group);
  registerShowDelete(group);
}
