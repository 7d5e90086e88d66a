import type { LogBatch, Metric, Tag, TrackingClient } from "../metadata/index.js";

/** MLflow's per-request limits: the batcher never sends more than this in one log-batch. */
const MAX = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

/**
 * Queues metrics, params and tags for one run and sends them as log-batch calls in the background,
 * in the order they were queued. `push*` never blocks; `flush()` resolves when everything queued so far
 * is stored, and rejects with the first write error (which is then cleared).
 */
export class RunBatcher {
  #metrics: Metric[] = [];
  #params: Tag[] = [];
  #tags: Tag[] = [];
  #chain: Promise<void> = Promise.resolve();
  #error: unknown = undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: TrackingClient,
    private readonly runId: string,
    private readonly intervalMs: number,
  ) {}

  /** Number of queued, not yet sent items. */
  get pending(): number {
    return this.#metrics.length + this.#params.length + this.#tags.length;
  }

  pushMetric(m: Metric): void {
    this.#metrics.push(m);
    this.#schedule();
  }

  pushParam(p: Tag): void {
    this.#params.push(p);
    this.#schedule();
  }

  pushTag(t: Tag): void {
    this.#tags.push(t);
    this.#schedule();
  }

  /** Sends a full batch as soon as one is queued, else after `intervalMs` (the timer does not keep the process alive). */
  #schedule(): void {
    if (this.#metrics.length >= MAX.metrics) {
      void this.#drain().catch(() => undefined);
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain().catch(() => undefined);
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** Takes at most one request's worth of queued items. */
  #take(): LogBatch {
    const params = this.#params.splice(0, MAX.params);
    const tags = this.#tags.splice(0, MAX.tags);
    const metrics = this.#metrics.splice(0, MAX.total - params.length - tags.length);
    return { metrics, params, tags };
  }

  #drain(): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      while (this.pending > 0) {
        const batch = this.#take();
        try {
          await this.client.logBatch(this.runId, batch);
        } catch (e) {
          this.#error ??= e;
        }
      }
    });
    return this.#chain;
  }

  /** Sends everything queued; rethrows the first error any background write hit since the last flush. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    await this.#drain();
    const err = this.#error;
    this.#error = undefined;
    if (err !== undefined) throw err;
  }
}
