/** Deterministic workloads: the metric batches a training client sends and the runs the search phase finds. */
import type { Metric } from "../src/metadata/index.js";

/** mulberry32: a small seeded PRNG so every run of the bench sends the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const BATCH_KEYS = 10;
export const BATCH_SIZE = 1000;
const T0 = 1_735_689_600_000;

/** Batch `index` of one writer: BATCH_KEYS metric keys × (BATCH_SIZE / BATCH_KEYS) consecutive steps. */
export function metricBatch(writer: number, index: number): Metric[] {
  const rand = prng(writer * 1_000_003 + index);
  const steps = BATCH_SIZE / BATCH_KEYS;
  const out: Metric[] = [];
  for (let s = 0; s < steps; s++) {
    const step = index * steps + s;
    for (let k = 0; k < BATCH_KEYS; k++)
      out.push({ key: `train/m${k}`, value: rand(), timestamp: T0 + step * 10, step });
  }
  return out;
}

/** The MLflow log-batch body for `metricBatch(writer, index)`. */
export function logBatchBody(runId: string, metrics: Metric[]): string {
  return JSON.stringify({ run_id: runId, metrics });
}

/** Shape of the search data set: runs × metrics × params, every value drawn from `prng(SEARCH_SEED)`. */
export interface SearchShape {
  runs: number;
  metrics: number;
  params: number;
}

export const SEARCH_SEED = 42;
/** Params take one of 10 values, so `params.p0 = 'v3'` keeps ~10 % of runs; metrics are uniform in [0, 1). */
export const PARAM_VALUES = 10;

/** One seeded run's rows, in the store's column names. */
export interface SeedRun {
  runUuid: string;
  startTime: number;
  params: { key: string; value: string }[];
  metrics: { key: string; value: number }[];
}

export function* searchRuns(shape: SearchShape): Generator<SeedRun> {
  const rand = prng(SEARCH_SEED);
  for (let i = 0; i < shape.runs; i++) {
    const hex = Math.floor(rand() * 2 ** 32)
      .toString(16)
      .padStart(8, "0");
    yield {
      runUuid: `${hex}${i.toString(16).padStart(24, "0")}`,
      startTime: T0 + i * 1000,
      params: Array.from({ length: shape.params }, (_, p) => ({
        key: `p${p}`,
        value: `v${Math.floor(rand() * PARAM_VALUES)}`,
      })),
      metrics: Array.from({ length: shape.metrics }, (_, m) => ({ key: `m${m}`, value: rand() })),
    };
  }
}
