/**
 * Variants of one deployment compared on the same window: per variant (primary, canary/A/B variants, the
 * shadow), rows served, latency, labelled rows and their metrics, and a significance test of each variant's
 * main metric against the baseline (the `primary` variant, else the served variant with most rows).
 *
 * - Classification, accuracy: variants that served different requests are compared with the 2×2 contingency
 *   test of right/wrong counts (scipy.stats.chi2_contingency, Yates-corrected); the shadow answered the very
 *   same requests, so it is compared pair by pair with McNemar's test (continuity-corrected, as statsmodels'
 *   `mcnemar(exact=False)`), which only counts the requests the two got differently.
 * - Regression, mean absolute error: a large-sample z-test on the errors (Welch's standard error), paired for
 *   the shadow.
 * - Fewer than `minLabels` labelled rows on either side (or pairs, for the shadow): no test, and a note saying
 *   how many there are. Small samples are where such tests misfire.
 */
import { GyreError } from "../core/errors.js";
import {
  joinLabels,
  type LoggedPrediction,
  type PerformanceSpec,
  predictions,
  scorePairs,
  taskOf,
} from "./feedback-join.js";
import type { PredictionLogReader } from "./log/reader.js";
import { chi2Contingency, chi2Sf } from "./metrics/chi2.js";
import { quantileSorted } from "./metrics/sort.js";
import type { FeedbackRecord } from "./store.js";
import type { VariantComparison, VariantStats, VariantTest } from "./variant-types.js";
import { parseWindow, type WindowBounds, type WindowSpec } from "./windows.js";

export type { VariantComparison, VariantStats, VariantTest };

export interface CompareOptions {
  spec?: PerformanceSpec;
  /** The variant the others are tested against (default: `primary`, else the served variant with most rows). */
  baseline?: string;
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Fewest labelled rows (or pairs) for a test (default 30). */
  minLabels?: number;
}

/** The `q` quantile of ascending latencies (as numpy), or null when there are none. */
function quantile(sorted: Float64Array, q: number): number | null {
  return sorted.length === 0 ? null : quantileSorted(sorted, q);
}

interface Side {
  stats: VariantStats;
  /** Outcome (1/0 right, or absolute error) per labelled prediction key. */
  outcomes: Map<string, number>;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: number[], m: number): number {
  return xs.reduce((a, x) => a + (x - m) * (x - m), 0) / Math.max(1, xs.length - 1);
}

/** Two-sided p-value of a standard normal z (z² is chi-squared with one degree of freedom). */
function zTest(z: number): { statistic: number; pValue: number } {
  return { statistic: z, pValue: Number.isFinite(z) ? chi2Sf(z * z, 1) : Number.NaN };
}

function testName(task: "classification" | "regression", paired: boolean): VariantTest["test"] {
  if (task === "classification") return paired ? "mcnemar" : "chi2_contingency";
  return paired ? "paired_z" : "z";
}

/** A test that did not run, with why in `note`. */
function untested(
  baseline: string,
  task: "classification" | "regression",
  paired: boolean,
  n: number,
  difference: number | null,
  note: string,
): VariantTest {
  const metric = task === "classification" ? "accuracy" : "mae";
  const test = testName(task, paired);
  return {
    baseline,
    metric,
    difference,
    test,
    paired,
    n,
    statistic: null,
    pValue: null,
    significant: false,
    note,
  };
}

function test(
  base: Side,
  side: Side,
  task: "classification" | "regression",
  alpha: number,
  minLabels: number,
): VariantTest {
  const paired = side.stats.shadow;
  const metric = task === "classification" ? "accuracy" : "mae";
  const baseline = base.stats.variant;
  let a: number[];
  let b: number[];
  if (paired) {
    a = [];
    b = [];
    for (const [key, o] of side.outcomes) {
      const ob = base.outcomes.get(key);
      if (ob === undefined) continue;
      a.push(ob);
      b.push(o);
    }
  } else {
    a = [...base.outcomes.values()];
    b = [...side.outcomes.values()];
  }
  const n = b.length;
  const difference = a.length > 0 && b.length > 0 ? mean(b) - mean(a) : null;
  if (Math.min(a.length, b.length) < minLabels) {
    const what = paired ? "requests labelled for both" : `labelled rows (${baseline}: ${a.length})`;
    const note = `${b.length} ${what}; a test needs ${minLabels} on each side`;
    return untested(baseline, task, paired, n, difference, note);
  }
  let result: { test: VariantTest["test"]; statistic: number; pValue: number };
  if (task === "classification" && paired) {
    // b01: baseline right, variant wrong; b10: the other way round.
    let b01 = 0;
    let b10 = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 1 && b[i] === 0) b01++;
      else if (a[i] === 0 && b[i] === 1) b10++;
    }
    const statistic = b01 + b10 === 0 ? 0 : (Math.abs(b01 - b10) - 1) ** 2 / (b01 + b10);
    result = { test: "mcnemar", statistic, pValue: b01 + b10 === 0 ? 1 : chi2Sf(statistic, 1) };
  } else if (task === "classification") {
    const right = (xs: number[]) => xs.filter((x) => x === 1).length;
    const c = chi2Contingency([right(a), a.length - right(a)], [right(b), b.length - right(b)]);
    result = { test: "chi2_contingency", statistic: c.statistic, pValue: c.pValue };
  } else if (paired) {
    const d = b.map((x, i) => x - a[i]!);
    const m = mean(d);
    const se = Math.sqrt(variance(d, m) / d.length);
    result = { test: "paired_z", ...(se === 0 ? { statistic: 0, pValue: m === 0 ? 1 : 0 } : zTest(m / se)) };
  } else {
    const [ma, mb] = [mean(a), mean(b)];
    const se = Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
    result = {
      test: "z",
      ...(se === 0 ? { statistic: 0, pValue: ma === mb ? 1 : 0 } : zTest((mb - ma) / se)),
    };
  }
  return { baseline, metric, difference, paired, n, ...result, significant: result.pValue < alpha };
}

