import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../../metadata/index.js";

/** The feature registry keeps its own migration bookkeeping, so it evolves independently of other components. */
export const FEATURES_MIGRATION_TABLE = "gyre_features_migration";
export const FEATURES_MIGRATION_LOCK_TABLE = "gyre_features_migration_lock";

function migrations(dialect: SqlDialectName): Record<string, Migration> {
  const big = dialect === "postgres" ? ("bigint" as const) : ("integer" as const);
  return {
    "0001_feature_registry": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("feature_definitions")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull())
          .addColumn("digest", "text", (c) => c.notNull())
          .addColumn("spec", "text", (c) => c.notNull())
          .addColumn("created_time", big, (c) => c.notNull())
          .addPrimaryKeyConstraint("feature_definitions_pk", ["kind", "name", "version"])
          .execute();
        await db.schema
          .createTable("feature_current")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull())
          .addPrimaryKeyConstraint("feature_current_pk", ["kind", "name"])
          .execute();
        await db.schema
          .createTable("feature_registry_head")
          .addColumn("id", "integer", (c) => c.primaryKey())
          .addColumn("revision", "integer", (c) => c.notNull())
          .addColumn("updated_time", big, (c) => c.notNull())
          .execute();
        await db
          .insertInto("feature_registry_head" as never)
          .values({ id: 1, revision: 0, updated_time: Date.now() } as never)
          .execute();
      },
    },
  };
}

class FeaturesMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: SqlDialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the feature registry tables up to date (idempotent; concurrent openers take turns). Throws STORE_UNAVAILABLE. */
export async function migrateFeatureRegistry(dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({
    db: dialect.db,
    provider: new FeaturesMigrationProvider(dialect.name),
    migrationTableName: FEATURES_MIGRATION_TABLE,
    migrationLockTableName: FEATURES_MIGRATION_LOCK_TABLE,
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    throw new GyreError(
      "STORE_UNAVAILABLE",
      `Could not migrate the feature registry tables: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}
