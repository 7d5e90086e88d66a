import { type Kysely, type Migration, Migrator } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** Data versions keep their own migration bookkeeping, so they evolve independently of the metadata schema. */
const MIGRATION_TABLE = "gyre_data_migration";
const MIGRATION_LOCK_TABLE = "gyre_data_migration_lock";

/** The one data migration list for every SQL engine; only the bigint type differs. Append only. */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_dataset_versions": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("dataset_versions")
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull())
          .addColumn("digest", "text", (c) => c.notNull())
          .addColumn("format", "text", (c) => c.notNull())
          .addColumn("rows", big, (c) => c.notNull())
          .addColumn("schema", "text", (c) => c.notNull())
          .addColumn("profile", "text", (c) => c.notNull())
          .addColumn("validation", "text", (c) => c.notNull())
          .addColumn("run_id", "text", (c) => c.notNull())
          .addColumn("artifact_path", "text", (c) => c.notNull())
          .addColumn("source", "text", (c) => c.notNull())
          .addColumn("description", "text", (c) => c.notNull())
          .addColumn("created_time", big, (c) => c.notNull())
          .addPrimaryKeyConstraint("dataset_versions_pk", ["name", "version"])
          .execute();
        await db.schema
          .createIndex("dataset_versions_digest")
          .on("dataset_versions")
          .columns(["name", "digest"])
          .execute();
      },
    },
  };
}

/** Brings the data tables up to date (idempotent; concurrent openers take turns). Throws STORE_UNAVAILABLE. */
export async function migrateData(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: { getMigrations: async () => migrations(dialect.name) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new GyreError("STORE_UNAVAILABLE", `Could not migrate the data tables: ${String(error)}`, {
      cause: error,
    });
  }
}
