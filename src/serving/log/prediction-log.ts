import { rowValue, scalarAt } from "../tensors.js";
import type { Protocol, RawInput, Tensor, Tensors } from "../types.js";
import { emptyColumns, type LogColumns, type ParquetSink, sourceIndex } from "./parquet-sink.js";

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

/** `"name":` of each tensor name seen so far (names repeat on every request). */
const keys = new Map<string, string>();

function keyOf(name: string): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = `${JSON.stringify(name)}:`;
    if (keys.size < 10_000) keys.set(name, k);
  }
  return k;
}

/** JSON text of row `i` of `t`: a scalar when a row holds one element, else the row's flat values. */
function jsonAt(t: Tensor, i: number): string {
  const per = t.shape.length === 2 ? t.shape[1]! : t.shape.slice(1).reduce((a, d) => a * d, 1);
  if (per !== 1) return JSON.stringify(rowValue(t, i));
  const v = t.data[i];
  switch (typeof v) {
    case "number":
      if (t.dtype === "bool") return v === 1 ? "true" : "false";
      return Number.isFinite(v) ? String(v) : "null";
    case "string":
      return JSON.stringify(v);
    default:
      return JSON.stringify(scalarAt(t, i));
  }
}

/** The JSON object of row `i`: tensor name → the row's value (what `JSON.stringify` of that object gives). */
function rowJson(tensors: Tensors, i: number): string {
  let s = "{";
  for (const name in tensors) {
    if (s.length > 1) s += ",";
    s += keyOf(name) + jsonAt(tensors[name]!, i);
  }
  return `${s}}`;
}

function entityJson(keys: Record<string, RawInput>, i: number): string {
  const o: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(keys)) o[name] = raw.values[i];
  return JSON.stringify(o);
}

/** Appends the rows of `r` (one per prediction row, sharing the request id) to `c`. */
export function pushRecord(c: LogColumns, r: PredictionRecord): void {
  const source = sourceIndex(c, {
    deployment: r.deployment,
    model: r.model,
    version: String(r.version),
    variant: r.variant,
    shadow: r.shadow,
    protocol: r.protocol,
  });
  for (let i = 0; i < r.rows; i++) {
    c.source.push(source);
    c.requestId.push(r.requestId);
    c.rowIndex.push(i);
    c.ts.push(r.ts);
    c.latencyMs.push(r.latencyMs);
    c.inputs.push(rowJson(r.inputs, i));
    c.outputs.push(rowJson(r.outputs, i));
    c.entityKey.push(r.entityKeys ? entityJson(r.entityKeys, i) : null);
  }
}

/**
 * The asynchronous prediction log: `offer` only appends the record's rows to bounded in-memory columns (never
 * blocks, never throws; the record's tensors are not kept); a timer flushes the columns to the sink. When
 * the columns are full the record is dropped and counted.
 */
export class PredictionLog {
  #columns: LogColumns = emptyColumns();
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
    const queued = this.#columns.requestId.length;
    if (queued + record.rows > this.options.capacity) {
      this.options.onDrop?.(record.deployment, record.rows);
      return false;
    }
    pushRecord(this.#columns, record);
    this.options.onDepth?.(queued + record.rows);
    return true;
  }

  /** Writes everything queued so far; flushes run one after another. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const columns = this.#columns;
    const rows = columns.requestId.length;
    if (rows === 0) return;
    this.#columns = emptyColumns();
    this.options.onDepth?.(0);
    try {
      await this.sink.writeColumns(columns);
      this.options.onFlush?.(rows);
    } catch (e) {
      this.options.onFlush?.(rows, e);
    }
  }

  /** Stops the timer, writes what is queued and closes the sink. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.sink.close();
  }
}
