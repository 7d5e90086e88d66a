import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import type { ArtifactRecord, DatasetInput, Run, RunStatus, TrackingClient } from "../metadata/index.js";
import { RunBatcher } from "./batcher.js";

/**
 * A run being recorded. Metric, param and tag calls return at once: they are queued and written in
 * the background in batches. `end()` flushes and sets the final status; it is idempotent.
 */
export class ActiveRun {
  readonly #batcher: RunBatcher;
  #onEnd: (() => void) | undefined;
  #ended: Promise<void> | undefined;

  constructor(
    readonly client: TrackingClient,
    readonly run: Run,
    options: { flushIntervalMs: number },
  ) {
    this.#batcher = new RunBatcher(client, run.info.runId, options.flushIntervalMs);
  }

  /** Registers a callback that runs once when `end()` is first called (used by the exit hooks). */
  onEnd(callback: () => void): void {
    this.#onEnd = callback;
  }

  get runId(): string {
    return this.run.info.runId;
  }

  get experimentId(): string {
    return this.run.info.experimentId;
  }

  /** True once `end()` has been called. */
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** Queues one metric point; `timestamp` defaults to now (ms since epoch, UTC), `step` to 0. */
  logMetric(key: string, value: number, step = 0, timestamp: number = Date.now()): void {
    this.#batcher.pushMetric({ key, value, step, timestamp });
  }

  /** Queues several metrics at one step. */
  logMetrics(values: Record<string, number>, step = 0): void {
    const timestamp = Date.now();
    for (const [key, value] of Object.entries(values))
      this.#batcher.pushMetric({ key, value, step, timestamp });
  }

  /** Queues a param (values are stringified; params are immutable once stored). */
  logParam(key: string, value: unknown): void {
    this.#batcher.pushParam({ key, value: String(value) });
  }

  logParams(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) this.logParam(key, value);
  }

  setTag(key: string, value: string): void {
    this.#batcher.pushTag({ key, value });
  }

  /** Uploads a local file (or a buffer/stream under `destPath`) into the run's artifacts. */
  async logArtifact(source: string | Buffer | Readable, destPath?: string): Promise<ArtifactRecord> {
    const body = typeof source === "string" ? await readFile(source) : source;
    const path = destPath ?? (typeof source === "string" ? basename(source) : undefined);
    if (!path) throw new TypeError("logArtifact needs a destPath when given a buffer or stream");
    return this.client.uploadArtifact(this.runId, path, body);
  }

  /** Records the datasets this run consumed (name, digest, source). */
  async logInputs(inputs: DatasetInput[]): Promise<void> {
    await this.client.logInputs(this.runId, inputs);
  }

  /** Waits until everything queued so far is stored; throws the first background write error. */
  flush(): Promise<void> {
    return this.#batcher.flush();
  }

  /** Flushes, then sets the status (default FINISHED) and end time. Later calls return the first call's promise. */
  end(status: RunStatus = "FINISHED"): Promise<void> {
    this.#ended ??= (async () => {
      this.#onEnd?.();
      try {
        await this.#batcher.flush();
      } finally {
        await this.client.updateRun(this.runId, { status, endTime: Date.now() });
      }
    })();
    return this.#ended;
  }
}
