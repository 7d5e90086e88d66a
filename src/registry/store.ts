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
} from "./types.js";

/**
 * The registry store's required core. Backends trust their input: the RegistryService validates names,
 * aliases, tags and versions first and derives everything else (tag calls, alias lookups, lineage).
 * Every write that touches several rows runs in one transaction. Lookups of missing entities return null;
 * writes against missing entities throw GyreError REGISTRY_*_NOT_FOUND.
 */
export interface RegistryStore {
  /** Backend name for diagnostics: "sqlite", "postgres". */
  readonly kind: string;

  /** Throws REGISTRY_MODEL_EXISTS when the name is taken. */
  createRegisteredModel(model: NewRegisteredModel): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel | null>;
  /** Renames (moving versions, aliases and alias history along), describes and (un)tags in one transaction. */
  updateRegisteredModel(name: string, change: RegisteredModelChange): Promise<RegisteredModel>;
  /** Deletes the model with its versions, tags and aliases; records an alias-history event per removed alias. */
  deleteRegisteredModel(name: string, meta: AliasChangeMeta): Promise<void>;
  searchRegisteredModels(q: StoreRegistryQuery): Promise<RegisteredModel[]>;

  /** Allocates the next version number atomically (never reused, safe under concurrent writers). */
  createModelVersion(version: NewModelVersion): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion | null>;
  updateModelVersion(name: string, version: number, change: ModelVersionChange): Promise<ModelVersion>;
  /** Deletes the version; aliases pointing at it are removed first, each recorded in the alias history. */
  deleteModelVersion(name: string, version: number, meta: AliasChangeMeta): Promise<void>;
  searchModelVersions(q: StoreRegistryQuery): Promise<ModelVersion[]>;

  /**
   * Points `alias` at `version`, or removes it when `version` is null, and appends the change to the alias
   * history in the same transaction. No event is written when nothing changes. Returns the previous version.
   */
  writeAlias(
    name: string,
    alias: string,
    version: number | null,
    meta: AliasChangeMeta,
  ): Promise<number | null>;
  /** The version `alias` points to, or null (also when the model does not exist). The hot path of serving. */
  findAlias(name: string, alias: string): Promise<number | null>;
  /** Events of one alias (or every alias of the model when `alias` is null) up to `until` (ms, inclusive), oldest first. */
  aliasHistory(name: string, alias: string | null, until: number | null): Promise<AliasEvent[]>;

  /** Releases what the store itself opened (a store sharing another component's connection closes nothing). */
  close(): Promise<void>;
}
