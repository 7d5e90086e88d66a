/**
 * Chi-squared tests on category counts: the 2×k contingency test of reference vs current counts
 * (scipy.stats.chi2_contingency, default correction=True: Yates' correction when dof = 1) and the
 * goodness-of-fit test of current counts against reference shares (scipy.stats.chisquare).
 */
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";

/** Statistic, degrees of freedom and upper-tail p-value. */
export interface Chi2Result {
  statistic: number;
  dof: number;
  pValue: number;
}

/** Upper tail of the chi-squared distribution with `dof` degrees of freedom. */
export function chi2Sf(x: number, dof: number): number {
  if (dof <= 0) return Number.NaN;
  return Math.min(1, Math.max(0, 1 - chisquareCdf(x, dof)));
}

/**
 * The contingency test of two count vectors over the same categories; categories empty on both sides are
 * dropped (their expected count would be 0). One category left gives statistic 0, p-value 1, as scipy.
 */
export function chi2Contingency(reference: ArrayLike<number>, current: ArrayLike<number>): Chi2Result {
  const cols: [number, number][] = [];
  let r = 0;
  let c = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!;
    const b = current[i]!;
    if (a + b === 0) continue;
    cols.push([a, b]);
    r += a;
    c += b;
  }
  const dof = cols.length - 1;
  if (dof <= 0 || r === 0 || c === 0) return { statistic: 0, dof: Math.max(dof, 0), pValue: 1 };
  const n = r + c;
  let stat = 0;
  for (const [a, b] of cols) {
    const ea = (r * (a + b)) / n;
    const eb = (c * (a + b)) / n;
    stat += term(a, ea, dof) + term(b, eb, dof);
  }
  return { statistic: stat, dof, pValue: chi2Sf(stat, dof) };
}

function term(observed: number, expected: number, dof: number): number {
  let o = observed;
  if (dof === 1) {
    const diff = expected - o;
    o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
  }
  return ((o - expected) * (o - expected)) / expected;
}

/**
 * Pearson's goodness-of-fit of current counts against the reference's shares scaled to the current total.
 * Categories absent from the reference must have been removed or pooled by the caller (expected 0 is
 * undefined); returns NaN statistic then.
 */
export function chi2GoodnessOfFit(reference: ArrayLike<number>, current: ArrayLike<number>): Chi2Result {
  let r = 0;
  let c = 0;
  for (let i = 0; i < reference.length; i++) {
    r += reference[i]!;
    c += current[i]!;
  }
  const dof = reference.length - 1;
  let stat = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = (reference[i]! / r) * c;
    const o = current[i]!;
    stat += e === 0 ? (o === 0 ? 0 : Number.POSITIVE_INFINITY) : ((o - e) * (o - e)) / e;
  }
  if (!Number.isFinite(stat) || dof <= 0) return { statistic: Number.NaN, dof, pValue: Number.NaN };
  return { statistic: stat, dof, pValue: chi2Sf(stat, dof) };
}
