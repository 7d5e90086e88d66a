import { userInfo } from "node:os";
import { ApiClient, queryString } from "../../core/api-client.js";
import type {
  AliasChangeOptions,
  CreateModelVersionRequest,
  RegistryClient,
  RegistrySearchRequest,
} from "../client.js";
import type { AliasHistory, LineageGraph, ModelVersion, Page, RegisteredModel, Tag } from "../types.js";
import { checkAlias, checkModelName, checkVersion } from "../validate.js";

const enc = encodeURIComponent;

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** RegistryClient over a gyre server's native `/api/v1` API; errors come back as the same GyreError codes. */
export class HttpRegistryClient implements RegistryClient {
  readonly #api: ApiClient;
  readonly #user: string | undefined;

  constructor(baseUrl: string, options: { userId?: string } = {}) {
    this.#api = new ApiClient(baseUrl);
    this.#user = options.userId ?? osUser();
  }

  // Path segments are checked here, as the server would, so that an empty or malformed one gets the
  // registry's own error instead of a routing miss.
  #model(name: string): string {
    return `/models/${enc(checkModelName(name))}`;
  }

  #version(name: string, version: number | string): string {
    return `${this.#model(name)}/versions/${checkVersion(version)}`;
  }

  #alias(name: string, alias: string): string {
    return `${this.#model(name)}/aliases/${enc(checkAlias(alias))}`;
  }

  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Tag[] } = {},
  ): Promise<RegisteredModel> {
    return this.#api.call("POST", "/models", { name, ...options });
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.#api.call("GET", this.#model(name));
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.#api.call("PATCH", this.#model(name), { newName });
  }
  async updateRegisteredModel(name: string, change: { description: string }): Promise<RegisteredModel> {
    return this.#api.call("PATCH", this.#model(name), { description: change.description });
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.#api.call("DELETE", this.#model(name));
  }
  async searchRegisteredModels(req: RegistrySearchRequest = {}): Promise<Page<RegisteredModel>> {
    return this.#api.call("GET", `/models${queryString({ ...req })}`);
  }
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.#api.call("PUT", `${this.#model(name)}/tags/${enc(key)}`, { value });
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.#api.call("DELETE", `${this.#model(name)}/tags/${enc(key)}`);
  }
  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    const res = await this.#api.call<{ modelVersions: ModelVersion[] }>(
      "GET",
      `${this.#model(name)}/latest-versions${queryString({ stages })}`,
    );
    return res.modelVersions;
  }

  async createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    const { name, ...rest } = req;
    return this.#api.call("POST", `${this.#model(name)}/versions`, {
      ...rest,
      userId: rest.userId ?? this.#user,
    });
  }
  async getModelVersion(name: string, version: number | string): Promise<ModelVersion> {
    return this.#api.call("GET", this.#version(name, version));
  }
  async updateModelVersion(
    name: string,
    version: number | string,
    change: { description: string },
  ): Promise<ModelVersion> {
    return this.#api.call("PATCH", this.#version(name, version), { description: change.description });
  }
  async deleteModelVersion(
    name: string,
    version: number | string,
    options: { force?: boolean } = {},
  ): Promise<void> {
    await this.#api.call(
      "DELETE",
      `${this.#version(name, version)}${queryString({ force: options.force || undefined })}`,
    );
  }
  async searchModelVersions(req: RegistrySearchRequest = {}): Promise<Page<ModelVersion>> {
    return this.#api.call("GET", `/model-versions${queryString({ ...req })}`);
  }
  async setModelVersionTag(
    name: string,
    version: number | string,
    key: string,
    value: string,
  ): Promise<void> {
    await this.#api.call("PUT", `${this.#version(name, version)}/tags/${enc(key)}`, { value });
  }
  async deleteModelVersionTag(name: string, version: number | string, key: string): Promise<void> {
    await this.#api.call("DELETE", `${this.#version(name, version)}/tags/${enc(key)}`);
  }
  async getModelVersionDownloadUri(name: string, version: number | string): Promise<string> {
    return (
      await this.#api.call<{ artifactUri: string }>("GET", `${this.#version(name, version)}/download-uri`)
    ).artifactUri;
  }

  async setAlias(
    name: string,
    alias: string,
    version: number | string,
    options: AliasChangeOptions = {},
  ): Promise<void> {
    const body = { version: String(version), reason: options.reason, userId: options.userId ?? this.#user };
    await this.#api.call("PUT", this.#alias(name, alias), body);
  }
  async deleteAlias(name: string, alias: string, options: AliasChangeOptions = {}): Promise<void> {
    const q = queryString({ reason: options.reason, userId: options.userId ?? this.#user });
    await this.#api.call("DELETE", `${this.#alias(name, alias)}${q}`);
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.#api.call("GET", `${this.#model(checkModelName(name))}/aliases/${enc(alias)}`);
  }
  async aliasHistory(name: string, alias: string, options: { at?: number } = {}): Promise<AliasHistory> {
    return this.#api.call("GET", `${this.#alias(name, alias)}/history${queryString({ at: options.at })}`);
  }

  async lineage(name: string, version: number | string): Promise<LineageGraph> {
    return this.#api.call(
      "GET",
      `/lineage/model-versions/${enc(checkModelName(name))}/${checkVersion(version)}`,
    );
  }
  async versionsUsingDataset(digest: string): Promise<ModelVersion[]> {
    const res = await this.#api.call<{ modelVersions: ModelVersion[] }>(
      "GET",
      `/lineage/datasets/${enc(digest)}/model-versions`,
    );
    return res.modelVersions;
  }

  async close(): Promise<void> {}
}
