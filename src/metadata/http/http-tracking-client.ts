import { Readable } from "node:stream";
import type { ArtifactBody, ArtifactEntry } from "../../artifacts/index.js";
import { safeArtifactPath } from "../../artifacts/index.js";
import { ApiClient, queryString } from "../../core/api-client.js";
import {
  BatchLogging,
  type HistoryRequest,
  type SearchExperimentsRequest,
  type SearchRunsRequest,
  type TrackingClient,
} from "../client.js";
import type {
  ArtifactRecord,
  DatasetInput,
  Experiment,
  LogBatch,
  Metric,
  NewRun,
  Page,
  Run,
  RunInfo,
  RunUpdate,
  Tag,
} from "../types.js";
import { metricFromWire, metricToWire, runFromWire, type WireMetric } from "../wire.js";

type WireRun = Parameters<typeof runFromWire>[0];

const enc = encodeURIComponent;

/** Checks the path locally (as the server would) so '..' is refused before URL normalisation could drop it. */
function artifactUrlPath(path: string): string {
  return safeArtifactPath(path, "path", false).split("/").map(enc).join("/");
}

/** TrackingClient over a gyre server's native `/api/v1` API; errors come back as the same GyreError codes. */
export class HttpTrackingClient extends BatchLogging implements TrackingClient {
  readonly #api: ApiClient;

  constructor(baseUrl: string) {
    super();
    this.#api = new ApiClient(baseUrl);
  }

  createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: Tag[] } = {},
  ): Promise<Experiment> {
    return this.#api.call("POST", "/experiments", { name, ...options });
  }
  getExperiment(id: string): Promise<Experiment> {
    return this.#api.call("GET", `/experiments/${enc(id)}`);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return (
      await this.#api.call<{ experiment: Experiment | null }>("GET", `/experiments-by-name/${enc(name)}`)
    ).experiment;
  }
  searchExperiments(req: SearchExperimentsRequest = {}): Promise<Page<Experiment>> {
    return this.#api.call("GET", `/experiments${queryString({ ...req })}`);
  }
  renameExperiment(id: string, name: string): Promise<Experiment> {
    return this.#api.call("PATCH", `/experiments/${enc(id)}`, { name });
  }
  async deleteExperiment(id: string): Promise<void> {
    await this.#api.call("DELETE", `/experiments/${enc(id)}`);
  }
  async restoreExperiment(id: string): Promise<void> {
    await this.#api.call("POST", `/experiments/${enc(id)}/restore`, {});
  }
  async setExperimentTag(id: string, key: string, value: string): Promise<void> {
    await this.#api.call("PUT", `/experiments/${enc(id)}/tags/${enc(key)}`, { value });
  }

  async createRun(run: NewRun): Promise<Run> {
    return runFromWire(await this.#api.call<WireRun>("POST", "/runs", run));
  }
  async getRun(runId: string): Promise<Run> {
    return runFromWire(await this.#api.call<WireRun>("GET", `/runs/${enc(runId)}`));
  }
  updateRun(runId: string, change: RunUpdate): Promise<RunInfo> {
    return this.#api.call("PATCH", `/runs/${enc(runId)}`, change);
  }
  async deleteRun(runId: string): Promise<void> {
    await this.#api.call("DELETE", `/runs/${enc(runId)}`);
  }
  async restoreRun(runId: string): Promise<void> {
    await this.#api.call("POST", `/runs/${enc(runId)}/restore`, {});
  }
  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const page = await this.#api.call<Page<WireRun>>("POST", "/runs/search", req);
    return { items: page.items.map(runFromWire), nextPageToken: page.nextPageToken };
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const body = { ...batch, metrics: batch.metrics?.map(metricToWire) };
    await this.#api.call("POST", `/runs/${enc(runId)}/log-batch`, body);
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#api.call("DELETE", `/runs/${enc(runId)}/tags/${enc(key)}`);
  }
  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    await this.#api.call("POST", `/runs/${enc(runId)}/inputs`, { datasetInputs: inputs });
  }
  async getMetricHistory(runId: string, key: string, req: HistoryRequest = {}): Promise<Page<Metric>> {
    const page = await this.#api.call<Page<WireMetric>>(
      "GET",
      `/runs/${enc(runId)}/metrics/${enc(key)}/history${queryString({ ...req })}`,
    );
    return { items: page.items.map(metricFromWire), nextPageToken: page.nextPageToken };
  }

  async uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<ArtifactRecord> {
    const raw =
      typeof body === "string" || body instanceof Uint8Array
        ? new Uint8Array(Buffer.from(body))
        : (Readable.toWeb(body as Readable) as unknown as ReadableStream);
    return this.#api.call("PUT", `/runs/${enc(runId)}/artifacts/${artifactUrlPath(path)}`, undefined, raw);
  }
  async downloadArtifact(runId: string, path: string): Promise<Readable> {
    const url = `/runs/${enc(runId)}/artifacts/${artifactUrlPath(path)}`;
    const res = await this.#api.fetch("GET", url);
    if (!res.ok || !res.body) throw await this.#api.failure(res, url, "ARTIFACT_NOT_FOUND");
    return Readable.fromWeb(res.body as never);
  }
  async artifactRecords(runId: string, prefix = ""): Promise<ArtifactRecord[]> {
    const path = `/runs/${enc(runId)}/artifacts${queryString({ path: prefix, recorded: "true" })}`;
    return (await this.#api.call<{ records: ArtifactRecord[] }>("GET", path)).records;
  }
  async listArtifacts(runId: string, path = ""): Promise<ArtifactEntry[]> {
    return (
      await this.#api.call<{ files: ArtifactEntry[] }>(
        "GET",
        `/runs/${enc(runId)}/artifacts${queryString({ path })}`,
      )
    ).files;
  }

  async close(): Promise<void> {}
}
