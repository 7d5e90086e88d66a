import { Readable } from "node:stream";
import type { ArtifactBody, ArtifactEntry } from "../../artifacts/index.js";
import { safeArtifactPath } from "../../artifacts/index.js";
import { type ErrorCode, GyreError } from "../../core/errors.js";
import type {
  HistoryRequest,
  SearchExperimentsRequest,
  SearchRunsRequest,
  TrackingClient,
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

function query(params: Record<string, string | number | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

/** Checks the path locally (as the server would) so '..' is refused before URL normalisation could drop it. */
function artifactUrlPath(path: string): string {
  return safeArtifactPath(path, "path", false).split("/").map(enc).join("/");
}

/** TrackingClient over a gyre server's native `/api/v1` API; errors come back as the same GyreError codes. */
export class HttpTrackingClient implements TrackingClient {
  readonly #base: string;

  constructor(baseUrl: string) {
    this.#base = `${baseUrl.replace(/\/$/, "")}/api/v1`;
  }

  async #call<T>(
    method: string,
    path: string,
    body?: unknown,
    raw?: Uint8Array | ReadableStream,
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers:
          raw !== undefined
            ? { "content-type": "application/octet-stream" }
            : body !== undefined
              ? { "content-type": "application/json" }
              : {},
        body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
        ...(raw instanceof ReadableStream ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (e) {
      throw new GyreError(
        "STORE_UNAVAILABLE",
        `Cannot reach ${this.#base.replace(/\/api\/v1$/, "")}: start it with \`gyre server\``,
        {
          cause: e,
        },
      );
    }
    if (!res.ok) {
      const payload = (await res.json().catch(() => ({}))) as {
        error?: { code?: string; message?: string; field?: string };
      };
      const err = payload.error;
      throw new GyreError(
        (err?.code as ErrorCode) ?? "INTERNAL",
        err?.message ?? `HTTP ${res.status} from ${path}`,
        {
          field: err?.field,
        },
      );
    }
    return (await res.json()) as T;
  }

  createExperiment(
    name: string,
    options: { artifactLocation?: string; tags?: Tag[] } = {},
  ): Promise<Experiment> {
    return this.#call("POST", "/experiments", { name, ...options });
  }
  getExperiment(id: string): Promise<Experiment> {
    return this.#call("GET", `/experiments/${enc(id)}`);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return (await this.#call<{ experiment: Experiment | null }>("GET", `/experiments-by-name/${enc(name)}`))
      .experiment;
  }
  searchExperiments(req: SearchExperimentsRequest = {}): Promise<Page<Experiment>> {
    return this.#call("GET", `/experiments${query({ ...req })}`);
  }
  renameExperiment(id: string, name: string): Promise<Experiment> {
    return this.#call("PATCH", `/experiments/${enc(id)}`, { name });
  }
  async deleteExperiment(id: string): Promise<void> {
    await this.#call("DELETE", `/experiments/${enc(id)}`);
  }
  async restoreExperiment(id: string): Promise<void> {
    await this.#call("POST", `/experiments/${enc(id)}/restore`, {});
  }
  async setExperimentTag(id: string, key: string, value: string): Promise<void> {
    await this.#call("PUT", `/experiments/${enc(id)}/tags/${enc(key)}`, { value });
  }

  async createRun(run: NewRun): Promise<Run> {
    return runFromWire(await this.#call<WireRun>("POST", "/runs", run));
  }
  async getRun(runId: string): Promise<Run> {
    return runFromWire(await this.#call<WireRun>("GET", `/runs/${enc(runId)}`));
  }
  updateRun(runId: string, change: RunUpdate): Promise<RunInfo> {
    return this.#call("PATCH", `/runs/${enc(runId)}`, change);
  }
  async deleteRun(runId: string): Promise<void> {
    await this.#call("DELETE", `/runs/${enc(runId)}`);
  }
  async restoreRun(runId: string): Promise<void> {
    await this.#call("POST", `/runs/${enc(runId)}/restore`, {});
  }
  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const page = await this.#call<Page<WireRun>>("POST", "/runs/search", req);
    return { items: page.items.map(runFromWire), nextPageToken: page.nextPageToken };
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const body = { ...batch, metrics: batch.metrics?.map(metricToWire) };
    await this.#call("POST", `/runs/${enc(runId)}/log-batch`, body);
  }
  logMetric(
    runId: string,
    key: string,
    value: number,
    o: { timestamp?: number; step?: number } = {},
  ): Promise<void> {
    return this.logBatch(runId, {
      metrics: [{ key, value, timestamp: o.timestamp ?? Date.now(), step: o.step ?? 0 }],
    });
  }
  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { params: [{ key, value }] });
  }
  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch(runId, { tags: [{ key, value }] });
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#call("DELETE", `/runs/${enc(runId)}/tags/${enc(key)}`);
  }
  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    await this.#call("POST", `/runs/${enc(runId)}/inputs`, { datasetInputs: inputs });
  }
  async getMetricHistory(runId: string, key: string, req: HistoryRequest = {}): Promise<Page<Metric>> {
    const page = await this.#call<Page<WireMetric>>(
      "GET",
      `/runs/${enc(runId)}/metrics/${enc(key)}/history${query({ ...req })}`,
    );
    return { items: page.items.map(metricFromWire), nextPageToken: page.nextPageToken };
  }

  async uploadArtifact(runId: string, path: string, body: ArtifactBody): Promise<ArtifactRecord> {
    const raw =
      typeof body === "string" || body instanceof Uint8Array
        ? new Uint8Array(Buffer.from(body))
        : (Readable.toWeb(body as Readable) as unknown as ReadableStream);
    return this.#call("PUT", `/runs/${enc(runId)}/artifacts/${artifactUrlPath(path)}`, undefined, raw);
  }
  async downloadArtifact(runId: string, path: string): Promise<Readable> {
    const res = await fetch(`${this.#base}/runs/${enc(runId)}/artifacts/${artifactUrlPath(path)}`);
    if (!res.ok || !res.body) {
      const payload = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new GyreError(
        (payload.error?.code as ErrorCode) ?? "ARTIFACT_NOT_FOUND",
        payload.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return Readable.fromWeb(res.body as never);
  }
  async artifactRecords(runId: string, prefix = ""): Promise<ArtifactRecord[]> {
    const path = `/runs/${enc(runId)}/artifacts${query({ path: prefix, recorded: "true" })}`;
    return (await this.#call<{ records: ArtifactRecord[] }>("GET", path)).records;
  }
  async listArtifacts(runId: string, path = ""): Promise<ArtifactEntry[]> {
    return (
      await this.#call<{ files: ArtifactEntry[] }>("GET", `/runs/${enc(runId)}/artifacts${query({ path })}`)
    ).files;
  }

  async close(): Promise<void> {}
}
