import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** Pipelines keep their own migration bookkeeping, so they evolve independently of the metadata schema. */
export const PIPELINES_MIGRATION_TABLE = "gyre_pipelines_migration";
export const PIPELINES_MIGRATION_LOCK_TABLE = "gyre_pipelines_migration_lock";

async function createRunTables(db: Kysely<unknown>, big: "bigint" | "integer"): Promise<void> {
  await db.schema
    .createTable("pipeline_runs")
    .addColumn("run_id", "text", (c) => c.primaryKey())
    .addColumn("pipeline", "text", (c) => c.notNull())
    .addColumn("experiment_id", "text", (c) => c.notNull())
    .addColumn("plan", "text", (c) => c.notNull())
    .addColumn("params", "text", (c) => c.notNull())
    .addColumn("options", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("owner", "text")
    .addColumn("heartbeat", big)
    .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_time", big, (c) => c.notNull())
    .addColumn("updated_time", big, (c) => c.notNull())
    .addColumn("ended_time", big)
    .execute();
  await db.schema
    .createIndex("pipeline_runs_by_pipeline")
    .on("pipeline_runs")
    .columns(["pipeline", "created_time"])
    .execute();
  await db.schema
    .createTable("pipeline_steps")
    .addColumn("run_id", "text", (c) => c.notNull().references("pipeline_runs.run_id").onDelete("cascade"))
    .addColumn("step_id", "text", (c) => c.notNull())
    .addColumn("plan_step", "text", (c) => c.notNull())
    .addColumn("item", "integer")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("tracking_run_id", "text")
    .addColumn("cache_key", "text")
    .addColumn("cached_from", "text")
    .addColumn("outputs", "text")
    .addColumn("error", "text")
    .addColumn("started_time", big)
    .addColumn("ended_time", big)
    .addColumn("updated_time", big, (c) => c.notNull())
    .addPrimaryKeyConstraint("pipeline_steps_pk", ["run_id", "step_id"])
    .execute();
}

/** The one pipelines migration list for every SQL engine; only the bigint type differs. Append only. */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_pipelines": {
      async up(db: Kysely<unknown>) {
        await createRunTables(db, big);
        await db.schema
          .createTable("pipeline_cache")
          .addColumn("cache_key", "text", (c) => c.primaryKey())
          .addColumn("step", "text", (c) => c.notNull())
          .addColumn("outputs", "text", (c) => c.notNull())
          .addColumn("tracking_run_id", "text", (c) => c.notNull())
          .addColumn("pipeline_run_id", "text", (c) => c.notNull())
          .addColumn("created_time", big, (c) => c.notNull())
          .execute();
      },
    },
    "0002_schedules": {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable("pipeline_runs").addColumn("schedule", "text").execute();
        await db.schema
          .createTable("pipeline_schedules")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("pipeline", "text", (c) => c.notNull())
          .addColumn("cron", "text", (c) => c.notNull())
          .addColumn("timezone", "text", (c) => c.notNull())
          .addColumn("params", "text", (c) => c.notNull())
          .addColumn("catchup", "text", (c) => c.notNull())
          .addColumn("max_catchup", "integer", (c) => c.notNull())
          .addColumn("max_concurrent", "integer", (c) => c.notNull())
          .addColumn("enabled", "integer", (c) => c.notNull())
          .addColumn("next_fire", big)
          .addColumn("last_fire", big)
          .addColumn("created_time", big, (c) => c.notNull())
          .addColumn("updated_time", big, (c) => c.notNull())
          .execute();
      },
    },
    "0003_triggers": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("pipeline_triggers")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("pipeline", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("spec", "text", (c) => c.notNull())
          .addColumn("params", "text", (c) => c.notNull())
          .addColumn("enabled", "integer", (c) => c.notNull())
          .addColumn("created_time", big, (c) => c.notNull())
          .addColumn("updated_time", big, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("pipeline_trigger_events")
          .addColumn("trigger_name", "text", (c) =>
            c.notNull().references("pipeline_triggers.name").onDelete("cascade"),
          )
          .addColumn("event_key", "text", (c) => c.notNull())
          .addColumn("run_id", "text")
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("created_time", big, (c) => c.notNull())
          .addPrimaryKeyConstraint("pipeline_trigger_events_pk", ["trigger_name", "event_key"])
          .execute();
      },
    },
  };
}

class PipelinesMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the pipeline tables up to date (idempotent; concurrent openers take turns). Throws STORE_UNAVAILABLE. */
export async function migratePipelines(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: new PipelinesMigrationProvider(dialect.name),
    migrationTableName: PIPELINES_MIGRATION_TABLE,
    migrationLockTableName: PIPELINES_MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new GyreError("STORE_UNAVAILABLE", `Could not migrate the pipeline tables: ${String(error)}`, {
      cause: error,
    });
  }
}
