import { type Kysely, sql, type Transaction } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect } from "../../metadata/index.js";
import { type DesiredDefinition, diffDefinitions } from "../plan.js";
import type { DefinitionStore } from "../registry.js";
import type { DefinitionKind, Plan, StoredDefinition } from "../types.js";
import { migrateFeatureRegistry } from "./migrations.js";
import type { FeatureDefinitionsTable, FeatureRegistryDatabase } from "./schema.js";

type Db = Kysely<FeatureRegistryDatabase> | Transaction<FeatureRegistryDatabase>;

function hydrate(r: FeatureDefinitionsTable): StoredDefinition {
  return {
    kind: r.kind as DefinitionKind,
    name: r.name,
    version: Number(r.version),
    digest: r.digest,
    spec: JSON.parse(r.spec) as Record<string, unknown>,
    createdTime: Number(r.created_time),
  };
}

async function readCurrent(db: Db): Promise<StoredDefinition[]> {
  const rows = await db
    .selectFrom("feature_current as c")
    .innerJoin("feature_definitions as d", (j) =>
      j.onRef("d.kind", "=", "c.kind").onRef("d.name", "=", "c.name").onRef("d.version", "=", "c.version"),
    )
    .selectAll("d")
    .orderBy("d.kind")
    .orderBy("d.name")
    .execute();
  return rows.map(hydrate);
}

/**
 * The feature registry in the metadata database (SQLite or PostgreSQL through Kysely), beside the tracking
 * and model-registry tables but with its own migrations. Applies serialise on the head row: the first
 * statement of every apply updates it, which takes SQLite's write lock or PostgreSQL's row lock.
 */
export class SqlDefinitionStore implements DefinitionStore {
  readonly kind: string;
  readonly #db: Kysely<FeatureRegistryDatabase>;

  private constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Kysely<FeatureRegistryDatabase>;
    this.kind = dialect.name;
  }

  /** Migrates the feature registry tables (idempotent) and returns the store. Throws STORE_UNAVAILABLE. */
  static async open(dialect: SqlDialect): Promise<SqlDefinitionStore> {
    await migrateFeatureRegistry(dialect);
    return new SqlDefinitionStore(dialect);
  }

  async current(): Promise<{ revision: number; definitions: StoredDefinition[] }> {
    return this.#db.transaction().execute(async (trx) => {
      const head = await trx
        .selectFrom("feature_registry_head")
        .select("revision")
        .where("id", "=", 1)
        .executeTakeFirstOrThrow();
      return { revision: Number(head.revision), definitions: await readCurrent(trx) };
    });
  }

  async revision(): Promise<number> {
    const head = await this.#db
      .selectFrom("feature_registry_head")
      .select("revision")
      .where("id", "=", 1)
      .executeTakeFirstOrThrow();
    return Number(head.revision);
  }

  async version(kind: DefinitionKind, name: string, version: number): Promise<StoredDefinition | null> {
    const row = await this.#db
      .selectFrom("feature_definitions")
      .selectAll()
      .where("kind", "=", kind)
      .where("name", "=", name)
      .where("version", "=", version)
      .executeTakeFirst();
    return row ? hydrate(row) : null;
  }

  async apply(desired: DesiredDefinition[], expectedRevision?: number): Promise<Plan> {
    return this.#db.transaction().execute(async (trx) => {
      const now = Date.now();
      // Taking the lock first: a concurrent apply waits here and then diffs against our result.
      await trx
        .updateTable("feature_registry_head")
        .set({ revision: sql`revision + 1`, updated_time: now })
        .where("id", "=", 1)
        .execute();
      const head = await trx
        .selectFrom("feature_registry_head")
        .select("revision")
        .where("id", "=", 1)
        .executeTakeFirstOrThrow();
      const revision = Number(head.revision);
      if (expectedRevision !== undefined && revision - 1 !== expectedRevision) {
        throw new GyreError(
          "FEATURES_REGISTRY_CONFLICT",
          `The feature registry changed since the plan (revision ${expectedRevision}, now ${revision - 1}); run \`gyre features plan\` again`,
          { field: "revision" },
        );
      }
      const changes = diffDefinitions(await readCurrent(trx), desired);
      const byKey = new Map(desired.map((d) => [`${d.kind}\u0000${d.name}`, d]));
      for (const c of changes) {
        if (c.action === "delete") {
          await trx
            .deleteFrom("feature_current")
            .where("kind", "=", c.kind)
            .where("name", "=", c.name)
            .execute();
        } else if (c.action !== "unchanged") {
          const d = byKey.get(`${c.kind}\u0000${c.name}`)!;
          c.toVersion = await this.#writeVersion(trx, d, c.toVersion!, now);
        }
      }
      return { revision, changes };
    });
  }

  /** Inserts the definition's next version and makes it current; returns the version number. */
  async #writeVersion(trx: Db, d: DesiredDefinition, version: number, now: number): Promise<number> {
    // A definition deleted and created again continues its version numbers.
    const last = await trx
      .selectFrom("feature_definitions")
      .select((eb) => eb.fn.max("version").as("v"))
      .where("kind", "=", d.kind)
      .where("name", "=", d.name)
      .executeTakeFirst();
    const v = Math.max(version, Number(last?.v ?? 0) + 1);
    await trx
      .insertInto("feature_definitions")
      .values({
        kind: d.kind,
        name: d.name,
        version: v,
        digest: d.digest,
        spec: JSON.stringify(d.spec),
        created_time: now,
      })
      .execute();
    await trx.deleteFrom("feature_current").where("kind", "=", d.kind).where("name", "=", d.name).execute();
    await trx.insertInto("feature_current").values({ kind: d.kind, name: d.name, version: v }).execute();
    return v;
  }

  async close(): Promise<void> {
    // The connection belongs to the metadata store.
  }
}
