import { type Kysely, sql, type Transaction } from "kysely";
import type { ModelAlias, ModelVersion, RegisteredModel } from "../types.js";
import { chunks, groupTags, toModelVersion, toRegisteredModel, versionKey } from "./rows.js";
import type { ModelVersionsTable, RegisteredModelsTable, RegistryDatabase } from "./schema.js";

/** Loading of child rows (tags, aliases, latest versions) for many models or versions, a few queries per batch. */

export type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/** Attaches tags and alias names to version rows, keeping the rows' order. */
export async function hydrateVersions(db: Db, rows: ModelVersionsTable[]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const tagRows = [];
  const aliasRows = [];
  for (const part of chunks(rows)) {
    const pairs = sql<boolean>`(name, version) IN (${sql.join(part.map((r) => sql`(${r.name}, ${r.version})`))})`;
    const [tags, aliases] = await Promise.all([
      db.selectFrom("model_version_tags").selectAll().where(pairs).orderBy("key").execute(),
      db.selectFrom("registered_model_aliases").selectAll().where(pairs).orderBy("alias").execute(),
    ]);
    tagRows.push(...tags);
    aliasRows.push(...aliases);
  }
  const tags = groupTags(tagRows, (t) => versionKey(t.name, Number(t.version)));
  const aliases = new Map<string, string[]>();
  for (const a of aliasRows) {
    const k = versionKey(a.name, Number(a.version));
    aliases.set(k, [...(aliases.get(k) ?? []), a.alias]);
  }
  return rows.map((r) => {
    const k = versionKey(r.name, Number(r.version));
    return toModelVersion(r, tags.get(k) ?? [], aliases.get(k) ?? []);
  });
}

/** Loads one version with its tags and aliases, or null. */
export async function loadVersion(db: Db, name: string, version: number): Promise<ModelVersion | null> {
  const [row, tags, aliases] = await Promise.all([
    db
      .selectFrom("model_versions")
      .selectAll()
      .where("name", "=", name)
      .where("version", "=", version)
      .executeTakeFirst(),
    db
      .selectFrom("model_version_tags")
      .select(["key", "value"])
      .where("name", "=", name)
      .where("version", "=", version)
      .orderBy("key")
      .execute(),
    db
      .selectFrom("registered_model_aliases")
      .select("alias")
      .where("name", "=", name)
      .where("version", "=", version)
      .orderBy("alias")
      .execute(),
  ]);
  return row
    ? toModelVersion(
        row,
        tags,
        aliases.map((a) => a.alias),
      )
    : null;
}

/** Attaches tags, aliases and the newest version to model rows, keeping the rows' order. */
export async function hydrateModels(db: Db, rows: RegisteredModelsTable[]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const tagRows = [];
  const aliasRows = [];
  const latestRows: ModelVersionsTable[] = [];
  for (const part of chunks(rows.map((r) => r.name))) {
    const [tags, aliases, latest] = await Promise.all([
      db.selectFrom("registered_model_tags").selectAll().where("name", "in", part).orderBy("key").execute(),
      db
        .selectFrom("registered_model_aliases")
        .selectAll()
        .where("name", "in", part)
        .orderBy("alias")
        .execute(),
      db
        .selectFrom("model_versions as v")
        .selectAll("v")
        .where("v.name", "in", part)
        .where((eb) =>
          eb(
            "v.version",
            "=",
            eb
              .selectFrom("model_versions as w")
              .select((e) => e.fn.max("w.version").as("top"))
              .whereRef("w.name", "=", "v.name"),
          ),
        )
        .execute(),
    ]);
    tagRows.push(...tags);
    aliasRows.push(...aliases);
    latestRows.push(...latest);
  }
  const tags = groupTags(tagRows, (t) => t.name);
  const aliases = new Map<string, ModelAlias[]>();
  for (const a of aliasRows) {
    aliases.set(a.name, [...(aliases.get(a.name) ?? []), { alias: a.alias, version: Number(a.version) }]);
  }
  const latest = new Map((await hydrateVersions(db, latestRows)).map((v) => [v.name, v]));
  return rows.map((r) => {
    const top = latest.get(r.name);
    return toRegisteredModel(r, tags.get(r.name) ?? [], aliases.get(r.name) ?? [], top ? [top] : []);
  });
}
