import { type Command, InvalidArgumentError } from "commander";
import { withRegistry } from "../context.js";
import { printAliasHistory, printLineage, printModel, printModels, printVersions } from "../model-format.js";
import { examples, parseCount } from "../options.js";
import { emit, printNextPage } from "../output.js";

interface PageOptions {
  filter?: string;
  maxResults?: number;
  pageToken?: string;
}

/** Commander parser for `--at`: an ISO-8601 time (`2026-03-03`, `2026-03-03T12:00:00Z`) or ms since the epoch. */
export function parseTime(value: string): number {
  // A date-time without a zone is read as UTC, like a bare date (JavaScript alone would take local time).
  const iso = /^\d{4}-\d{2}-\d{2}[T ][\d:.]+$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(iso);
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError("expected an ISO time such as 2026-03-03T12:00:00Z");
  return ms;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

function registerList(group: Command): void {
  group
    .command("list")
    .description("List registered models by name")
    .option(
      "--filter <expr>",
      "MLflow model filter, e.g. \"name LIKE 'flights%'\" or \"tags.team = 'ranking'\"",
    )
    .option("--max-results <n>", "at most this many models (default 100, at most 1000)", parseCount)
    .option("--page-token <token>", "continue from a previous listing")
    .addHelpText(
      "after",
      examples(["gyre models list", "gyre models list --filter \"name LIKE 'flights%'\" --json"]),
    )
    .action(async (opts: PageOptions, cmd: Command) => {
      const page = await withRegistry(cmd, (r) =>
        r.searchRegisteredModels({
          filter: opts.filter,
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        }),
      );
      emit(cmd, page, () => {
        printModels(page.items);
        printNextPage(page.nextPageToken);
      });
    });
}

function registerShow(group: Command): void {
  group
    .command("show <name>")
    .description("Show a registered model: description, latest version, aliases and tags")
    .addHelpText("after", examples(["gyre models show flights", "gyre models show flights --json"]))
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const model = await withRegistry(cmd, (r) => r.getRegisteredModel(name));
      emit(cmd, model, () => printModel(model));
    });
}

function registerVersions(group: Command): void {
  group
    .command("versions <name>")
    .description("List a model's versions, newest first, with status, aliases and source run")
    .option("--max-results <n>", "at most this many versions (default 10000)", parseCount)
    .option("--page-token <token>", "continue from a previous listing")
    .addHelpText("after", examples(["gyre models versions flights", "gyre models versions flights --json"]))
    .action(async (name: string, opts: PageOptions, cmd: Command) => {
      const page = await withRegistry(cmd, async (r) => {
        await r.getRegisteredModel(name);
        return r.searchModelVersions({
          filter: `name = ${quote(name)}`,
          orderBy: ["version_number DESC"],
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        });
      });
      emit(cmd, page, () => {
        printVersions(page.items);
        printNextPage(page.nextPageToken);
      });
    });
}

function registerAlias(group: Command): void {
  const alias = group
    .command("alias")
    .description("Point aliases (champion, challenger, …) at versions and read their history")
    .addHelpText(
      "after",
      examples([
        'gyre models alias set flights champion 3 --reason "AUC +0.02 on March data"',
        "gyre models alias history flights champion --at 2026-03-03T12:00:00Z",
      ]),
    );
  alias
    .command("set <name> <alias> <version>")
    .description("Set or move an alias to a READY version; the change is recorded with who, when and why")
    .option("--reason <text>", "why (kept in the alias history)")
    .addHelpText("after", examples(['gyre models alias set flights champion 3 --reason "beats v2 on March"']))
    .action(async (name: string, a: string, version: string, opts: { reason?: string }, cmd: Command) => {
      const history = await withRegistry(cmd, async (r) => {
        await r.setAlias(name, a, version, { reason: opts.reason });
        return r.aliasHistory(name, a);
      });
      const last = history.events[history.events.length - 1];
      emit(cmd, { name, alias: a, version: history.version, event: last ?? null }, () => {
        const was = last && last.toVersion === history.version && last.fromVersion !== null;
        const from = was ? ` (was version ${last.fromVersion})` : "";
        process.stdout.write(`Alias '${a}' of '${name}' now points to version ${history.version}${from}\n`);
      });
    });
  alias
    .command("delete <name> <alias>")
    .description("Remove an alias (recorded in its history)")
    .option("--reason <text>", "why (kept in the alias history)")
    .addHelpText(
      "after",
      examples(['gyre models alias delete flights challenger --reason "experiment over"']),
    )
    .action(async (name: string, a: string, opts: { reason?: string }, cmd: Command) => {
      await withRegistry(cmd, (r) => r.deleteAlias(name, a, { reason: opts.reason }));
      emit(cmd, { name, alias: a, version: null }, () =>
        process.stdout.write(`Alias '${a}' of '${name}' removed\n`),
      );
    });
  alias
    .command("history <name> <alias>")
    .description("Every set, move and delete of an alias; with --at, where it pointed at that moment")
    .option("--at <time>", "ISO time (UTC unless it names a zone) or ms since the epoch", parseTime)
    .addHelpText(
      "after",
      examples([
        "gyre models alias history flights champion",
        "gyre models alias history flights champion --at 2026-03-03 --json",
      ]),
    )
    .action(async (name: string, a: string, opts: { at?: number }, cmd: Command) => {
      const history = await withRegistry(cmd, (r) =>
        r.aliasHistory(name, a, opts.at === undefined ? {} : { at: opts.at }),
      );
      emit(cmd, history, () => printAliasHistory(history));
    });
}

function registerLineage(group: Command): void {
  group
    .command("lineage <name> <version>")
    .description("Where a version came from: its run, the run's datasets (with digests) and git commit")
    .addHelpText("after", examples(["gyre models lineage flights 3", "gyre models lineage flights 3 --json"]))
    .action(async (name: string, version: string, _opts: unknown, cmd: Command) => {
      const graph = await withRegistry(cmd, (r) => r.lineage(name, version));
      emit(cmd, graph, () => printLineage(graph));
    });
}

/** `gyre models list | show | versions | alias set|delete|history | lineage`. */
export function registerModels(program: Command): Command {
  const group = program
    .command("models")
    .description("The model registry: registered models, versions, aliases and their history, lineage")
    .addHelpText(
      "after",
      examples([
        "gyre models list",
        "gyre models versions flights",
        "gyre models alias set flights champion 3 --reason 'better AUC'",
        "gyre models lineage flights 3 --json",
      ]),
    );
  registerList(group);
  registerShow(group);
  registerVersions(group);
  registerAlias(group);
  registerLineage(group);
  return group;
}
