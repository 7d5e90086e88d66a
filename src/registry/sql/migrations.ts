import {
  type ForeignKeyConstraintBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
} from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** The registry keeps its own migration bookkeeping, so it evolves independently of the metadata schema. */
export const REGISTRY_MIGRATION_TABLE = "gyre_registry_migration";
export const REGISTRY_MIGRATION_LOCK_TABLE = "gyre_registry_migration_lock";

/** Children follow their parent: renamed with it, deleted with it. */
const cascade = (fk: ForeignKeyConstraintBuilder) => fk.onDelete("cascade").onUpdate("cascade");

async function createModelTables(db: Kysely<unknown>, big: "bigint" | "integer"): Promise<void> {
  await db.schema
    .createTable("registered_models")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("description", "text")
    .addColumn("creation_time", big, (c) => c.notNull())
    .addColumn("last_updated_time", big, (c) => c.notNull())
    .addColumn("last_version", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("registered_model_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_tags_pk", ["name", "key"])
    .addForeignKeyConstraint("registered_model_tags_model", ["name"], "registered_models", ["name"], cascade)
    .execute();
}

async function createVersionTables(db: Kysely<unknown>, big: "bigint" | "integer"): Promise<void> {
  await db.schema
    .createTable("model_versions")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("creation_time", big, (c) => c.notNull())
    .addColumn("last_updated_time", big, (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("run_link", "text")
    .addColumn("artifact_location", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text")
    .addColumn("flavor", "text")
    .addColumn("signature", "text")
    .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
    .addForeignKeyConstraint("model_versions_model", ["name"], "registered_models", ["name"], cascade)
    .execute();
  await db.schema.createIndex("model_versions_run").on("model_versions").column("run_id").execute();
  await db.schema
    .createTable("model_version_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_version_tags_pk", ["name", "version", "key"])
    .addForeignKeyConstraint(
      "model_version_tags_version",
      ["name", "version"],
      "model_versions",
      ["name", "version"],
      cascade,
    )
    .execute();
}

async function createAliasTables(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  big: "bigint" | "integer",
): Promise<void> {
  await db.schema
    .createTable("registered_model_aliases")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_aliases_pk", ["name", "alias"])
    .addForeignKeyConstraint(
      "registered_model_aliases_version",
      ["name", "version"],
      "model_versions",
      ["name", "version"],
      cascade,
    )
    .execute();
  await db.schema
    .createIndex("registered_model_aliases_version")
    .on("registered_model_aliases")
    .columns(["name", "version"])
    .execute();
  await db.schema
    .createTable("registered_model_alias_history")
    .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("from_version", "integer")
    .addColumn("to_version", "integer")
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("timestamp", big, (c) => c.notNull())
    .addColumn("reason", "text")
    .execute();
  await db.schema
    .createIndex("registered_model_alias_history_lookup")
    .on("registered_model_alias_history")
    .columns(["name", "alias", "timestamp"])
    .execute();
}

/** The one registry migration list for every SQL engine; only the bigint and auto-increment types differ. */
function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_registry": {
      async up(db: Kysely<unknown>) {
        await createModelTables(db, big);
        await createVersionTables(db, big);
        await createAliasTables(db, dialect, big);
      },
    },
  };
}

class RegistryMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the registry tables up to date (idempotent; concurrent openers take turns). Throws STORE_UNAVAILABLE. */
export async function migrateRegistry(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: new RegistryMigrationProvider(dialect.name),
    migrationTableName: REGISTRY_MIGRATION_TABLE,
    migrationLockTableName: REGISTRY_MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new GyreError(
      "STORE_UNAVAILABLE",
      `Could not migrate the model registry tables: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}
