import { type Kysely, sql } from "kysely";
import { isUniqueViolation, type SqlDialect } from "../../metadata/index.js";
import { modelExists, modelNotFound } from "../errors.js";
import type { RegistryStore } from "../store.js";
import type {
  AliasChangeMeta,
  AliasEvent,
  ModelVersion,
  ModelVersionChange,
  NewModelVersion,
  NewRegisteredModel,
  RegisteredModel,
  RegisteredModelChange,
  StoreRegistryQuery,
} from "../types.js";
import { hydrateModels, hydrateVersions, loadVersion } from "./hydrate.js";
import { migrateRegistry } from "./migrations.js";
import { signatureText, toAliasEvent } from "./rows.js";
import type { ModelVersionsTable, RegisteredModelsTable, RegistryDatabase } from "./schema.js";
import { compileRegistryFilter, registryOrdering } from "./search-sql.js";
import {
  appendAliasEvent,
  removeAliases,
  requireFree,
  requireModel,
  requireVersion,
  upsertModelTags,
  upsertVersionTags,
} from "./writes.js";

/**
 * The registry over any SQL engine Kysely speaks, in the same database as the metadata store: it borrows the
 * metadata store's dialect (connection) and owns only its own tables, migrated with their own migration table.
 */
export class SqlRegistryStore implements RegistryStore {
  readonly kind: string;
  readonly #d: SqlDialect;
  readonly #db: Kysely<RegistryDatabase>;

  private constructor(dialect: SqlDialect) {
    this.#d = dialect;
    // The registry sees only its own tables through this handle; the connection is the metadata store's.
    this.#db = dialect.db as unknown as Kysely<RegistryDatabase>;
    this.kind = dialect.name;
  }

  /** Migrates the registry tables (idempotent) and returns the store. Throws STORE_UNAVAILABLE. */
  static async open(dialect: SqlDialect): Promise<SqlRegistryStore> {
    await migrateRegistry(dialect);
    return new SqlRegistryStore(dialect);
  }

  async createRegisteredModel(model: NewRegisteredModel): Promise<RegisteredModel> {
    const now = Date.now();
    try {
      await this.#db.transaction().execute(async (trx) => {
        await requireFree(trx, model.name);
        await trx
          .insertInto("registered_models")
          .values({
            name: model.name,
            description: model.description,
            creation_time: now,
            last_updated_time: now,
            last_version: 0,
          })
          .execute();
        await upsertModelTags(trx, model.name, model.tags);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw modelExists(model.name);
      throw e;
    }
    return (await this.getRegisteredModel(model.name))!;
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
    const rows = await this.#db
      .selectFrom("registered_models")
      .selectAll()
      .where("name", "=", name)
      .execute();
    return (await hydrateModels(this.#db, rows))[0] ?? null;
  }

  async updateRegisteredModel(name: string, change: RegisteredModelChange): Promise<RegisteredModel> {
    const renamed = change.newName !== undefined && change.newName !== name ? change.newName : null;
    const current = renamed ?? name;
    try {
      await this.#db.transaction().execute(async (trx) => {
        await requireModel(trx, name);
        const set: Partial<RegisteredModelsTable> = {};
        if (change.description !== undefined) set.description = change.description;
        if (renamed !== null) {
          await requireFree(trx, renamed);
          set.name = renamed;
        }
        if (Object.keys(set).length > 0) {
          await trx
            .updateTable("registered_models")
            .set({ ...set, last_updated_time: Date.now() })
            .where("name", "=", name)
            .execute();
        }
        // Versions, tags and aliases follow by ON UPDATE CASCADE; the history has no foreign key.
        if (renamed !== null) {
          await trx
            .updateTable("registered_model_alias_history")
            .set({ name: renamed })
            .where("name", "=", name)
            .execute();
        }
        await upsertModelTags(trx, current, change.setTags ?? []);
        if (change.deleteTags?.length) {
          await trx
            .deleteFrom("registered_model_tags")
            .where("name", "=", current)
            .where("key", "in", change.deleteTags)
            .execute();
        }
      });
    } catch (e) {
      if (isUniqueViolation(e) && renamed !== null) throw modelExists(renamed);
      throw e;
    }
    return (await this.getRegisteredModel(current))!;
  }

