/**
 * One pure calculation per metric config: `computeDrift(config, reference, current) → DriftResult`. Results
 * never carry NaN as a score: too few values give status 'not_enough_data', a method that does not apply to
 * the column type gives 'not_applicable', each with a reason.
 */
import { chi2Contingency, chi2GoodnessOfFit } from "./chi2.js";
import { alignCategories, type CurrentColumn, presentCount, type ReferenceColumn } from "./columns.js";
import { type DriftMetricConfig, fingerprint, P_VALUE_METHODS } from "./config.js";
import {
  binCounts,
  jensenShannon,
  psi,
  quantileEdges,
  wasserstein1,
  wassersteinBinned,
} from "./distances.js";
import type { DriftResult } from "./drift-types.js";
import { kstwoSf } from "./kolmogorov.js";
import { ks2samp, roundHalfEven } from "./ks.js";

export type { DriftResult } from "./drift-types.js";

type Calc =
  | { statistic: number; pValue: number | null; score: number }
  | { skip: DriftResult["status"]; reason: string };

/** Computes `config` on one feature. Pure: same inputs, same result. */
export function computeDrift(
  config: DriftMetricConfig,
  reference: ReferenceColumn,
  current: CurrentColumn,
): DriftResult {
  const referenceCount = presentCount(reference);
  const currentCount = presentCount(current);
  const base = {
    method: config.method,
    fingerprint: fingerprint(config),
    threshold: config.threshold,
    referenceCount,
    currentCount,
    binned: reference.kind === "binned",
  };
  const empty = { statistic: null, pValue: null, score: null, drifted: null };
  if (Math.min(referenceCount, currentCount) < config.minSamples) {
    const reason = `${Math.min(referenceCount, currentCount)} values on the ${referenceCount < currentCount ? "reference" : "current"} side; at least ${config.minSamples} needed`;
    return { ...base, ...empty, status: "not_enough_data", reason };
  }
  const r = calculate(config, reference, current);
  if ("skip" in r) return { ...base, ...empty, status: r.skip, reason: r.reason };
  if (!Number.isFinite(r.score)) {
    return {
      ...base,
      ...empty,
      status: "not_enough_data",
      reason: "the metric is undefined on these values",
    };
  }
  const drifted = P_VALUE_METHODS.has(config.method)
    ? r.score < config.threshold
    : r.score >= config.threshold;
  return { ...base, status: "ok", statistic: r.statistic, pValue: r.pValue, score: r.score, drifted };
}

function calculate(config: DriftMetricConfig, reference: ReferenceColumn, current: CurrentColumn): Calc {
  if (reference.kind === "categorical" || current.kind === "categorical") {
    if (reference.kind !== "categorical" || current.kind !== "categorical") {
      return { skip: "not_applicable", reason: "reference and current disagree on the feature type" };
    }
    return categorical(config, alignCategories(reference.column, current.column));
  }
  const cur = current.column.sorted;
  if (reference.kind === "binned") return binned(config, reference.column, cur);
  const ref = reference.column.sorted;
  switch (config.method) {
    case "ks": {
      const t = ks2samp(ref, cur);
      return { statistic: t.statistic, pValue: t.pValue, score: t.pValue };
    }
    case "psi": {
      const edges = quantileEdges(ref, config.bins);
      const v = psi(binCounts(ref, edges), binCounts(cur, edges), config.epsilon);
      return { statistic: v, pValue: null, score: v };
    }
    case "jensenshannon": {
      const edges = quantileEdges(ref, config.bins);
      const v = jensenShannon(binCounts(ref, edges), binCounts(cur, edges));
      return { statistic: v, pValue: null, score: v };
    }
    case "wasserstein": {
      const w = wasserstein1(ref, cur);
      const v = config.normalize ? w / stdOf(ref) : w;
      return {
        statistic: w,
        pValue: null,
        score: config.normalize && stdOf(ref) === 0 ? (w === 0 ? 0 : Infinity) : v,
      };
    }
    case "chi2":
      return {
        skip: "not_applicable",
        reason: "chi2 applies to categorical features; use ks, psi, wasserstein or jensenshannon",
      };
  }
}

function categorical(config: DriftMetricConfig, a: ReturnType<typeof alignCategories>): Calc {
  switch (config.method) {
    case "chi2": {
      if (config.chi2 === "goodness-of-fit" && a.unseen.length > 0) {
        const reason = `categories unseen in the reference (${a.unseen.slice(0, 5).join(", ")}); use chi2: 'contingency'`;
        return { skip: "not_applicable", reason };
      }
      const t =
        config.chi2 === "contingency"
          ? chi2Contingency(a.reference, a.current)
          : chi2GoodnessOfFit(a.reference, a.current);
      return { statistic: t.statistic, pValue: t.pValue, score: t.pValue };
    }
    case "psi": {
      const v = psi(a.reference, a.current, config.epsilon);
      return { statistic: v, pValue: null, score: v };
    }
    case "jensenshannon": {
      const v = jensenShannon(a.reference, a.current);
      return { statistic: v, pValue: null, score: v };
    }
    default:
      return {
        skip: "not_applicable",
        reason: `${config.method} applies to numeric features; use chi2, psi or jensenshannon`,
      };
  }
}

/** Against a training-profile histogram: current values are counted in the profile's bins (outer bins open). */
function binned(
  config: DriftMetricConfig,
  ref: { edges: readonly number[]; counts: readonly number[]; std: number | null },
  cur: Float64Array,
): Calc {
  const interior = ref.edges.slice(1, -1);
  const counts = binCounts(cur, interior);
  switch (config.method) {
    case "psi": {
      const v = psi(ref.counts, counts, config.epsilon);
      return { statistic: v, pValue: null, score: v };
    }
    case "jensenshannon": {
      const v = jensenShannon(ref.counts, counts);
      return { statistic: v, pValue: null, score: v };
    }
    case "wasserstein": {
      const edges = [...ref.edges];
      edges[0] = Math.min(edges[0]!, cur[0]!);
      edges[edges.length - 1] = Math.max(edges[edges.length - 1]!, cur[cur.length - 1]!);
      const w = wassersteinBinned(edges, ref.counts, counts);
      const std = ref.std ?? 0;
      const v = config.normalize ? (std === 0 ? (w === 0 ? 0 : Infinity) : w / std) : w;
      return { statistic: w, pValue: null, score: v };
    }
    case "ks": {
      const n1 = ref.counts.reduce((x, y) => x + y, 0);
      const n2 = cur.length;
      let f1 = 0;
      let f2 = 0;
      let d = 0;
      for (let k = 0; k < counts.length; k++) {
        f1 += ref.counts[k]! / n1;
        f2 += counts[k]! / n2;
        d = Math.max(d, Math.abs(f1 - f2));
      }
      const p = kstwoSf(d, roundHalfEven((n1 * n2) / (n1 + n2)));
      return { statistic: d, pValue: p, score: p };
    }
    default:
      return { skip: "not_applicable", reason: "chi2 applies to categorical features" };
  }
}

/** Population standard deviation (ddof = 0), as the profile's and Evidently's normalisation. */
export function stdOf(a: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i]!;
  mean /= a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i]! - mean) ** 2;
  return Math.sqrt(ss / a.length);
}
