import { concatTensors, sliceRows } from "./tensors.js";
import type { BatchingOptions, Tensors } from "./types.js";

interface Pending {
  tensors: Tensors;
  rows: number;
  resolve(out: Tensors): void;
  reject(e: unknown): void;
}

/** What a batcher reports after each inference call: rows in it and requests merged. */
export type BatchObserver = (rows: number, requests: number) => void;

/**
 * Dynamic batching for one loaded model: requests that arrive while the model is busy (or within `maxWaitMs`
 * of the first waiting one) are merged along dim 0 into one call of at most `maxBatchSize` rows, and the
 * outputs are split back per request in order. One call runs at a time. With `maxWaitMs` 0 (the default) a
 * request that finds the model idle and nobody waiting starts its call at once, as Triton's dynamic batcher
 * does with no queue delay: waiting a turn of the event loop for company cost a lone request ~0.08 ms and
 * merged nothing. With `maxBatchSize` 1 or an unbatchable model every request runs on its own, concurrently.
 */
export class DynamicBatcher {
  readonly #queue: Pending[] = [];
  #queuedRows = 0;
  #busy = false;
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;

  constructor(
    private readonly run: (inputs: Tensors) => Promise<Tensors>,
    private readonly options: BatchingOptions & { batchable: boolean },
    private readonly observe: BatchObserver = () => {},
  ) {}

  /** Requests waiting for a batch. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Runs `tensors` (`rows` rows) as part of a batch; resolves with this request's rows of every output. */
  submit(tensors: Tensors, rows: number): Promise<Tensors> {
    if (!this.options.batchable || this.options.maxBatchSize <= 1) {
      this.observe(rows, 1);
      return this.run(tensors);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ tensors, rows, resolve, reject });
      this.#queuedRows += rows;
      this.#schedule(false);
    });
  }

  #schedule(afterRun: boolean): void {
    if (this.#busy || this.#queue.length === 0) return;
    const full = this.#queuedRows >= this.options.maxBatchSize;
    if (this.#timer && !full) return;
    this.#clearTimer();
    if (!afterRun && !full && this.options.maxWaitMs <= 0 && this.#queue.length === 1) void this.#dispatch();
    else if (full || afterRun || this.options.maxWaitMs <= 0)
      this.#timer = setImmediate(() => this.#dispatch());
    else this.#timer = setTimeout(() => this.#dispatch(), this.options.maxWaitMs);
  }

  #clearTimer(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = null;
  }

  #take(): Pending[] {
    const batch: Pending[] = [this.#queue.shift()!];
    let rows = batch[0]!.rows;
    while (this.#queue.length > 0 && rows + this.#queue[0]!.rows <= this.options.maxBatchSize) {
      const next = this.#queue.shift()!;
      rows += next.rows;
      batch.push(next);
    }
    this.#queuedRows -= rows;
    return batch;
  }

  async #dispatch(): Promise<void> {
    this.#timer = null;
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    const batch = this.#take();
    const rows = batch.reduce((a, p) => a + p.rows, 0);
    this.observe(rows, batch.length);
    try {
      const out = await this.run(concatTensors(batch.map((p) => p.tensors)));
      let at = 0;
      for (const p of batch) {
        p.resolve(batch.length === 1 ? out : sliceRows(out, at, at + p.rows));
        at += p.rows;
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.#busy = false;
      this.#schedule(true);
    }
  }
}
