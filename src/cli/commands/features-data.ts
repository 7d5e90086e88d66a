import { resolve } from "node:path";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import type { EntitySource, OnlineResponse } from "../../features/index.js";
import { examples, parseCount } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { parseEntity, parseTime, typedEntityRows, withFeatures } from "./features-service.js";

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

interface MaterializeFlags {
  start?: number;
  end?: number;
  incremental?: boolean;
  view?: string[];
  chunkRows?: number;
}

function registerMaterialize(group: Command): void {
  group
    .command("materialize")
    .description(
      "Write the latest feature values to the online store, in bounded chunks; resumes after a crash",
    )
    .option("--start <time>", "range start, inclusive (ISO time, UTC, or ms since the epoch)", parseTime)
    .option("--end <time>", "range end, exclusive (default: now)", parseTime)
    .option("--incremental", "start each view where its last materialization ended (its watermark)")
    .option("--view <names>", "only these views (comma-separated, repeatable)", list)
    .option("--chunk-rows <n>", "rows per online-store transaction (default 10000)", parseCount)
    .addHelpText(
      "after",
      examples([
        "gyre features materialize --start 2001-01-01 --end 2001-07-01",
        "gyre features materialize --incremental --view airport_delays_7d --json",
      ]),
    )
    .action(async (opts: MaterializeFlags, cmd: Command) =>
      withFeatures(cmd, async (fs) => {
        const tty = Boolean(process.stderr.isTTY);
        const result = await fs.materialize({
          ...(opts.start !== undefined ? { start: opts.start } : {}),
          ...(opts.end !== undefined ? { end: opts.end } : {}),
          ...(opts.incremental ? { incremental: true } : {}),
          ...(opts.view ? { views: opts.view } : {}),
          ...(opts.chunkRows ? { chunkRows: opts.chunkRows } : {}),
          onProgress: (p) => {
            const line = `materialize ${p.view}: ${p.rows.toLocaleString("en-US")} rows in ${p.chunks} chunk(s)`;
            process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
          },
        });
        if (tty) process.stderr.write("\r\x1b[K");
        const rows = result.views.map((v) => [
          v.name,
          formatTime(v.start),
          formatTime(v.end),
          String(v.rows),
          String(v.chunks),
        ]);
        emit(cmd, result, () => printTable(["VIEW", "FROM", "TO", "ROWS", "CHUNKS"], rows));
      }),
    );
}

function printOnline(res: OnlineResponse): void {
  const rows = res.results.flatMap((r, i) =>
    res.featureNames.map((name, j) => [
      String(i),
      name,
      r.values[j] === null ? "null" : String(r.values[j]),
      r.statuses[j]!,
      formatTime(r.eventTimestamps[j]),
    ]),
  );
  printTable(["ROW", "FEATURE", "VALUE", "STATUS", "EVENT TIME"], rows);
}

function registerGet(group: Command): void {
  group
    .command("get")
    .description(
      "Look up online features for entities (values, status PRESENT/MISSING/OUTSIDE_TTL, event times)",
    )
    .requiredOption(
      "--entity <k=v,...>",
      "one entity row (join keys and request fields); repeat for more",
      parseEntity,
    )
    .option(
      "--features <refs>",
      "view:feature references, comma-separated (view alone = all its features)",
      list,
    )
    .option("--feature-service <name>", "the features of a feature service instead")
    .addHelpText(
      "after",
      examples([
        "gyre features get --entity origin=ATL --features airport_delays_1d:avg_delay_1d,airport_delays_7d:share_delayed_7d",
        "gyre features get --entity origin=ATL --entity origin=SFO --feature-service delay_model --json",
      ]),
    )
    .action(
      async (
        opts: { entity: Array<Record<string, string>>; features?: string[]; featureService?: string },
        cmd: Command,
      ) =>
        withFeatures(cmd, async (fs) => {
          const { definitions } = await fs.list();
          const res = await fs.getOnlineFeatures({
            entityRows: typedEntityRows(opts.entity, definitions),
            ...(opts.features ? { features: opts.features } : {}),
            ...(opts.featureService ? { featureService: opts.featureService } : {}),
          });
          emit(cmd, res, () => printOnline(res));
        }),
    );
}

interface TrainingSetFlags {
  entities?: string;
  entitiesSql?: string;
  timestampColumn?: string;
  features?: string[];
  featureService?: string;
  name?: string;
  runId?: string;
}

function registerTrainingSet(group: Command): void {
  group
    .command("training-set")
    .description("Build a point-in-time correct training set (Parquet + manifest in the artifact store)")
    .option("--entities <parquet>", "entity rows: a Parquet file with the join keys and a timestamp column")
    .option("--entities-sql <sql>", "entity rows: a DuckDB query instead")
    .option("--timestamp-column <name>", "the entity rows' time column (default event_timestamp)")
    .option("--features <refs>", "view:feature references, comma-separated", list)
    .option("--feature-service <name>", "the features of a feature service instead")
    .option("--name <name>", "name of the training set (default training-set)")
    .option("--run-id <id>", "log the training set as this tracking run's dataset input (lineage)")
    .addHelpText(
      "after",
      examples([
        "gyre features training-set --entities flights.parquet --timestamp-column date --feature-service delay_model",
        "gyre features training-set --entities-sql \"SELECT origin, date AS event_timestamp FROM 'flights.parquet'\" --features airport_delays_7d --json",
      ]),
    )
    .action(async (opts: TrainingSetFlags, cmd: Command) =>
      withFeatures(cmd, async (fs) => {
        if (!opts.entities && !opts.entitiesSql)
          throw new GyreError(
            "FEATURES_ENTITY_ROWS_INVALID",
            "Give the entity rows: --entities <parquet> or --entities-sql <query>",
            {
              field: "entities",
            },
          );
        const entities: EntitySource = opts.entitiesSql
          ? { sql: opts.entitiesSql }
          : { parquet: resolve(opts.entities!) };
        const set = await fs.getHistoricalFeatures({
          entities,
          ...(opts.timestampColumn ? { timestampColumn: opts.timestampColumn } : {}),
          ...(opts.features ? { features: opts.features } : {}),
          ...(opts.featureService ? { featureService: opts.featureService } : {}),
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.runId ? { runId: opts.runId } : {}),
        });
        emit(cmd, set, () => {
          process.stdout.write(`training set ${set.id}: ${set.rowCount} rows → ${set.dataPath}\n`);
          process.stdout.write(`views: ${set.views.map((v) => `${v.name} v${v.version}`).join(", ")}\n`);
        });
      }),
    );
}

/** The data commands of `gyre features`: materialize, get, training-set. */
export function registerFeatureData(group: Command): void {
  registerMaterialize(group);
  registerGet(group);
  registerTrainingSet(group);
}
