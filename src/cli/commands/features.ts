import type { Command } from "commander";
import type { Plan, StoredDefinition } from "../../features/index.js";
import { examples, parseCount } from "../options.js";
import { emit, formatTime, printFields, printTable } from "../output.js";
import { registerFeatureData } from "./features-data.js";
import { withFeatures } from "./features-service.js";

const FILE_OPTION = [
  "--file <module>",
  "TypeScript module exporting the definitions (default: gyre.config.ts)",
] as const;

function printPlan(plan: Plan, applied: boolean): void {
  const rows = plan.changes.map((c) => [
    c.action,
    c.kind,
    c.name,
    c.fromVersion === null ? "-" : String(c.fromVersion),
    c.toVersion === null ? "-" : String(c.toVersion),
    c.fields.join(", "),
  ]);
  printTable(["ACTION", "KIND", "NAME", "FROM", "TO", "CHANGED"], rows);
  const n = plan.changes.filter((c) => c.action !== "unchanged").length;
  const tail = applied
    ? `Applied ${n} change(s); registry revision ${plan.revision}.`
    : n === 0
      ? "Nothing to apply."
      : `${n} change(s) to apply at revision ${plan.revision}: run \`gyre features apply --revision ${plan.revision}\``;
  process.stdout.write(`${tail}\n`);
}

function registerPlanApply(group: Command): void {
  group
    .command("plan")
    .description("Show what `apply` would change: the diff between the definitions in code and the registry")
    .option(...FILE_OPTION)
    .addHelpText("after", examples(["gyre features plan", "gyre features plan --file features.ts --json"]))
    .action(async (opts: { file?: string }, cmd: Command) =>
      withFeatures(
        cmd,
        async (fs) => {
          const plan = await fs.plan();
          emit(cmd, plan, () => printPlan(plan, false));
        },
        opts.file,
      ),
    );
  group
    .command("apply")
    .description("Validate the definitions (their SQL included) and apply them in one transaction, versioned")
    .option(...FILE_OPTION)
    .option("--revision <n>", "refuse if the registry moved past this revision (from `plan`)", parseCount)
    .addHelpText("after", examples(["gyre features apply", "gyre features apply --revision 3 --json"]))
    .action(async (opts: { file?: string; revision?: number }, cmd: Command) =>
      withFeatures(
        cmd,
        async (fs) => {
          const plan = await fs.apply(opts.revision);
          emit(cmd, plan, () => printPlan(plan, true));
        },
        opts.file,
      ),
    );
}

function summary(d: StoredDefinition): string {
  const s = d.spec as Record<string, unknown>;
  if (d.kind === "entity") return `keys ${Object.keys(s.joinKeys as object).join(", ")}`;
  if (d.kind === "source") return String(s.path ?? "SQL query");
  if (d.kind === "featureView" || d.kind === "onDemandFeatureView")
    return `${Object.keys(s.features as object).length} features${s.ttlSeconds ? `, ttl ${s.ttlSeconds} s` : ""}`;
  return (s.features as string[]).join(", ");
}

function registerListDescribe(group: Command): void {
  group
    .command("list")
    .description("List the applied entities, sources, feature views and feature services")
    .addHelpText("after", examples(["gyre features list", "gyre features list --json"]))
    .action(async (_opts: unknown, cmd: Command) =>
      withFeatures(cmd, async (fs) => {
        const { revision, definitions } = await fs.list();
        const rows = definitions.map((d) => [
          d.kind,
          d.name,
          String(d.version),
          formatTime(d.createdTime),
          summary(d),
        ]);
        emit(cmd, { revision, definitions }, () =>
          printTable(["KIND", "NAME", "VERSION", "APPLIED", "SUMMARY"], rows),
        );
      }),
    );
  group
    .command("describe <name>")
    .description("Show an applied definition; for feature views also statistics and online freshness")
    .option(
      "--at-version <n>",
      "show this version of the definition instead (superseded ones too)",
      parseCount,
    )
    .addHelpText(
      "after",
      examples([
        "gyre features describe airport_delays_7d",
        "gyre features describe airport_delays_7d --at-version 1 --json",
      ]),
    )
    .action(async (name: string, opts: { atVersion?: number }, cmd: Command) =>
      withFeatures(cmd, async (fs) => {
        const def = await fs.describe(name, undefined, opts.atVersion);
        const stats =
          def.kind === "featureView" && opts.atVersion === undefined ? await fs.stats(name) : null;
        emit(cmd, { definition: def, stats }, () => {
          process.stdout.write(
            `${def.kind} ${def.name} v${def.version} (applied ${formatTime(def.createdTime)})\n`,
          );
          process.stdout.write(`${JSON.stringify(def.spec, null, 2)}\n`);
          if (!stats) return;
          printFields([
            ["rows", String(stats.rowCount)],
            ["latest event", formatTime(stats.latestEventTime)],
            ["online up to", formatTime(stats.watermark)],
            ["online rows", String(stats.onlineRows)],
          ]);
          const rows = stats.features.map((f) => [
            f.name,
            f.type,
            `${(f.nullRate * 100).toFixed(1)} %`,
            f.top
              ? f.top.map((t) => `${t.value} (${t.count})`).join(", ")
              : `${f.min ?? "-"} / ${f.max ?? "-"} / ${f.mean?.toFixed(3) ?? "-"}`,
          ]);
          printTable(["FEATURE", "TYPE", "NULLS", "MIN / MAX / MEAN or TOP"], rows, "  ");
        });
      }),
    );
}

/** `gyre features …`: definitions as code, materialization, online lookups and training sets. */
export function registerFeatures(program: Command): void {
  const group = program
    .command("features")
    .description("Feature store: plan/apply definitions, materialize to the online store, look up features")
    .addHelpText(
      "after",
      examples([
        "gyre features plan && gyre features apply",
        "gyre features materialize --incremental",
        "gyre features get --entity origin=ATL --features airport_delays_7d:avg_delay_7d",
      ]),
    );
  registerPlanApply(group);
  registerListDescribe(group);
  registerFeatureData(group);
}
