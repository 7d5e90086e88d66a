import {
  type ClientStartOptions,
  type PipelineClient,
  type PipelineInfo,
  type PipelineRunStatusView,
  type PipelineRunView,
  readText,
  runView,
} from "./client.js";
import type { PipelineEvent } from "./run-context.js";
import type { PipelineService, RunHandle } from "./service.js";
import type { PipelineRunStatus } from "./types.js";
import { type RunWatch, watchRun } from "./watch.js";

/** How often a watch reads the store for changes made by another process, ms. */
const WATCH_POLL_MS = 500;

/** The PipelineClient over a PipelineService: runs it starts or resumes are driven by this process. */
export class LocalPipelineClient implements PipelineClient {
  readonly #driving = new Set<Promise<unknown>>();

  constructor(readonly service: PipelineService) {}

  async describe(): Promise<PipelineInfo[]> {
    return this.service
      .pipelines()
      .map((d) => ({ name: d.name, params: d.params, steps: this.service.plan(d.name).steps.length }));
  }

  async runs(filter: {
    pipeline?: string;
    status?: PipelineRunStatus;
    limit?: number;
  }): Promise<PipelineRunView[]> {
    return (await this.service.listRuns(filter)).map(({ plan: _plan, ...r }) => r);
  }

  #drive(handle: RunHandle): string {
    const done = handle.done.catch(() => undefined);
    this.#driving.add(done);
    void done.finally(() => this.#driving.delete(done));
    return handle.runId;
  }

  async start(pipeline: string, options: ClientStartOptions): Promise<string> {
    return this.#drive(await this.service.start(pipeline, options));
  }

  async status(runId: string): Promise<PipelineRunStatusView> {
    return runView(await this.service.status(runId));
  }

  async resume(runId: string): Promise<string> {
    return this.#drive(await this.service.resume(runId));
  }

  cancel(runId: string): Promise<void> {
    return this.service.cancel(runId);
  }

  watch(runId: string, onEvent: (e: PipelineEvent) => void): Promise<RunWatch> {
    return watchRun(this.service, runId, onEvent, { pollMs: WATCH_POLL_MS });
  }

  async stepLog(trackingRunId: string, stream: "stdout" | "stderr"): Promise<string | null> {
    try {
      return await readText(
        await this.service.tracking.downloadArtifact(trackingRunId, `logs/${stream}.txt`),
      );
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#driving);
    await this.service.close();
  }
}
