import { userInfo } from "node:os";
import { GyreError } from "../core/errors.js";
import { encodePageToken, type Tag, type TrackingClient } from "../metadata/index.js";
import type {
  AliasChangeOptions,
  CreateModelVersionRequest,
  RegistryClient,
  RegistrySearchRequest,
} from "./client.js";
import { aliasNotFound, modelNotFound, versionInUse, versionNotFound, versionNotReady } from "./errors.js";
import { buildLineage, versionsUsingDataset } from "./lineage.js";
import { runValidator } from "./register.js";
import { resolveSource } from "./source.js";
import type { RegistryStore } from "./store.js";
import type {
  AliasChangeMeta,
  AliasHistory,
  LineageGraph,
  ModelVersion,
  Page,
  RegisteredModel,
  RegistrationValidator,
} from "./types.js";
import {
  checkAlias,
  checkMaxResults,
  checkModelName,
  checkSource,
  checkStages,
  checkTag,
  checkText,
  checkVersion,
  parseSearch,
  REGISTRY_LIMITS,
} from "./validate.js";

/** How a RegistryService is assembled. */
export interface RegistryServiceOptions {
  /**
   * Checks a new version's files. `registryFor` defaults it to the model-package validator; `null` (or no
   * validator on a bare RegistryService) makes versions READY as soon as they are created.
   */
  validator?: RegistrationValidator | null | undefined;
  /** MLflow's server rule: local-path sources only inside the run's artifact directory (the server sets it). */
  restrictLocalSources?: boolean | undefined;
  /** Recorded as the user of versions and alias changes when a call names none (default: the OS user). */
  defaultUser?: string | undefined;
  /** Runs on close, after the store is closed (e.g. closing the tracking client this registry opened). */
  onClose?: (() => Promise<void>) | undefined;
}

function page<T>(rows: T[], offset: number, limit: number): Page<T> {
  const more = rows.length > limit;
  return {
    items: more ? rows.slice(0, limit) : rows,
    nextPageToken: more ? encodePageToken(offset + limit) : null,
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "";
  }
}

/**
 * The model registry: validation and derived operations (tags, aliases and their history, lineage) over a
 * RegistryStore, with runs looked up through the TrackingClient. Every front end (HTTP, CLI, SDK) calls this.
 */
export class RegistryService implements RegistryClient {
  readonly #validator: RegistrationValidator | undefined;
  readonly #options: RegistryServiceOptions;
  readonly #user: string;

