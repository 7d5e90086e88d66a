/** Kysely table types of the feature registry (one schema for SQLite and PostgreSQL). Times are ms since the epoch. */

/** Every version of every definition ever applied; rows are never updated. */
export interface FeatureDefinitionsTable {
  kind: string;
  name: string;
  version: number;
  digest: string;
  /** Canonical JSON of the definition's spec. */
  spec: string;
  created_time: number;
}

/** The version of each definition that is currently applied (deleted definitions have no row). */
export interface FeatureCurrentTable {
  kind: string;
  name: string;
  version: number;
}

/** One row (id 1): the registry revision, bumped by every apply; the row lock serialises applies. */
export interface FeatureRegistryHeadTable {
  id: number;
  revision: number;
  updated_time: number;
}

export interface FeatureRegistryDatabase {
  feature_definitions: FeatureDefinitionsTable;
  feature_current: FeatureCurrentTable;
  feature_registry_head: FeatureRegistryHeadTable;
}
