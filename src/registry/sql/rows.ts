import type { Selectable } from "kysely";
import type {
  AliasEvent,
  ModelAlias,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  Tag,
} from "../types.js";
import type { AliasHistoryTable, ModelVersionsTable, RegisteredModelsTable } from "./schema.js";

/** Row ↔ entity mapping shared by the SQL registry store's queries. */

/** Splits `items` into runs of at most `size`, to keep IN lists under the engines' parameter limits. */
export function chunks<T>(items: T[], size = 400): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `name\u0000version`: a map key for a model version. */
export function versionKey(name: string, version: number): string {
  return `${name}\u0000${version}`;
}

/** Groups `{key, value}` rows by `keyOf(row)`, keeping the order of the rows. */
export function groupTags<R extends Tag>(rows: R[], keyOf: (r: R) => string): Map<string, Tag[]> {
  const out = new Map<string, Tag[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k) ?? [];
    list.push({ key: r.key, value: r.value });
    out.set(k, list);
  }
  return out;
}

function parseSignature(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Serialises a signature for storage; undefined and null are stored as NULL. */
export function signatureText(signature: unknown): string | null {
  return signature === undefined || signature === null ? null : JSON.stringify(signature);
}

export function toModelVersion(r: ModelVersionsTable, tags: Tag[], aliases: string[]): ModelVersion {
  return {
    name: r.name,
    version: Number(r.version),
    creationTimestamp: Number(r.creation_time),
    lastUpdatedTimestamp: Number(r.last_updated_time),
    userId: r.user_id,
    currentStage: "None",
    description: r.description,
    source: r.source,
    runId: r.run_id,
    runLink: r.run_link,
    artifactLocation: r.artifact_location,
    status: r.status as ModelVersionStatus,
    statusMessage: r.status_message,
    flavor: r.flavor,
    signature: parseSignature(r.signature),
    tags,
    aliases,
  };
}

export function toRegisteredModel(
  r: RegisteredModelsTable,
  tags: Tag[],
  aliases: ModelAlias[],
  latest: ModelVersion[],
): RegisteredModel {
  return {
    name: r.name,
    description: r.description,
    creationTimestamp: Number(r.creation_time),
    lastUpdatedTimestamp: Number(r.last_updated_time),
    tags,
    aliases,
    latestVersions: latest,
  };
}

export function toAliasEvent(r: Selectable<AliasHistoryTable>): AliasEvent {
  return {
    seq: Number(r.seq),
    name: r.name,
    alias: r.alias,
    fromVersion: r.from_version === null ? null : Number(r.from_version),
    toVersion: r.to_version === null ? null : Number(r.to_version),
    userId: r.user_id,
    timestamp: Number(r.timestamp),
    reason: r.reason,
  };
}