  async deleteRegisteredModel(name: string, meta: AliasChangeMeta): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await requireModel(trx, name);
      await removeAliases(trx, name, null, meta);
      await trx.deleteFrom("registered_models").where("name", "=", name).execute();
    });
  }

  async searchRegisteredModels(q: StoreRegistryQuery): Promise<RegisteredModel[]> {
    const where = compileRegistryFilter(this.#d, "registered_models", q.filter);
    const order = registryOrdering("registered_models", q.orderBy);
    const { rows } = await sql<RegisteredModelsTable>`SELECT m.* FROM registered_models m WHERE ${where}
      ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.#db);
    return hydrateModels(this.#db, rows);
  }

  async createModelVersion(v: NewModelVersion): Promise<ModelVersion> {
    const now = Date.now();
    const version = await this.#db.transaction().execute(async (trx) => {
      // The counter row is the lock: concurrent writers queue on it (PostgreSQL row lock, SQLite write lock).
      const bumped = await trx
        .updateTable("registered_models")
        .set((eb) => ({ last_version: eb("last_version", "+", 1), last_updated_time: now }))
        .where("name", "=", v.name)
        .returning("last_version")
        .executeTakeFirst();
      if (!bumped) throw modelNotFound(v.name);
      const n = Number(bumped.last_version);
      await trx
        .insertInto("model_versions")
        .values({
          name: v.name,
          version: n,
          creation_time: now,
          last_updated_time: now,
          user_id: v.userId,
          description: v.description,
          source: v.source,
          run_id: v.runId,
          run_link: v.runLink,
          artifact_location: v.artifactLocation,
          status: v.status,
          status_message: null,
          flavor: null,
          signature: null,
        })
        .execute();
      await upsertVersionTags(trx, v.name, n, v.tags);
      return n;
    });
    return (await loadVersion(this.#db, v.name, version))!;
  }

  getModelVersion(name: string, version: number): Promise<ModelVersion | null> {
    return loadVersion(this.#db, name, version);
  }

  async updateModelVersion(name: string, version: number, change: ModelVersionChange): Promise<ModelVersion> {
    const set: Partial<ModelVersionsTable> = {};
    if (change.description !== undefined) set.description = change.description;
    if (change.status !== undefined) set.status = change.status;
    if (change.statusMessage !== undefined) set.status_message = change.statusMessage;
    if (change.flavor !== undefined) set.flavor = change.flavor;
    if (change.signature !== undefined) set.signature = signatureText(change.signature);
    await this.#db.transaction().execute(async (trx) => {
      await requireVersion(trx, name, version);
      if (Object.keys(set).length > 0) {
        await trx
          .updateTable("model_versions")
          .set({ ...set, last_updated_time: Date.now() })
          .where("name", "=", name)
          .where("version", "=", version)
          .execute();
      }
      await upsertVersionTags(trx, name, version, change.setTags ?? []);
      if (change.deleteTags?.length) {
        await trx
          .deleteFrom("model_version_tags")
          .where("name", "=", name)
          .where("version", "=", version)
          .where("key", "in", change.deleteTags)
          .execute();
      }
    });
    return (await loadVersion(this.#db, name, version))!;
  }

  async deleteModelVersion(name: string, version: number, meta: AliasChangeMeta): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await requireVersion(trx, name, version);
      await removeAliases(trx, name, version, meta);
      await trx
        .deleteFrom("model_versions")
        .where("name", "=", name)
        .where("version", "=", version)
        .execute();
      await trx
        .updateTable("registered_models")
        .set({ last_updated_time: Date.now() })
        .where("name", "=", name)
        .execute();
    });
  }

  async searchModelVersions(q: StoreRegistryQuery): Promise<ModelVersion[]> {
    const where = compileRegistryFilter(this.#d, "model_versions", q.filter);
    const order = registryOrdering("model_versions", q.orderBy);
    const { rows } = await sql<ModelVersionsTable>`SELECT v.* FROM model_versions v WHERE ${where}
      ORDER BY ${order} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.#db);
    return hydrateVersions(this.#db, rows);
  }

  async writeAlias(
    name: string,
    alias: string,
    version: number | null,
    meta: AliasChangeMeta,
  ): Promise<number | null> {
    return this.#db.transaction().execute(async (trx) => {
      await requireModel(trx, name);
      if (version !== null) await requireVersion(trx, name, version);
      const row = await trx
        .selectFrom("registered_model_aliases")
        .select("version")
        .where("name", "=", name)
        .where("alias", "=", alias)
        .executeTakeFirst();
      const previous = row ? Number(row.version) : null;
      if (previous === version) return previous;
      if (version === null) {
        await trx
          .deleteFrom("registered_model_aliases")
          .where("name", "=", name)
          .where("alias", "=", alias)
          .execute();
      } else {
        await trx
          .insertInto("registered_model_aliases")
          .values({ name, alias, version })
          .onConflict((oc) => oc.columns(["name", "alias"]).doUpdateSet({ version }))
          .execute();
      }
      await appendAliasEvent(trx, name, alias, previous, version, meta);
      return previous;
    });
  }

  async findAlias(name: string, alias: string): Promise<number | null> {
    const row = await this.#db
      .selectFrom("registered_model_aliases")
      .select("version")
      .where("name", "=", name)
      .where("alias", "=", alias)
      .executeTakeFirst();
    return row ? Number(row.version) : null;
  }

  async aliasHistory(name: string, alias: string | null, until: number | null): Promise<AliasEvent[]> {
    let q = this.#db.selectFrom("registered_model_alias_history").selectAll().where("name", "=", name);
    if (alias !== null) q = q.where("alias", "=", alias);
    if (until !== null) q = q.where("timestamp", "<=", until);
    return (await q.orderBy("seq").execute()).map(toAliasEvent);
  }

  /** Closes nothing: the connection belongs to the metadata store, which closes it. */
  async close(): Promise<void> {}
}
