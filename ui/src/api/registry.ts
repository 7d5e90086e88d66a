import { query, request } from "./client.js";
import type { AliasHistory, LineageGraph, ModelVersion, Page, RegisteredModel } from "./types.js";

const V1 = "/api/v1";
const m = (name: string) => `${V1}/models/${encodeURIComponent(name)}`;

export async function listModels(filter: string, signal?: AbortSignal): Promise<RegisteredModel[]> {
  const url = `${V1}/models${query({ filter, maxResults: 1000, orderBy: "name ASC" })}`;
  return (await request<Page<RegisteredModel>>(url, { signal })).items;
}

export function getModel(name: string, signal?: AbortSignal): Promise<RegisteredModel> {
  return request<RegisteredModel>(m(name), { signal });
}

/** Every version of a model, newest first. */
export async function listVersions(name: string, signal?: AbortSignal): Promise<ModelVersion[]> {
  const filter = `name = '${name.replaceAll("'", "\\'")}'`;
  const url = `${V1}/model-versions${query({ filter, maxResults: 10000, orderBy: "version_number DESC" })}`;
  return (await request<Page<ModelVersion>>(url, { signal })).items;
}

export function getVersion(name: string, version: string, signal?: AbortSignal): Promise<ModelVersion> {
  return request<ModelVersion>(`${m(name)}/versions/${encodeURIComponent(version)}`, { signal });
}

/** Every move of an alias, oldest first. */
export function aliasHistory(name: string, alias: string, signal?: AbortSignal): Promise<AliasHistory> {
  return request<AliasHistory>(`${m(name)}/aliases/${encodeURIComponent(alias)}/history`, { signal });
}

export function setAlias(name: string, alias: string, version: number, reason: string): Promise<unknown> {
  return request(`${m(name)}/aliases/${encodeURIComponent(alias)}`, {
    method: "PUT",
    body: { version, reason },
  });
}

export function lineage(name: string, version: string, signal?: AbortSignal): Promise<LineageGraph> {
  return request<LineageGraph>(
    `${V1}/lineage/model-versions/${encodeURIComponent(name)}/${encodeURIComponent(version)}`,
    { signal },
  );
}
