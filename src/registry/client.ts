import type { AliasHistory, LineageGraph, ModelVersion, Page, RegisteredModel, Tag } from "./types.js";

/** A registry search: MLflow's filter grammar (plus OR and parentheses), order_by clauses and paging. */
export interface RegistrySearchRequest {
  /** e.g. "name LIKE 'flights%'", "tags.team = 'ranking'", "run_id IN ('a', 'b')". */
  filter?: string | undefined;
  /** Models: default 100, at most 1000. Versions: default 10,000, at most 200,000. */
  maxResults?: number | undefined;
  /** e.g. ["name ASC"], ["version_number DESC"], ["last_updated_timestamp DESC"]. */
  orderBy?: string[] | undefined;
  pageToken?: string | undefined;
}

/** A new model version. `source` is a URI; `runs:/<run_id>/<path>` is resolved against the run's artifacts. */
export interface CreateModelVersionRequest {
  name: string;
  source: string;
  runId?: string | undefined;
  runLink?: string | undefined;
  description?: string | undefined;
  tags?: Tag[] | undefined;
  userId?: string | undefined;
}

/** Who changes an alias and why; both are recorded in the alias history. */
export interface AliasChangeOptions {
  reason?: string | undefined;
  userId?: string | undefined;
}

/**
 * Everything a user does with the model registry, in-process (`RegistryService`) or against a gyre server
 * (`HttpRegistryClient`): same methods, same GyreError codes.
 */
export interface RegistryClient {
  /** Throws REGISTRY_MODEL_EXISTS, REGISTRY_INVALID_NAME. */
  createRegisteredModel(
    name: string,
    options?: { description?: string; tags?: Tag[] },
  ): Promise<RegisteredModel>;
  /** Throws REGISTRY_MODEL_NOT_FOUND. */
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, change: { description: string }): Promise<RegisteredModel>;
  /** Deletes the model, its versions and aliases; the alias history is kept. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(req?: RegistrySearchRequest): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  /** Idempotent: deleting an absent tag succeeds. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  /** The newest version per requested stage; every version is in stage "None". */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;

  /**
   * Registers a new version (number = previous + 1, atomically). With a validator configured the version is
   * PENDING_REGISTRATION while checked, then READY or FAILED_REGISTRATION (reason in statusMessage).
   * Throws REGISTRY_MODEL_NOT_FOUND, REGISTRY_RUN_NOT_FOUND (nothing is created then).
   */
  createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion>;
  /** Throws REGISTRY_VERSION_NOT_FOUND. */
  getModelVersion(name: string, version: number | string): Promise<ModelVersion>;
  updateModelVersion(
    name: string,
    version: number | string,
    change: { description: string },
  ): Promise<ModelVersion>;
  /** Refused with REGISTRY_VERSION_IN_USE while an alias points at it, unless `force` (which removes those aliases). */
  deleteModelVersion(name: string, version: number | string, options?: { force?: boolean }): Promise<void>;
  searchModelVersions(req?: RegistrySearchRequest): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: number | string, key: string, value: string): Promise<void>;
  deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void>;
  /** Where the version's files are (the run's artifact location for `runs:/` sources). */
  getModelVersionDownloadUri(name: string, version: number | string): Promise<string>;

  /** Points `alias` at a READY version (set or move), recording who, when, from, to and why. */
  setAlias(
    name: string,
    alias: string,
    version: number | string,
    options?: AliasChangeOptions,
  ): Promise<void>;
  /** Removes the alias (recorded in the history); removing an absent alias is a no-op. */
  deleteAlias(name: string, alias: string, options?: AliasChangeOptions): Promise<void>;
  /** Throws REGISTRY_ALIAS_NOT_FOUND. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  /** The alias's changes up to `at` (ms since the epoch; default now) and the version it pointed to then. */
  aliasHistory(name: string, alias: string, options?: { at?: number }): Promise<AliasHistory>;

  /** The version's upstream graph: its run, the run's dataset inputs and git commit. */
  lineage(name: string, version: number | string): Promise<LineageGraph>;
  /** Versions whose source run consumed a dataset with this digest, newest first. */
  versionsUsingDataset(digest: string): Promise<ModelVersion[]>;

  close(): Promise<void>;
}
