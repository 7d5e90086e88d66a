import type { ModelVersion, RegisteredModel, Tag } from "../../registry/index.js";

/**
 * Registry entities in MLflow's REST JSON shape (model_registry.proto as message_to_json writes it):
 * snake_case, versions as strings, int64 as numbers, unset fields and empty repeated fields omitted.
 */

function tags(list: Tag[]): Tag[] | undefined {
  return list.length > 0 ? list.map((t) => ({ key: t.key, value: t.value })) : undefined;
}

/** ModelVersion. `current_stage` is always "None": gyre uses aliases instead of deprecated stages. */
export function mlflowModelVersion(v: ModelVersion) {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId || undefined,
    current_stage: v.currentStage,
    description: v.description ?? undefined,
    source: v.source,
    run_id: v.runId ?? undefined,
    status: v.status,
    status_message: v.statusMessage ?? undefined,
    tags: tags(v.tags),
    run_link: v.runLink ?? undefined,
    aliases: v.aliases.length > 0 ? v.aliases : undefined,
  };
}

/** RegisteredModel with its latest versions, tags and aliases (`{alias, version}` with string versions). */
export function mlflowRegisteredModel(m: RegisteredModel) {
  return {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description ?? undefined,
    latest_versions: m.latestVersions.length > 0 ? m.latestVersions.map(mlflowModelVersion) : undefined,
    tags: tags(m.tags),
    aliases:
      m.aliases.length > 0
        ? m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) }))
        : undefined,
  };
}
