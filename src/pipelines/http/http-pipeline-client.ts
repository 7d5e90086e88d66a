import { ApiClient, queryString } from "../../core/api-client.js";
import { GyreError } from "../../core/errors.js";
import { openTracking, type TrackingClient } from "../../metadata/index.js";
import {
  type ClientStartOptions,
  type PipelineClient,
  type PipelineInfo,
  type PipelineRunStatusView,
  type PipelineRunView,
  readText,
} from "../client.js";
import type { PipelineEvent } from "../run-context.js";
import type { PipelineRunStatus } from "../types.js";
import type { RunWatch } from "../watch.js";

const enc = encodeURIComponent;

/** Splits Server-Sent Events text into complete events; returns them and the unfinished rest. */
function parseSse(text: string): { events: PipelineEvent[]; rest: string } {
  const events: PipelineEvent[] = [];
  let rest = text;
  for (let cut = rest.indexOf("\n\n"); cut >= 0; cut = rest.indexOf("\n\n")) {
    const block = rest.slice(0, cut);
    rest = rest.slice(cut + 2);
    const data = block
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (data) events.push(JSON.parse(data) as PipelineEvent);
  }
  return { events, rest };
}

/**
 * The PipelineClient of a gyre server (`--store http://…`): the server runs the pipelines defined in its
 * gyre.config.ts, this client starts, follows (Server-Sent Events), resumes and cancels them.
 */
export class HttpPipelineClient implements PipelineClient {
  readonly #api: ApiClient;
  #tracking: Promise<TrackingClient> | null = null;

  constructor(serverUrl: string) {
    this.#api = new ApiClient(serverUrl);
  }

  async describe(): Promise<PipelineInfo[]> {
    return (await this.#api.call<{ pipelines: PipelineInfo[] }>("GET", "/pipelines")).pipelines;
  }

  async runs(filter: {
    pipeline?: string;
    status?: PipelineRunStatus;
    limit?: number;
  }): Promise<PipelineRunView[]> {
    return (await this.#api.call<{ runs: PipelineRunView[] }>("GET", `/pipelines/runs${queryString(filter)}`))
      .runs;
  }

  async start(pipeline: string, options: ClientStartOptions): Promise<string> {
    if (options.inputs && Object.keys(options.inputs).length > 0) {
      throw new GyreError(
        "PIPELINE_INPUT_MISSING",
        "Input files cannot be sent to a server: log them as artifacts and pass their URIs as parameters, or point --store at the database",
        { field: "input" },
      );
    }
    const { inputs: _inputs, ...body } = options;
    const res = await this.#api.call<{ runId: string }>("POST", `/pipelines/${enc(pipeline)}/runs`, body);
    return res.runId;
  }

  status(runId: string): Promise<PipelineRunStatusView> {
    return this.#api.call("GET", `/pipelines/runs/${enc(runId)}`);
  }

  async resume(runId: string): Promise<string> {
    return (await this.#api.call<{ runId: string }>("POST", `/pipelines/runs/${enc(runId)}/resume`, {}))
      .runId;
  }

  async cancel(runId: string): Promise<void> {
    await this.#api.call("POST", `/pipelines/runs/${enc(runId)}/cancel`, {});
  }

  async watch(runId: string, onEvent: (e: PipelineEvent) => void): Promise<RunWatch> {
    const abort = new AbortController();
    const path = `/pipelines/runs/${enc(runId)}/events`;
    const res = await this.#api.fetch("GET", path, undefined, undefined, abort.signal);
    if (!res.ok || !res.body) throw await this.#api.failure(res, path);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const done = (async () => {
      let text = "";
      try {
        for (;;) {
          const { value, done: ended } = await reader.read();
          if (ended) return;
          const parsed = parseSse(text + value);
          text = parsed.rest;
          for (const e of parsed.events) {
            onEvent(e);
            if (e.type === "run" && e.status !== "RUNNING") return;
          }
        }
      } catch (e) {
        if (!abort.signal.aborted) throw e;
      } finally {
        abort.abort();
      }
    })();
    return { stop: () => abort.abort(), done };
  }

  async stepLog(trackingRunId: string, stream: "stdout" | "stderr"): Promise<string | null> {
    try {
      const server = this.#api.server;
      this.#tracking ??= openTracking({ store: server, artifacts: server });
      const tracking = await this.#tracking;
      return await readText(await tracking.downloadArtifact(trackingRunId, `logs/${stream}.txt`));
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {}
}
