import { randomBytes } from "node:crypto";

/** MLflow REST shapes as the Python client parses them (snake_case, int64 as JSON numbers). */
export interface MlflowTag {
  key: string;
  value: string;
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags?: MlflowTag[];
}

export interface MlflowMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

export interface MlflowRunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: string;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: string;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics?: MlflowMetric[]; params?: MlflowTag[]; tags?: MlflowTag[] };
  inputs?: { dataset_inputs?: { tags?: MlflowTag[]; dataset: Record<string, string> }[] };
}

export interface MlflowFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** A reply: HTTP status plus the parsed JSON body (or the raw text when it is not JSON). */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** The MLflow route prefixes gyre serves: the Python client's and the MLflow UI's. */
export const MLFLOW_PREFIXES = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"] as const;

/** A unique name so tests sharing a server never collide. */
export function uid(prefix = "t"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Query string the way `requests` builds it from `params=`: lists become repeated keys, None is dropped. */
function queryOf(params: Record<string, string | number | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

async function reply<T>(res: Response): Promise<Reply<T>> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // non-JSON bodies (artifact downloads) stay text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/**
 * A tiny MLflow REST client over fetch, shaped like MLflow's RestStore: GET endpoints take query
 * parameters, everything else a JSON body. `ok*` variants insist on HTTP 200.
 */
export class MlflowRest {
  constructor(
    readonly baseUrl: string,
    readonly prefix: string = MLFLOW_PREFIXES[0],
  ) {}

  /** `/api/2.0/mlflow-artifacts` or `/ajax-api/2.0/mlflow-artifacts`, matching this client's prefix. */
  get artifactsPrefix(): string {
    return this.prefix.replace(/\/mlflow$/, "/mlflow-artifacts");
  }

  async get<T = Record<string, unknown>>(
    path: string,
    params: Record<string, string | number | string[] | undefined> = {},
  ): Promise<Reply<T>> {
    return reply<T>(await fetch(`${this.baseUrl}${this.prefix}${path}${queryOf(params)}`));
  }

  async post<T = Record<string, unknown>>(path: string, body: unknown): Promise<Reply<T>> {
    return this.postRaw<T>(path, JSON.stringify(body));
  }

  /** POSTs a body as given, e.g. Python's `json.dumps` output with bare NaN, or broken JSON. */
  async postRaw<T = Record<string, unknown>>(
    path: string,
    text: string,
    contentType = "application/json",
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.baseUrl}${this.prefix}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: text,
    });
    return reply<T>(res);
  }

  /** PATCH or DELETE with a JSON body, as RestStore sends every non-GET call (requests' `json=`). */
  async send<T = Record<string, unknown>>(
    method: "PATCH" | "DELETE",
    path: string,
    body: unknown,
  ): Promise<Reply<T>> {
    const res = await fetch(`${this.baseUrl}${this.prefix}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return reply<T>(res);
  }

  async okSend<T = Record<string, unknown>>(
    method: "PATCH" | "DELETE",
    path: string,
    body: unknown,
  ): Promise<T> {
    return expectOk(path, await this.send<T>(method, path, body));
  }

  async okGet<T = Record<string, unknown>>(
    path: string,
    params: Record<string, string | number | string[] | undefined> = {},
  ): Promise<T> {
    return expectOk(path, await this.get<T>(path, params));
  }

  async okPost<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    return expectOk(path, await this.post<T>(path, body));
  }

  async createExperiment(name = uid("exp"), tags: MlflowTag[] = []): Promise<string> {
    return (await this.okPost<{ experiment_id: string }>("/experiments/create", { name, tags }))
      .experiment_id;
  }

  async createRun(experimentId: string, extra: Record<string, unknown> = {}): Promise<MlflowRun> {
    const body = { experiment_id: experimentId, start_time: Date.now(), tags: [], ...extra };
    return (await this.okPost<{ run: MlflowRun }>("/runs/create", body)).run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.okGet<{ run: MlflowRun }>("/runs/get", { run_uuid: runId, run_id: runId })).run;
  }

  /** Uploads through the artifact proxy (PUT, raw body), as `mlflow-artifacts:/` URIs do. */
  async putArtifact(path: string, body: string | Uint8Array, contentType?: string): Promise<Reply> {
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    const res = await fetch(`${this.baseUrl}${this.artifactsPrefix}/artifacts/${path}`, {
      method: "PUT",
      headers,
      body,
    });
    return reply(res);
  }

  async getArtifact(path: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${this.artifactsPrefix}/artifacts/${path}`);
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async listProxy(path: string): Promise<Reply<{ files?: MlflowFile[] }>> {
    const res = await fetch(`${this.baseUrl}${this.artifactsPrefix}/artifacts${queryOf({ path })}`);
    return reply(res);
  }
}

function expectOk<T>(path: string, r: Reply<T>): T {
  if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}
