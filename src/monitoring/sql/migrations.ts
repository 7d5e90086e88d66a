import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** Monitoring keeps its own migration bookkeeping, so it evolves independently of the metadata schema. */
export const MONITORING_MIGRATION_TABLE = "gyre_monitoring_migration";
export const MONITORING_MIGRATION_LOCK_TABLE = "gyre_monitoring_migration_lock";

async function createTables(db: Kysely<unknown>, big: "bigint" | "integer"): Promise<void> {
  await db.schema
    .createTable("monitoring_feedback")
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("match_key", "text", (c) => c.notNull())
    .addColumn("request_id", "text")
    .addColumn("row_index", "integer")
    .addColumn("entity_key", "text")
    .addColumn("ts", big)
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("received_time", big, (c) => c.notNull())
    .addColumn("matched", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("monitoring_feedback_pk", ["deployment", "match_key"])
    .execute();
  await db.schema
    .createTable("monitoring_results")
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("monitor", "text", (c) => c.notNull())
    .addColumn("feature", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("window_start", big, (c) => c.notNull())
    .addColumn("window_end", big, (c) => c.notNull())
    .addColumn("evaluated_time", big, (c) => c.notNull())
    .addColumn("rows", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("value", "double precision")
    .addColumn("statistic", "double precision")
    .addColumn("p_value", "double precision")
    .addColumn("threshold", "double precision")
    .addColumn("drifted", "integer")
    .addPrimaryKeyConstraint("monitoring_results_pk", [
      "deployment",
      "monitor",
      "feature",
      "fingerprint",
      "window_start",
      "window_end",
    ])
    .execute();
  await db.schema
    .createIndex("monitoring_results_by_time")
    .on("monitoring_results")
    .columns(["deployment", "window_end"])
    .execute();
  await db.schema
    .createTable("monitoring_alerts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("monitor", "text", (c) => c.notNull())
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("feature", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("value", "double precision")
    .addColumn("threshold", "double precision")
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("occurrences", "integer", (c) => c.notNull())
    .addColumn("first_time", big, (c) => c.notNull())
    .addColumn("last_time", big, (c) => c.notNull())
    .addColumn("resolved_time", big)
    .addColumn("actions", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("monitoring_alerts_by_key")
    .on("monitoring_alerts")
    .columns(["monitor", "deployment", "feature", "metric", "state"])
    .execute();
  await db.schema
    .createTable("monitoring_monitor_state")
    .addColumn("monitor", "text", (c) => c.primaryKey())
    .addColumn("last_run_time", big, (c) => c.notNull())
    .addColumn("last_rows", big, (c) => c.notNull())
    .addColumn("last_status", "text", (c) => c.notNull())
    .execute();
}

/** The one monitoring migration list for every SQL engine; only the bigint type differs. Append only. */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_monitoring": {
      async up(db: Kysely<unknown>) {
        await createTables(db, big);
      },
    },
  };
}

class MonitoringMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the monitoring tables up to date (idempotent; concurrent openers take turns). Throws STORE_UNAVAILABLE. */
export async function migrateMonitoring(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: new MonitoringMigrationProvider(dialect.name),
    migrationTableName: MONITORING_MIGRATION_TABLE,
    migrationLockTableName: MONITORING_MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new GyreError("STORE_UNAVAILABLE", `Could not migrate the monitoring tables: ${String(error)}`, {
      cause: error,
    });
  }
}
