import { setImmediate as yieldToLoop } from "node:timers/promises";
import { rowValue, scalarAt } from "../tensors.js";
import type { Protocol, RawInput, Tensor, Tensors } from "../types.js";
import type { ParquetSink, PredictionRow } from "./parquet-sink.js";

/** One answered request (or its shadow copy) as the data plane hands it to the log. */
export interface PredictionRecord {
  requestId: string;
  /** ms since the epoch (UTC). */
  ts: number;
  deployment: string;
  model: string;
  version: number;
  variant: string;
  shadow: boolean;
  protocol: Protocol;
  latencyMs: number;
  rows: number;
  inputs: Tensors;
  outputs: Tensors;
  /** Entity key columns of the request, when the deployment enriches from the feature store. */
  entityKeys: Record<string, RawInput> | null;
}

export interface PredictionLogOptions {
  /** Most prediction rows held in memory; more are dropped (and counted) rather than slowing responses. */
  capacity: number;
  /** How often queued rows are written, ms. */
  flushIntervalMs: number;
  onDrop?: (deployment: string, rows: number) => void;
  onFlush?: (rows: number, error?: unknown) => void;
  onDepth?: (rows: number) => void;
}

/** Elements per row of each tensor (the product of its trailing dims). */
function perRow(tensors: Tensors): Array<[string, Tensor, number]> {
  return Object.entries(tensors).map(([name, t]) => [name, t, t.shape.slice(1).reduce((a, d) => a * d, 1)]);
}

function rowObject(columns: Array<[string, Tensor, number]>, i: number): string {
  const o: Record<string, unknown> = {};
  for (const [name, t, per] of columns) o[name] = per === 1 ? scalarAt(t, i) : rowValue(t, i);
  return JSON.stringify(o);
}

function entityObject(keys: Record<string, RawInput>, i: number): string {
  const o: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(keys)) o[name] = raw.values[i];
  return JSON.stringify(o);
}

/** The rows of one record in the log's column layout (one per prediction row, sharing the request id). */
export function toRows(r: PredictionRecord): PredictionRow[] {
  const rows: PredictionRow[] = [];
  const inputs = perRow(r.inputs);
  const outputs = perRow(r.outputs);
  const version = String(r.version);
  for (let i = 0; i < r.rows; i++) {
    rows.push({
      requestId: r.requestId,
      rowIndex: i,
      ts: r.ts,
      deployment: r.deployment,
      model: r.model,
      version,
      variant: r.variant,
      shadow: r.shadow,
      protocol: r.protocol,
      latencyMs: r.latencyMs,
      inputs: rowObject(inputs, i),
      outputs: rowObject(outputs, i),
      entityKey: r.entityKeys ? entityObject(r.entityKeys, i) : null,
    });
  }
  return rows;
}

/** Records turned into rows between returns to the event loop. */
const SLICE = 64;

/**
 * The asynchronous prediction log: `offer` only appends to a bounded in-memory queue (never blocks, never
 * throws); a timer flushes the queue to the sink. When the queue is full the record is dropped and counted.
 */
export class PredictionLog {
  #queue: PredictionRecord[] = [];
  #rows = 0;
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: ParquetSink,
    private readonly options: PredictionLogOptions,
  ) {
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Prepares the sink (loads the Parquet writer) before traffic arrives. */
  open(): Promise<void> {
    return this.sink.open();
  }

  /** Queues `record`; returns false (and counts the drop) when the queue has no room for its rows. */
  offer(record: PredictionRecord): boolean {
    if (this.#rows + record.rows > this.options.capacity) {
      this.options.onDrop?.(record.deployment, record.rows);
      return false;
    }
    this.#queue.push(record);
    this.#rows += record.rows;
    this.options.onDepth?.(this.#rows);
    return true;
  }

  /** Writes everything queued so far; flushes run one after another. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    if (this.#queue.length === 0) return;
    const records = this.#queue;
    this.#queue = [];
    this.#rows = 0;
    this.options.onDepth?.(0);
    const rows: PredictionRow[] = [];
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % SLICE === 0) await yieldToLoop();
      for (const row of toRows(records[i]!)) rows.push(row);
    }
    try {
      await this.sink.write(rows);
      this.options.onFlush?.(rows.length);
    } catch (e) {
      this.options.onFlush?.(rows.length, e);
    }
  }

  /** Stops the timer, writes what is queued and closes the sink. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.sink.close();
  }
}
