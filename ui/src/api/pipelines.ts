import type {
  PipelineDetail,
  PipelineRunList,
  PipelineRunWithSteps,
} from "../../../src/server/native/pipeline-types.js";
import { query, request } from "./client.js";
import type { PipelineEvent, PipelinePlan, PipelineRun, PipelineSummary } from "./types.js";

const P = "/api/v1/pipelines";
const r = (runId: string) => `${P}/runs/${encodeURIComponent(runId)}`;

export async function listPipelines(signal?: AbortSignal): Promise<PipelineSummary[]> {
  return (await request<{ pipelines: PipelineSummary[] }>(P, { signal })).pipelines;
}

export function getPipeline(name: string, signal?: AbortSignal): Promise<PipelineDetail> {
  return request(`${P}/${encodeURIComponent(name)}`, { signal });
}

export async function listRuns(pipeline: string | undefined, signal?: AbortSignal): Promise<PipelineRun[]> {
  return (await request<PipelineRunList>(`${P}/runs${query({ pipeline, limit: 200 })}`, { signal })).runs;
}

export function runStatus(runId: string, signal?: AbortSignal): Promise<PipelineRunWithSteps> {
  return request(r(runId), { signal });
}

export function runPlan(runId: string, signal?: AbortSignal): Promise<PipelinePlan> {
  return request(`${r(runId)}/plan`, { signal });
}

/** Starts a run of a pipeline the server knows; resolves with the new run's id. */
export async function startRun(name: string, params: Record<string, unknown>): Promise<string> {
  return (await request<{ runId: string }>(`${P}/${encodeURIComponent(name)}/runs`, { body: { params } }))
    .runId;
}

export async function resumeRun(runId: string): Promise<string> {
  return (await request<{ runId: string }>(`${r(runId)}/resume`, { body: {} })).runId;
}

export async function cancelRun(runId: string): Promise<void> {
  await request(`${r(runId)}/cancel`, { body: {} });
}

/** Subscribes to a run's live status (Server-Sent Events); returns the function that closes the stream. */
export function watchRun(runId: string, onEvent: (e: PipelineEvent) => void): () => void {
  const source = new EventSource(`${r(runId)}/events`);
  const handle = (ev: MessageEvent<string>) => onEvent(JSON.parse(ev.data) as PipelineEvent);
  source.addEventListener("run", handle);
  source.addEventListener("step", handle);
  // The server ends the stream with the run; stop EventSource from reconnecting then.
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.OPEN) source.close();
  });
  return () => source.close();
}