  constructor(
    readonly store: RegistryStore,
    readonly tracking: TrackingClient,
    options: RegistryServiceOptions = {},
  ) {
    this.#validator = options.validator ?? undefined;
    this.#options = options;
    this.#user = options.defaultUser ?? osUser();
  }

  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Tag[] } = {},
  ): Promise<RegisteredModel> {
    return this.store.createRegisteredModel({
      name: checkModelName(name),
      description: checkText(options.description, "description"),
      tags: (options.tags ?? []).map((t, i) => checkTag(t, `tags[${i}]`)),
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const model = await this.store.getRegisteredModel(checkModelName(name));
    if (!model) throw modelNotFound(name);
    return model;
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.store.updateRegisteredModel(checkModelName(name), {
      newName: checkModelName(newName, "new_name"),
    });
  }

  async updateRegisteredModel(name: string, change: { description: string }): Promise<RegisteredModel> {
    return this.store.updateRegisteredModel(checkModelName(name), {
      description: checkText(change.description, "description") ?? "",
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    return this.store.deleteRegisteredModel(checkModelName(name), {
      userId: this.#user,
      reason: `registered model '${name}' deleted`,
    });
  }

  async searchRegisteredModels(req: RegistrySearchRequest = {}): Promise<Page<RegisteredModel>> {
    const limit = checkMaxResults(
      req.maxResults,
      REGISTRY_LIMITS.modelsDefault,
      REGISTRY_LIMITS.modelsPerPage,
    );
    const q = parseSearch("registered_models", req);
    const rows = await this.store.searchRegisteredModels({ ...q, limit: limit + 1 });
    return page(rows, q.offset, limit);
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.store.updateRegisteredModel(checkModelName(name), { setTags: [checkTag({ key, value })] });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.store.updateRegisteredModel(checkModelName(name), {
      deleteTags: [checkTag({ key, value: "" }).key],
    });
  }

  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const wanted = checkStages(stages);
    const model = await this.getRegisteredModel(name);
    return wanted.length === 0 || wanted.includes("None") ? model.latestVersions : [];
  }

  async createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    const name = checkModelName(req.name);
    const source = checkSource(req.source);
    const tags = (req.tags ?? []).map((t, i) => checkTag(t, `tags[${i}]`));
    const description = checkText(req.description, "description");
    const runLink = checkText(req.runLink, "run_link") || null;
    await this.getRegisteredModel(name);
    const resolved = await resolveSource(
      this.tracking,
      source,
      req.runId || null,
      !!this.#options.restrictLocalSources,
    );
    const created = await this.store.createModelVersion({
      name,
      source,
      ...resolved,
      runLink,
      description,
      tags,
      userId: req.userId ?? this.#user,
      status: this.#validator ? "PENDING_REGISTRATION" : "READY",
    });
    return this.#validator ? runValidator(this.store, created, this.#validator) : created;
  }

  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    const n = checkVersion(version);
    const found = await this.store.getModelVersion(checkModelName(name), n);
    if (!found) throw versionNotFound(name, n);
    return found;
  }

  async updateModelVersion(
    name: string,
    version: number | string,
    change: { description: string },
  ): Promise<ModelVersion> {
    return this.store.updateModelVersion(checkModelName(name), checkVersion(version), {
      description: checkText(change.description, "description") ?? "",
    });
  }

  async deleteModelVersion(
    name: string,
    version: number | string,
    options: { force?: boolean } = {},
  ): Promise<void> {
    const v = await this.getModelVersion(name, version);
    if (v.aliases.length > 0 && !options.force) throw versionInUse(v);
    await this.store.deleteModelVersion(v.name, v.version, {
      userId: this.#user,
      reason: `version ${v.version} deleted`,
    });
  }

  async searchModelVersions(req: RegistrySearchRequest = {}): Promise<Page<ModelVersion>> {
    const limit = checkMaxResults(
      req.maxResults,
      REGISTRY_LIMITS.versionsDefault,
      REGISTRY_LIMITS.versionsPerPage,
    );
    const q = parseSearch("model_versions", req);
    const rows = await this.store.searchModelVersions({ ...q, limit: limit + 1 });
    return page(rows, q.offset, limit);
  }

  async setModelVersionTag(
    name: string,
    version: number | string,
    key: string,
    value: string,
  ): Promise<void> {
    await this.store.updateModelVersion(checkModelName(name), checkVersion(version), {
      setTags: [checkTag({ key, value })],
    });
  }

  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    await this.store.updateModelVersion(checkModelName(name), checkVersion(version), {
      deleteTags: [checkTag({ key, value: "" }).key],
    });
  }

  async getModelVersionDownloadUri(name: string, version: number | string): Promise<string> {
    return (await this.getModelVersion(name, version)).artifactLocation;
  }

  #meta(options: AliasChangeOptions): AliasChangeMeta {
    return {
      userId: options.userId || this.#user,
      reason: checkText(options.reason, "reason", REGISTRY_LIMITS.reasonLength),
    };
  }

  async setAlias(
    name: string,
    alias: string,
    version: number | string,
    options: AliasChangeOptions = {},
  ): Promise<void> {
    const model = checkModelName(name);
    const a = checkAlias(alias);
    const n = checkVersion(version);
    const meta = this.#meta(options);
    const target = await this.store.getModelVersion(model, n);
    if (target && target.status !== "READY") throw versionNotReady(target);
    await this.store.writeAlias(model, a, n, meta);
  }

  async deleteAlias(name: string, alias: string, options: AliasChangeOptions = {}): Promise<void> {
    await this.store.writeAlias(checkModelName(name), checkAlias(alias), null, this.#meta(options));
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const model = checkModelName(name);
    const version = await this.store.findAlias(model, alias);
    if (version === null) {
      await this.getRegisteredModel(model);
      throw aliasNotFound(alias);
    }
    return this.getModelVersion(model, version);
  }

  async aliasHistory(name: string, alias: string, options: { at?: number } = {}): Promise<AliasHistory> {
    const model = checkModelName(name);
    const a = checkAlias(alias);
    const at = options.at ?? null;
    if (at !== null && (!Number.isSafeInteger(at) || at < 0)) {
      throw new GyreError("REGISTRY_INVALID_VALUE", `'at' must be ms since the epoch, got ${at}`, {
        field: "at",
      });
    }
    const events = await this.store.aliasHistory(model, a, at);
    // The history outlives a deleted model; with no history at all, say whether the model exists.
    if (events.length === 0) await this.getRegisteredModel(model);
    const last = events[events.length - 1];
    return { name: model, alias: a, at, version: last ? last.toVersion : null, events };
  }

  async lineage(name: string, version: number | string): Promise<LineageGraph> {
    return buildLineage(this.tracking, await this.getModelVersion(name, version));
  }

  async versionsUsingDataset(digest: string): Promise<ModelVersion[]> {
    if (typeof digest !== "string" || digest === "") {
      throw new GyreError("REGISTRY_INVALID_VALUE", "Missing value for required parameter 'digest'.", {
        field: "digest",
      });
    }
    return versionsUsingDataset(this.tracking, this.store, digest);
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.#options.onClose?.();
  }
}
