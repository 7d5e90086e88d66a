import type { Generated } from "kysely";

/** Kysely table types of the registry schema (one schema for SQLite and PostgreSQL). Times are ms since the epoch. */

export interface RegisteredModelsTable {
  name: string;
  description: string | null;
  creation_time: number;
  last_updated_time: number;
  /** The highest version number ever allocated; the next version is this + 1. */
  last_version: number;
}

export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  user_id: string;
  description: string | null;
  source: string;
  run_id: string | null;
  run_link: string | null;
  artifact_location: string;
  status: string;
  status_message: string | null;
  flavor: string | null;
  /** JSON text. */
  signature: string | null;
}

export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface ModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

/** Append-only: every set, move and delete of an alias. Kept when the model is deleted. */
export interface AliasHistoryTable {
  seq: Generated<number>;
  name: string;
  alias: string;
  from_version: number | null;
  to_version: number | null;
  user_id: string;
  timestamp: number;
  reason: string | null;
}

export interface RegistryDatabase {
  registered_models: RegisteredModelsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_versions: ModelVersionsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: ModelAliasesTable;
  registered_model_alias_history: AliasHistoryTable;
}
