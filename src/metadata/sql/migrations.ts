import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";
import type { SqlDialectName } from "./dialect.js";

/**
 * The one migration list for every SQL engine. Dialect differences are limited to the auto-increment
 * column type and the text type used for long values.
 */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const autoId = dialect === "postgres" ? "serial" : "integer";
  const big = dialect === "postgres" ? "bigint" : "integer";
  const float = dialect === "postgres" ? "double precision" : "real";
  return {
    "0001_tracking": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("experiments")
          .addColumn("experiment_id", autoId, (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("artifact_location", "text", (c) => c.notNull())
          .addColumn("lifecycle_stage", "text", (c) => c.notNull())
          .addColumn("creation_time", big, (c) => c.notNull())
          .addColumn("last_update_time", big, (c) => c.notNull())
          .execute();
        await sql`CREATE UNIQUE INDEX experiments_active_name ON experiments (name) WHERE lifecycle_stage = 'active'`.execute(
          db,
        );
        await db.schema
          .createTable("experiment_tags")
          .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("experiment_tags_pk", ["experiment_id", "key"])
          .execute();
        await db.schema
          .createTable("runs")
          .addColumn("run_uuid", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("start_time", big, (c) => c.notNull())
          .addColumn("end_time", big)
          .addColumn("lifecycle_stage", "text", (c) => c.notNull())
          .addColumn("artifact_uri", "text", (c) => c.notNull())
          .addColumn("parent_run_id", "text")
          .addColumn("deleted_time", big)
          .execute();
        await db.schema
          .createIndex("runs_experiment_start")
          .on("runs")
          .columns(["experiment_id", "start_time"])
          .execute();
        await db.schema.createIndex("runs_parent").on("runs").column("parent_run_id").execute();
        for (const table of ["params", "tags"]) {
          await db.schema
            .createTable(table)
            .addColumn("run_uuid", "text", (c) => c.notNull().references("runs.run_uuid"))
            .addColumn("key", "text", (c) => c.notNull())
            .addColumn("value", "text", (c) => c.notNull())
            .addPrimaryKeyConstraint(`${table}_pk`, ["run_uuid", "key"])
            .execute();
          await db.schema.createIndex(`${table}_key_value`).on(table).columns(["key", "value"]).execute();
        }
        for (const table of ["metrics", "latest_metrics"]) {
          let t = db.schema
            .createTable(table)
            .addColumn("run_uuid", "text", (c) => c.notNull())
            .addColumn("key", "text", (c) => c.notNull())
            .addColumn("value", float, (c) => c.notNull())
            .addColumn("is_nan", "integer", (c) => c.notNull())
            .addColumn("timestamp", big, (c) => c.notNull())
            .addColumn("step", big, (c) => c.notNull());
          if (table === "latest_metrics")
            t = t.addPrimaryKeyConstraint("latest_metrics_pk", ["run_uuid", "key"]);
          await t.execute();
        }
        await db.schema
          .createIndex("metrics_history")
          .on("metrics")
          .columns(["run_uuid", "key", "step"])
          .execute();
        await db.schema
          .createIndex("latest_metrics_key_value")
          .on("latest_metrics")
          .columns(["key", "value"])
          .execute();
        await db.schema
          .createTable("datasets")
          .addColumn("dataset_uuid", "text", (c) => c.primaryKey())
          .addColumn("experiment_id", "integer", (c) => c.notNull().references("experiments.experiment_id"))
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("digest", "text", (c) => c.notNull())
          .addColumn("source_type", "text", (c) => c.notNull())
          .addColumn("source", "text", (c) => c.notNull())
          .addColumn("schema", "text")
          .addColumn("profile", "text")
          .addUniqueConstraint("datasets_identity", ["experiment_id", "name", "digest"])
          .execute();
        await db.schema
          .createTable("inputs")
          .addColumn("input_uuid", "text", (c) => c.primaryKey())
          .addColumn("dataset_uuid", "text", (c) => c.notNull().references("datasets.dataset_uuid"))
          .addColumn("run_uuid", "text", (c) => c.notNull().references("runs.run_uuid"))
          .addUniqueConstraint("inputs_identity", ["dataset_uuid", "run_uuid"])
          .execute();
        await db.schema.createIndex("inputs_run").on("inputs").column("run_uuid").execute();
        await db.schema
          .createTable("input_tags")
          .addColumn("input_uuid", "text", (c) => c.notNull().references("inputs.input_uuid"))
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("value", "text", (c) => c.notNull())
          .addPrimaryKeyConstraint("input_tags_pk", ["input_uuid", "key"])
          .execute();
        await db.schema
          .createTable("artifacts")
          .addColumn("run_uuid", "text", (c) => c.notNull().references("runs.run_uuid"))
          .addColumn("path", "text", (c) => c.notNull())
          .addColumn("size", big, (c) => c.notNull())
          .addColumn("sha256", "text", (c) => c.notNull())
          .addColumn("updated_time", big, (c) => c.notNull())
          .addPrimaryKeyConstraint("artifacts_pk", ["run_uuid", "path"])
          .execute();
      },
    },
    "0002_search_indexes": {
      // Search filters find run ids from these indexes alone (no table row per match), and metric
      // history comes back in (step, timestamp) order without a sort.
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex("latest_metrics_key_value").execute();
        await db.schema
          .createIndex("latest_metrics_key_value_run")
          .on("latest_metrics")
          .columns(["key", "is_nan", "value", "run_uuid"])
          .execute();
        for (const table of ["params", "tags"]) {
          await db.schema.dropIndex(`${table}_key_value`).execute();
          await db.schema
            .createIndex(`${table}_key_value_run`)
            .on(table)
            .columns(["key", "value", "run_uuid"])
            .execute();
        }
        await db.schema.dropIndex("metrics_history").execute();
        // PostgreSQL reads a history from the index alone when it carries the values (INCLUDE); SQLite
        // reads it as fast through the table, so its index stays narrow for cheaper inserts.
        const include = dialect === "postgres" ? sql` INCLUDE (value, is_nan)` : sql``;
        await sql`CREATE INDEX metrics_history ON metrics (run_uuid, key, step, timestamp)${include}`.execute(
          db,
        );
      },
    },
  };
}

/** Provides the migration list to Kysely's Migrator. */
export class GyreMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}
