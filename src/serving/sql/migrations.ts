import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** Serving keeps its own migration bookkeeping, so it evolves independently of the other components. */
export const SERVING_MIGRATION_TABLE = "gyre_serving_migration";
export const SERVING_MIGRATION_LOCK_TABLE = "gyre_serving_migration_lock";

function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_deployments": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("serving_deployments")
          .addColumn("name", "text", (c) => c.primaryKey())
          .addColumn("spec", "text", (c) => c.notNull())
          .addColumn("created_at", big, (c) => c.notNull())
          .addColumn("updated_at", big, (c) => c.notNull())
          .execute();
      },
    },
    "0002_deployment_changes": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("serving_deployment_changes")
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("seq", "integer", (c) => c.notNull())
          .addColumn("time", big, (c) => c.notNull())
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("spec", "text")
          .addPrimaryKeyConstraint("serving_deployment_changes_pk", ["name", "seq"])
          .execute();
      },
    },
  };
}

class ServingMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the serving tables up to date (idempotent). Throws STORE_UNAVAILABLE. */
export async function migrateServing(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: new ServingMigrationProvider(dialect.name),
    migrationTableName: SERVING_MIGRATION_TABLE,
    migrationLockTableName: SERVING_MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error)
    throw new GyreError("STORE_UNAVAILABLE", `Could not migrate the serving tables: ${String(error)}`, {
      cause: error,
    });
}
