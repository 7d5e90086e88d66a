/**
 * Summary statistics of one numeric column, computed the way numpy does so that reference values from
 * numpy match: `quantile` is numpy.quantile's default (linear) method, `histogram` is numpy.histogram with
 * equal-width bins over [min, max].
 */

/** The quantiles every numeric profile records, keyed as in the manifest. */
export const PROFILE_QUANTILES = { p1: 0.01, p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 };

/** Sum with Neumaier's compensation, so large columns do not drift the mean. */
function stableSum(values: Float64Array, map: (v: number) => number): number {
  let sum = 0;
  let carry = 0;
  for (const raw of values) {
    const v = map(raw);
    const t = sum + v;
    carry += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + carry;
}

/** Mean and population standard deviation (ddof = 0, numpy's default) of a non-empty column. */
export function meanStd(values: Float64Array): { mean: number; std: number } {
  const mean = stableSum(values, (v) => v) / values.length;
  const variance = stableSum(values, (v) => (v - mean) * (v - mean)) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of an ascending, non-empty column by linear interpolation between the two
 * nearest ranks, with numpy's `_lerp` (which interpolates from the upper neighbour when the weight ≥ 0.5).
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const index = (n - 1) * q;
  if (index >= n - 1) return sorted[n - 1]!;
  const lo = Math.floor(index);
  const gamma = index - lo;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/**
 * numpy.histogram(values, bins) of an ascending, non-empty column: `bins` equal-width bins from min to max
 * (widened by 0.5 on each side when all values are equal); bins are [e_i, e_i+1), the last one closed.
 */
export function histogramSorted(sorted: Float64Array, bins: number): { edges: number[]; counts: number[] } {
  let first = sorted[0]!;
  let last = sorted[sorted.length - 1]!;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + first);
  edges[bins] = last;
  const counts = new Array<number>(bins).fill(0);
  let bin = 0;
  for (const v of sorted) {
    while (bin < bins - 1 && v >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges, counts };
}
