/**
 * Sorting (and measuring) many numeric columns on all cores: `numericColumns` and `numericDrift` split the
 * work between the calling thread and a small pool of worker threads (one per extra core), each running the
 * same code (sort-job.ts), so results are identical to `numericColumn` / `computeDrift` in one thread. The
 * pool starts on first use and never keeps the process alive. Where a worker cannot start or fails, the
 * work is done in the calling thread.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { DriftMetricConfig } from "./config.js";
import type { DriftResult } from "./drift.js";
import type { NumericColumn } from "./sort.js";
import { runItem, type SortedItem, type SortItem, type SortReply, type SortRequest } from "./sort-job.js";

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
let starting: Promise<void> | null = null;

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
  const done = await runItems(
    columns.map((c) => ({ columns: [c], configs: [], keep: true })),
    options,
  );
  return done.map((d) => d.columns[0]!);
}

/** A numeric feature's raw reference and current values and the metrics to compute on them. */
export interface NumericPair {
  reference: ArrayLike<number | null | undefined>;
  current: ArrayLike<number | null | undefined>;
  configs: readonly DriftMetricConfig[];
}

/** `computeDrift` of each config of a pair, in order. */
export interface NumericPairResult {
  drift: DriftResult[];
}

/**
 * `computeDrift` of every pair's configs, each pair sorted and measured on one thread of the pool (metric
 * configs are plain data, so workers run the same pure calculation); results equal the in-thread ones.
 * The sorted columns are not kept (they are sorted into reused buffers): use `numericColumns` for those.
 */
export async function numericDrift(
  pairs: readonly NumericPair[],
  options: SortPoolOptions = {},
): Promise<NumericPairResult[]> {
  const items = pairs.map((p) => ({
    columns: [p.reference, p.current],
    configs: [...p.configs],
    keep: false,
  }));
  const done = await runItems(items, options);
  return done.map((d) => ({ drift: d.drift }));
}

async function runItems(items: SortItem[], options: SortPoolOptions): Promise<SortedItem[]> {
  const wanted = Math.max(0, options.workers ?? Math.min(3, availableParallelism() - 1));
  const sizes = items.map((item) => item.columns.reduce((n, c) => n + c.length, 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < PARALLEL_MIN_VALUES || wanted === 0) return items.map(runItem);
  const workers = pool.length >= wanted ? pool.slice(0, wanted) : await startWorkers(wanted);
  if (workers.length === 0) return items.map(runItem);
  const shares = split(sizes, workers.length + 1);
  const replies = workers.flatMap((w, k) => post(w, shares[k + 1]!, items));
  const out: SortedItem[] = new Array(items.length);
  for (const i of shares[0]!) out[i] = runItem(items[i]!);
  for (const { share, reply } of await Promise.all(replies)) {
    share.forEach((i, j) => {
      out[i] = reply.items[j]!;
    });
  }
  return out;
}

/** Posts a share in small batches (the worker starts on the first while the rest are copied). */
function post(w: PoolWorker, share: number[], items: SortItem[]) {
  const batches: Promise<{ share: number[]; reply: SortReply }>[] = [];
  for (let b = 0; b < share.length; b += BATCH) {
    const part = share.slice(b, b + BATCH);
    const request = part.map((i) => ({ ...items[i]!, columns: items[i]!.columns.map(toFloat64) }));
    const reply = send(w, request).catch(
      (): SortReply => ({ id: -1, items: part.map((i) => runItem(items[i]!)) }),
    );
    batches.push(reply.then((r) => ({ share: part, reply: r })));
  }
  return batches;
}

/**
 * Item indexes in `parts` groups of about equal cost (largest first, each to the lightest group); group 0
 * is the calling thread's and weighs MAIN_WEIGHT of a worker's, since that thread also posts the other
 * shares and goes on with the caller's work.
 */
function split(sizes: number[], parts: number): number[][] {
  const groups = Array.from({ length: parts }, (_, g) => ({
    load: 0,
    weight: g === 0 ? MAIN_WEIGHT : 1,
    items: [] as number[],
  }));
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
  for (const i of order) {
    const cost = (g: (typeof groups)[number]) => (g.load + sizes[i]!) / g.weight;
    const g = groups.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    g.items.push(i);
    g.load += sizes[i]!;
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

function send(w: PoolWorker, items: SortItem[]): Promise<SortReply> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    w.pending.set(id, { resolve, reject });
    w.worker.ref();
    w.worker.postMessage({ id, items } satisfies SortRequest);
  });
}

/** Grows the pool to `count` workers (concurrent callers share one start-up) and returns that many. */
async function startWorkers(count: number): Promise<PoolWorker[]> {
  while (unavailable === null && pool.length < count) {
    starting ??= startWorker().then(
      (w) => {
        pool.push(w);
      },
      (e: Error) => {
        unavailable = e.message;
      },
    );
    const current = starting;
    await current;
    if (starting === current) starting = null;
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
