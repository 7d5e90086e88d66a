import type { SearchRunsRequest } from "../../../src/metadata/types.js";
import { encodePath, query, request } from "./client.js";
import type { ArtifactEntry, Experiment, Metric, Page, Run } from "./types.js";

const V1 = "/api/v1";

/** Active experiments, by name. */
export async function listExperiments(signal?: AbortSignal): Promise<Experiment[]> {
  const page = await request<Page<Experiment>>(
    `${V1}/experiments${query({ maxResults: 1000, orderBy: "name ASC" })}`,
    {
      signal,
    },
  );
  return page.items;
}

export function getExperiment(id: string, signal?: AbortSignal): Promise<Experiment> {
  return request<Experiment>(`${V1}/experiments/${encodeURIComponent(id)}`, { signal });
}

/** What the runs table asks for: the API's search body (grammar with OR, order_by clauses); no token is `null` here. */
export type RunSearch = Omit<SearchRunsRequest, "pageToken" | "viewType"> & { pageToken?: string | null };

/** One page of runs; throws ApiError TRACKING_SEARCH_SYNTAX (details.position) on a bad filter. */
export function searchRuns(s: RunSearch, signal?: AbortSignal): Promise<Page<Run>> {
  const body = { ...s, pageToken: s.pageToken ?? undefined, filter: s.filter || undefined };
  return request<Page<Run>>(`${V1}/runs/search`, { body, signal });
}

export function getRun(runId: string, signal?: AbortSignal): Promise<Run> {
  return request<Run>(`${V1}/runs/${encodeURIComponent(runId)}`, { signal });
}

/** Every point of one metric of one run, ordered by step then timestamp. */
export async function metricHistory(runId: string, key: string, signal?: AbortSignal): Promise<Metric[]> {
  const url = `${V1}/runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}/history`;
  return (await request<Page<Metric>>(url, { signal })).items;
}

export async function listArtifacts(
  runId: string,
  path: string,
  signal?: AbortSignal,
): Promise<ArtifactEntry[]> {
  const url = `${V1}/runs/${encodeURIComponent(runId)}/artifacts${query({ path })}`;
  return (await request<{ files: ArtifactEntry[] }>(url, { signal })).files;
}

/** URL that downloads one artifact file (used for previews and links). */
export function artifactUrl(runId: string, path: string): string {
  return `${V1}/runs/${encodeURIComponent(runId)}/artifacts/${encodePath(path)}`;
}
