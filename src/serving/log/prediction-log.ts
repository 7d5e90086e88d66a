import { rowValue, scalarAt } from "../tensors.js";
import type { Protocol, RawInput, Tensor, Tensors } from "../types.js";
import { emptyColumns, type LogColumns, sourceIndex } from "./parquet-sink.js";

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
  /**
   * Most prediction rows held in memory; more are dropped (and counted) rather than slowing responses. Each
   * sink may also fall this many rows behind; a flush that would exceed it is not handed to that sink.
   */
  capacity: number;
  /** How often queued rows are written, ms. */
  flushIntervalMs: number;
  onDrop?: (deployment: string, rows: number) => void;
  /** After each flush a sink finished (`error` set when its rows are lost to that sink). */
  onFlush?: (rows: number, error: unknown, sink: string) => void;
  onDepth?: (rows: number) => void;
}

/** Where flushed rows go: the Parquet files under the artifact store, an HTTP endpoint. */
export interface LogSink {
  readonly name: string;
  open(): Promise<void>;
  writeColumns(columns: LogColumns): Promise<void>;
  close(): Promise<void>;
}

interface SinkState {
  sink: LogSink;
  /** The sink's writes, one after another. */
  chain: Promise<void>;
  /** Rows handed to the sink and not written yet. */
  pending: number;
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
 * blocks, never throws; the record's tensors are not kept); a timer flushes the columns to every sink, each
 * at its own pace (a slow HTTP endpoint does not hold up the Parquet files). When the columns are full the
 * record is dropped and counted.
 */
export class PredictionLog {
  #columns: LogColumns = emptyColumns();
  #timer: NodeJS.Timeout;
  readonly #sinks: SinkState[];

  constructor(
    sinks: readonly LogSink[],
    private readonly options: PredictionLogOptions,
  ) {
    this.#sinks = sinks.map((sink) => ({ sink, chain: Promise.resolve(), pending: 0 }));
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Prepares the sinks (loads the Parquet writer) before traffic arrives. */
  async open(): Promise<void> {
    await Promise.all(this.#sinks.map((s) => s.sink.open()));
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

  /** Hands everything queued so far to every sink; resolves when each has written it (or failed). */
  async flush(): Promise<void> {
    const columns = this.#columns;
    const rows = columns.requestId.length;
    if (rows > 0) {
      this.#columns = emptyColumns();
      this.options.onDepth?.(0);
      for (const s of this.#sinks) this.#hand(s, columns, rows);
    }
    await Promise.all(this.#sinks.map((s) => s.chain));
  }

  #hand(s: SinkState, columns: LogColumns, rows: number): void {
    const name = s.sink.name;
    if (s.pending > 0 && s.pending + rows > this.options.capacity) {
      const behind = new Error(`The ${name} sink is ${s.pending} rows behind; these ${rows} rows skip it`);
      this.options.onFlush?.(rows, behind, name);
      return;
    }
    s.pending += rows;
    s.chain = s.chain
      .then(() => s.sink.writeColumns(columns))
      .then(
        () => this.options.onFlush?.(rows, undefined, name),
        (e: unknown) => this.options.onFlush?.(rows, e, name),
      )
      .finally(() => {
        s.pending -= rows;
      });
  }

  /** Stops the timer, writes what is queued and closes the sinks. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await Promise.all(this.#sinks.map((s) => s.sink.close()));
  }
}
