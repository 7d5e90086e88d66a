/**
 * Two-sample Kolmogorov–Smirnov test, as scipy.stats.ks_2samp(alternative='two-sided', method='auto'):
 * exact p-value when both samples have at most 10,000 values, else the asymptotic kstwo distribution at
 * en = round(m·n / (m + n)) (numpy's round-half-to-even).
 */
import { kstwoSf } from "./kolmogorov.js";
import { ks2sampExact } from "./ks-exact.js";

/** Largest sample size for which method='auto' computes the exact p-value (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10000;

/** Statistic D = sup |F1 − F2| and two-sided p-value; `method` says how the p-value was computed. */
export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymp";
}

/** sup over the pooled values of F1(x) − F2(x) and F2(x) − F1(x), from two ascending arrays. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = Number.NEGATIVE_INFINITY;
  let minS = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= x) i++;
    while (j < n2 && b[j]! <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClip = Math.min(1, Math.max(0, -minS));
  return minClip > maxS ? minClip : maxS;
}

/** The test on two ascending, non-empty arrays of finite values. */
export function ks2samp(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = ks2sampExact(n1, n2, d);
    d = exact.d;
    if (exact.ok) return { statistic: d, pValue: exact.p, method: "exact" };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: Math.min(1, Math.max(0, kstwoSf(d, roundHalfEven(en)))), method: "asymp" };
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
