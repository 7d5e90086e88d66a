/**
 * Sorting many numeric columns on all cores: `numericColumns` splits the columns between the calling thread
 * and a small pool of worker threads (one per extra core), each sorting its share with the same radix sort,
 * so results are identical to `numericColumn` on every column. The pool starts on first use and never keeps
 * the process alive. Where a worker cannot start (no compiled worker script, e.g. under a test runner that
 * transforms TypeScript in-process), everything is sorted in the calling thread.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type NumericColumn, numericColumn } from "./sort.js";
import type { SortReply, SortRequest } from "./sort-worker.js";

/** Below this many values in total, sorting in the calling thread beats handing columns to workers. */
const PARALLEL_MIN_VALUES = 200_000;
/** The calling thread's share of the sorting relative to a worker's. */
const MAIN_WEIGHT = 0.7;
/** Columns per message to a worker. */
const BATCH = 4;

export interface SortPoolOptions {
  /** Worker threads to use besides the calling thread; default: one per extra core, at most 3. */
  workers?: number;
}

/** What the pool is doing: workers running, or why sorting stays in the calling thread. */
export interface SortPoolStatus {
  workers: number;
  unavailable: string | null;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: SortReply) => void; reject: (e: Error) => void }>;
}

let pool: PoolWorker[] = [];
let unavailable: string | null = null;
let nextId = 0;

/** The pool's current state (for diagnostics and tests). */
export function sortPoolStatus(): SortPoolStatus {
  return { workers: pool.length, unavailable };
}

/**
 * `numericColumn` of every column, sorted in parallel when there is enough work and a worker can start. Once
 * the pool is running, the workers' shares are posted and the calling thread's share sorted before this
 * returns, so the caller can do other work (count categories) while the workers finish.
 */
export async function numericColumns(
  columns: readonly ArrayLike<number | null | undefined>[],
  options: SortPoolOptions = {},
): Promise<NumericColumn[]> {
  const wanted = Math.max(0, options.workers ?? Math.min(3, availableParallelism() - 1));
  let total = 0;
  for (const c of columns) total += c.length;
  if (total < PARALLEL_MIN_VALUES || wanted === 0) return columns.map((c) => numericColumn(c));
  const workers = pool.length >= wanted ? pool.slice(0, wanted) : await startWorkers(wanted);
  if (workers.length === 0) return columns.map((c) => numericColumn(c));
  const shares = split(columns, workers.length + 1);
  const replies = workers.flatMap((w, k) => post(w, shares[k + 1]!, columns));
  const out: NumericColumn[] = new Array(columns.length);
  for (const i of shares[0]!) out[i] = numericColumn(columns[i]!);
  for (const { share, reply } of await Promise.all(replies)) {
    share.forEach((i, j) => {
      out[i] = { sorted: reply.sorted[j]!, missing: reply.missing[j]! };
    });
  }
  return out;
}

/** Posts a share in small batches (the worker starts on the first while the rest are copied). */
function post(w: PoolWorker, share: number[], columns: readonly ArrayLike<number | null | undefined>[]) {
  const batches: Promise<{ share: number[]; reply: SortReply }>[] = [];
  for (let b = 0; b < share.length; b += BATCH) {
    const part = share.slice(b, b + BATCH);
    const reply = send(
      w,
      part.map((i) => toFloat64(columns[i]!)),
    ).catch(() => inThread(part, columns));
    batches.push(reply.then((r) => ({ share: part, reply: r })));
  }
  return batches;
}

/** A share sorted in the calling thread, shaped as a worker's reply (when its worker failed). */
function inThread(share: number[], columns: readonly ArrayLike<number | null | undefined>[]): SortReply {
  const sorted = share.map((i) => numericColumn(columns[i]!));
  return { id: -1, sorted: sorted.map((c) => c.sorted), missing: sorted.map((c) => c.missing) };
}

/**
 * Column indexes in `parts` groups of about equal cost (largest first, each to the lightest group); group 0
 * is the calling thread's and weighs MAIN_WEIGHT of a worker's, since that thread also posts the other
 * shares and goes on to compute the metrics.
 */
function split(columns: readonly ArrayLike<unknown>[], parts: number): number[][] {
  const groups = Array.from({ length: parts }, (_, g) => ({
    load: 0,
    weight: g === 0 ? MAIN_WEIGHT : 1,
    items: [] as number[],
  }));
  const order = columns.map((_, i) => i).sort((a, b) => columns[b]!.length - columns[a]!.length);
  for (const i of order) {
    const g = groups.reduce((a, b) =>
      (b.load + columns[i]!.length) / b.weight < (a.load + columns[i]!.length) / a.weight ? b : a,
    );
    g.items.push(i);
    g.load += columns[i]!.length;
  }
  return groups.map((g) => g.items.sort((a, b) => a - b));
}

/** A Float64Array copy with NaN for anything that is not a number (counted as missing, like numericColumn). */
function toFloat64(values: ArrayLike<number | null | undefined>): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === "number" ? v : Number.NaN;
  }
  return out;
}

function send(w: PoolWorker, columns: Float64Array[]): Promise<SortReply> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    w.pending.set(id, { resolve, reject });
    w.worker.ref();
    w.worker.postMessage({ id, columns } satisfies SortRequest);
  });
}

async function startWorkers(count: number): Promise<PoolWorker[]> {
  if (unavailable !== null || count === 0) return [];
  while (pool.length < count) {
    const w = await startWorker().catch((e: Error) => e);
    if (w instanceof Error) {
      unavailable = w.message;
      return pool;
    }
    pool.push(w);
  }
  return pool.slice(0, count);
}

function startWorker(): Promise<PoolWorker> {
  let worker: Worker;
  try {
    worker = spawn();
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const w: PoolWorker = { worker, pending: new Map() };
  return new Promise((resolve, reject) => {
    worker.once("message", (m: unknown) => {
      if (m !== "ready") return reject(new Error("sort worker sent no ready message"));
      worker.on("message", (reply: SortReply) => settle(w, reply));
      worker.unref();
      resolve(w);
    });
    worker.on("error", (e) => {
      fail(w, e);
      reject(e);
    });
    worker.on("exit", (code) => fail(w, new Error(`sort worker exited with code ${code}`)));
  });
}

/**
 * The worker script beside this module: compiled JavaScript in a build; the TypeScript source when running
 * from source under tsx, loaded through tsx's loader in the worker (throws where tsx cannot be resolved).
 */
function spawn(): Worker {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL("./sort-worker.js", self));
  const tsx = import.meta.resolve("tsx/esm/api");
  const script = new URL("./sort-worker.ts", self).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(script)}); });`;
  return new Worker(boot, { eval: true });
}

function settle(w: PoolWorker, reply: SortReply): void {
  const p = w.pending.get(reply.id);
  w.pending.delete(reply.id);
  if (w.pending.size === 0) w.worker.unref();
  p?.resolve(reply);
}

/** A failed worker leaves the pool; its pending batches are rejected, later calls sort in-thread. */
function fail(w: PoolWorker, e: Error): void {
  pool = pool.filter((x) => x !== w);
  unavailable ??= e.message;
  for (const p of w.pending.values()) p.reject(e);
  w.pending.clear();
}
