import type { Tag } from "../../metadata/index.js";
import { modelExists, modelNotFound, versionNotFound } from "../errors.js";
import type { AliasChangeMeta } from "../types.js";
import type { Db } from "./hydrate.js";

/** Write steps the SQL registry store composes inside its transactions, and the errors they raise. */

async function modelRow(db: Db, name: string): Promise<boolean> {
  const row = await db
    .selectFrom("registered_models")
    .select("name")
    .where("name", "=", name)
    .executeTakeFirst();
  return row !== undefined;
}

/** Throws REGISTRY_MODEL_NOT_FOUND unless the model exists. */
export async function requireModel(db: Db, name: string): Promise<void> {
  if (!(await modelRow(db, name))) throw modelNotFound(name);
}

/** Throws REGISTRY_MODEL_EXISTS when the name is taken. */
export async function requireFree(db: Db, name: string): Promise<void> {
  if (await modelRow(db, name)) throw modelExists(name);
}

/** Throws REGISTRY_VERSION_NOT_FOUND unless the version exists. */
export async function requireVersion(db: Db, name: string, version: number): Promise<void> {
  const row = await db
    .selectFrom("model_versions")
    .select("version")
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw versionNotFound(name, version);
}

/** Inserts or overwrites tags; with a key given twice, the last value wins. */
export async function upsertModelTags(db: Db, name: string, tags: Tag[]): Promise<void> {
  const last = new Map(tags.map((t) => [t.key, t.value]));
  if (last.size === 0) return;
  await db
    .insertInto("registered_model_tags")
    .values([...last].map(([key, value]) => ({ name, key, value })))
    .onConflict((oc) =>
      oc.columns(["name", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
    )
    .execute();
}

/** Inserts or overwrites a version's tags; with a key given twice, the last value wins. */
export async function upsertVersionTags(db: Db, name: string, version: number, tags: Tag[]): Promise<void> {
  const last = new Map(tags.map((t) => [t.key, t.value]));
  if (last.size === 0) return;
  await db
    .insertInto("model_version_tags")
    .values([...last].map(([key, value]) => ({ name, version, key, value })))
    .onConflict((oc) =>
      oc.columns(["name", "version", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
    )
    .execute();
}

/** Appends one alias-history event: set (from null), move, or delete (to null). */
export async function appendAliasEvent(
  db: Db,
  name: string,
  alias: string,
  from: number | null,
  to: number | null,
  meta: AliasChangeMeta,
): Promise<void> {
  await db
    .insertInto("registered_model_alias_history")
    .values({
      name,
      alias,
      from_version: from,
      to_version: to,
      user_id: meta.userId,
      timestamp: Date.now(),
      reason: meta.reason,
    })
    .execute();
}

/** Removes the aliases of a model (or of one of its versions), recording a "delete" event for each. */
export async function removeAliases(
  db: Db,
  name: string,
  version: number | null,
  meta: AliasChangeMeta,
): Promise<void> {
  let q = db.selectFrom("registered_model_aliases").select(["alias", "version"]).where("name", "=", name);
  if (version !== null) q = q.where("version", "=", version);
  const aliases = await q.orderBy("alias").execute();
  for (const a of aliases) {
    await db
      .deleteFrom("registered_model_aliases")
      .where("name", "=", name)
      .where("alias", "=", a.alias)
      .execute();
    await appendAliasEvent(db, name, a.alias, Number(a.version), null, meta);
  }
}