/** Compares the variants of `deployment` over `bounds` (see the module comment). */
export async function compareVariants(
  reader: PredictionLogReader,
  deployment: string,
  bounds: WindowBounds,
  feedback: FeedbackRecord[],
  options: CompareOptions = {},
): Promise<VariantComparison> {
  const spec = options.spec ?? {};
  const alpha = options.alpha ?? 0.05;
  const minLabels = options.minLabels ?? 30;
  const rows = await predictions(reader, deployment, bounds, { shadow: true });
  const groups = new Map<string, LoggedPrediction[]>();
  for (const r of rows) {
    const name = r.shadow ? "shadow" : r.variant;
    const list = groups.get(name);
    if (list) list.push(r);
    else groups.set(name, [r]);
  }
  const served = [...groups.entries()].filter(([, g]) => !g[0]!.shadow);
  const baseline =
    options.baseline ??
    served.find(([name]) => name === "primary")?.[0] ??
    served.sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]))[0]?.[0] ??
    null;
  const pairsOf = new Map([...groups].map(([name, g]) => [name, joinLabels(g, feedback)]));
  // One task for all, decided on the baseline's labels (else any variant's), so metrics compare.
  const task =
    spec.task ??
    taskOf(pairsOf.get(baseline ?? "") ?? [], spec) ??
    [...pairsOf.values()].map((p) => taskOf(p, spec)).find((t) => t !== null) ??
    null;
  const sides = new Map<string, Side>();
  for (const [name, g] of groups) {
    const pairs = pairsOf.get(name)!;
    const scored = scorePairs(pairs, spec, task);
    const outcomes = new Map<string, number>();
    pairs.forEach((p, i) => {
      const o = scored.outcomes[i];
      if (o !== null && o !== undefined) outcomes.set(p.pred.key, o);
    });
    const latencies = Float64Array.from(
      g.map((r) => r.latencyMs).filter((l): l is number => l !== null),
    ).sort();
    sides.set(name, {
      outcomes,
      stats: {
        variant: name,
        shadow: g[0]!.shadow,
        versions: [...new Set(g.map((r) => r.version))].sort(),
        predictions: g.length,
        labelled: pairs.length,
        latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
        task: scored.task,
        metrics: scored.metrics,
        vsBaseline: null,
      },
    });
  }
  const base = baseline === null ? undefined : sides.get(baseline);
  if (base && task !== null) {
    for (const [name, side] of sides)
      if (name !== baseline) side.stats.vsBaseline = test(base, side, task, alpha, minLabels);
  } else if (baseline !== null && !base) {
    const note = `no served rows of the baseline '${baseline}' in this window`;
    for (const side of sides.values())
      side.stats.vsBaseline = untested(baseline, task ?? "classification", side.stats.shadow, 0, null, note);
  }
  const order = (s: VariantStats) => (s.variant === baseline ? 0 : s.shadow ? 2 : 1);
  const variants = [...sides.values()]
    .map((s) => s.stats)
    .sort((x, y) => order(x) - order(y) || x.variant.localeCompare(y.variant));
  return { deployment, baseline, alpha, minLabels, variants };
}

/** Query/flag values of a comparison as text (HTTP query string, CLI flags). */
export interface CompareText {
  window?: string | undefined;
  baseline?: string | undefined;
  prediction?: string | undefined;
  score?: string | undefined;
  threshold?: string | undefined;
  task?: string | undefined;
  positive?: string | undefined;
  alpha?: string | undefined;
  minLabels?: string | undefined;
}

function bad(field: string, message: string): GyreError {
  return new GyreError("MONITOR_INVALID", message, { field });
}

function numberIn(text: string, field: string, ok: (x: number) => boolean, expected: string): number {
  const x = Number(text);
  if (text.trim() === "" || !Number.isFinite(x) || !ok(x))
    throw bad(field, `${field} must be ${expected}, not '${text}'`);
  return x;
}

/**
 * Parses a comparison's window (a duration ending now, default 24h, or the last N served rows) and options;
 * throws MONITOR_INVALID / MONITOR_INVALID_WINDOW naming the field.
 */
export function parseCompare(t: CompareText): { window: WindowSpec; options: CompareOptions } {
  const w = parseWindow(t.window ?? "24h");
  const window: WindowSpec = w.type === "time" ? { ...w, slide: w.size } : { ...w, slide: 1 };
  const spec: PerformanceSpec = {};
  if (t.prediction) spec.prediction = t.prediction;
  if (t.score) spec.score = t.score;
  if (t.positive) spec.positive = t.positive;
  if (t.threshold !== undefined)
    spec.threshold = numberIn(t.threshold, "threshold", (x) => x >= 0 && x <= 1, "a probability in [0, 1]");
  if (t.task !== undefined) {
    if (t.task !== "classification" && t.task !== "regression")
      throw bad("task", `task must be classification or regression, not '${t.task}'`);
    spec.task = t.task;
  }
  const options: CompareOptions = { spec };
  if (t.baseline) options.baseline = t.baseline;
  if (t.alpha !== undefined)
    options.alpha = numberIn(
      t.alpha,
      "alpha",
      (x) => x > 0 && x < 1,
      "a significance level in (0, 1), e.g. 0.05",
    );
  if (t.minLabels !== undefined)
    options.minLabels = numberIn(
      t.minLabels,
      "minLabels",
      (x) => Number.isInteger(x) && x >= 2,
      "an integer ≥ 2",
    );
  return { window, options };
}
