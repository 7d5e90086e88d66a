/**
 * Distances between distributions: Population Stability Index, Jensen–Shannon distance (natural log, as
 * scipy.spatial.distance.jensenshannon) and the first Wasserstein distance (scipy.stats.wasserstein_distance).
 */
import { quantileSorted, searchSorted } from "./sort.js";

/** Default share substituted for an empty bin in PSI, so that ln(c / r) stays finite (Evidently's 1e-4). */
export const PSI_EPSILON = 1e-4;

/**
 * Interior edges of `bins` equal-frequency bins of the reference: its quantiles at i / bins (numpy linear
 * interpolation), duplicates removed. Bin k holds values v with edges[k-1] ≤ v < edges[k]; the outer bins
 * are open, so current values outside the reference range still land in a bin.
 */
export function quantileEdges(reference: Float64Array, bins: number): Float64Array {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const q = quantileSorted(reference, i / bins);
    if (edges.length === 0 || q !== edges[edges.length - 1]) edges.push(q);
  }
  return Float64Array.from(edges);
}

/** Counts of an ascending array in the bins defined by interior `edges` (numpy.searchsorted side='right'). */
export function binCounts(sorted: Float64Array, edges: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let before = 0;
  for (let k = 0; k < edges.length; k++) {
    const upTo = searchSorted(sorted, edges[k]!);
    counts[k] = upTo - before;
    before = upTo;
  }
  counts[edges.length] = sorted.length - before;
  return counts;
}

/**
 * PSI = Σ (c_i − r_i) · ln(c_i / r_i) over bins, with r and c the reference and current shares; a share of 0
 * becomes `epsilon`. Returns NaN when either side has no values.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  const rs = total(reference);
  const cs = total(current);
  if (rs === 0 || cs === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]! / rs || epsilon;
    const c = current[i]! / cs || epsilon;
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/** Jensen–Shannon distance (square root of the divergence, natural log) of two count or weight vectors. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const ps = total(p);
  const qs = total(q);
  if (ps === 0 || qs === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / ps;
    const b = q[i]! / qs;
    const m = (a + b) / 2;
    if (a > 0) sum += a * Math.log(a / m);
    if (b > 0) sum += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, sum / 2));
}

/** ∫ |F_u − F_v| dx for two ascending, non-empty arrays of finite values (unit weights). */
export function wasserstein1(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let prev = Math.min(u[0]!, v[0]!);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    sum += Math.abs(i / nu - j / nv) * (x - prev);
    prev = x;
    if (j >= nv || (i < nu && u[i]! <= v[j]!)) i++;
    else j++;
  }
  return sum;
}

/**
 * Wasserstein-1 between two binned distributions that share `edges` (all finite, ascending): each bin's mass
 * is spread uniformly over the bin, so the CDFs are piecewise linear. Used when the reference is a profile.
 */
export function wassersteinBinned(
  edges: ArrayLike<number>,
  p: ArrayLike<number>,
  q: ArrayLike<number>,
): number {
  const ps = total(p);
  const qs = total(q);
  if (ps === 0 || qs === 0) return Number.NaN;
  let fp = 0;
  let fq = 0;
  let sum = 0;
  for (let k = 0; k < p.length; k++) {
    const width = edges[k + 1]! - edges[k]!;
    const a0 = fp - fq;
    fp += p[k]! / ps;
    fq += q[k]! / qs;
    sum += width * absIntegral(a0, fp - fq);
  }
  return sum;
}

/** ∫₀¹ |a + (b − a)t| dt. */
function absIntegral(a: number, b: number): number {
  if (a * b >= 0) return (Math.abs(a) + Math.abs(b)) / 2;
  return (a * a + b * b) / (2 * (Math.abs(a) + Math.abs(b)));
}

function total(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
