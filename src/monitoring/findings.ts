/**
 * Turns one evaluation into alert findings and stored metric points: drift per feature and metric, data
 * quality shares against the monitor's limits, performance against thresholds and the version's metrics.
 */
import type { Finding } from "./alerts.js";
import type { WindowReport } from "./evaluate.js";
import type { WindowPerformance } from "./feedback-join.js";
import type { Monitor } from "./monitors.js";
import type { MetricPoint } from "./store.js";

/** Metrics where lower is better; the rest (accuracy, F1, AUC…) are better higher. */
const LOWER_IS_BETTER = new Set(["rmse", "mae"]);

const QUALITY_LIMITS = [
  ["missing_share", "maxMissingShare"],
  ["out_of_range_share", "maxOutOfRangeShare"],
  ["unseen_share", "maxUnseenShare"],
  ["type_error_share", "maxTypeErrorShare"],
] as const;

/** Drift and quality findings of a window report. */
export function driftFindings(monitor: Monitor, report: WindowReport): Finding[] {
  const out: Finding[] = [];
  for (const f of report.features) {
    for (const d of f.drift) {
      if (d.status !== "ok") continue;
      const what =
        d.pValue !== null
          ? `p-value ${fmt(d.score)} < ${d.threshold}`
          : `${d.method} ${fmt(d.score)} ≥ ${d.threshold}`;
      const message = d.drifted ? `drift in '${f.feature}': ${what}` : `no drift in '${f.feature}'`;
      out.push({
        feature: f.feature,
        metric: d.method,
        breached: d.drifted === true,
        value: d.score,
        threshold: d.threshold,
        message,
      });
    }
    if (!monitor.quality || f.quality.rows === 0) continue;
    const shares = qualityShares(f.quality);
    for (const [metric, limitKey] of QUALITY_LIMITS) {
      const limit = monitor.quality[limitKey];
      if (limit === undefined) continue;
      const value = shares[metric];
      const breached = value > limit;
      const message = `${metric.replaceAll("_", " ")} of '${f.feature}' is ${fmt(value)} (limit ${limit})`;
      out.push({ feature: f.feature, metric, breached, value, threshold: limit, message });
    }
  }
  return out;
}

function qualityShares(
  q: WindowReport["features"][number]["quality"],
): Record<(typeof QUALITY_LIMITS)[number][0], number> {
  const n = q.rows || 1;
  return {
    missing_share: q.missing / n,
    out_of_range_share: q.outOfRange / n,
    unseen_share: q.unseenCount / n,
    type_error_share: q.typeErrors / n,
  };
}

/** Performance findings: explicit thresholds, and drops against the version's evaluation metrics. */
export function performanceFindings(
  monitor: Monitor,
  perf: WindowPerformance,
  evaluation: Record<string, number>,
): Finding[] {
  const spec = monitor.performance;
  if (!spec || perf.labelled < spec.minLabels) return [];
  const out: Finding[] = [];
  for (const [metric, value] of Object.entries(perf.metrics)) {
    const bound = spec.thresholds?.[metric];
    if (bound) {
      const low = bound.min !== undefined && value < bound.min;
      const high = bound.max !== undefined && value > bound.max;
      const threshold = bound.min ?? bound.max ?? null;
      out.push({
        feature: "_performance",
        metric,
        breached: low || high,
        value,
        threshold,
        message: `${metric} ${fmt(value)} (limits ${JSON.stringify(bound)})`,
      });
    }
    const expected = evaluation[metric];
    if (spec.maxDrop !== undefined && expected !== undefined) {
      const drop = LOWER_IS_BETTER.has(metric) ? value - expected : expected - value;
      const message = `${metric} ${fmt(value)} vs ${fmt(expected)} at evaluation (worse by ${fmt(drop)}, allowed ${spec.maxDrop})`;
      out.push({
        feature: "_performance",
        metric: `${metric}_drop`,
        breached: drop > spec.maxDrop,
        value: drop,
        threshold: spec.maxDrop,
        message,
      });
    }
  }
  return out;
}

/** Metric points to store for one evaluation (drift scores, quality shares, performance). */
export function metricPoints(
  monitor: Monitor,
  report: WindowReport,
  perf: WindowPerformance | null,
  now: number,
): MetricPoint[] {
  const b = report.window.bounds;
  const windowStart = b.kind === "time" ? b.from : (report.window.from ?? now);
  const windowEnd = b.kind === "time" ? b.to : (report.window.to ?? now);
  const base = {
    deployment: monitor.deployment,
    monitor: monitor.name,
    windowStart,
    windowEnd,
    evaluatedTime: now,
    rows: report.window.rows,
  };
  const points: MetricPoint[] = [];
  for (const f of report.features) {
    for (const d of f.drift) {
      points.push({
        ...base,
        feature: f.feature,
        metric: d.method,
        fingerprint: d.fingerprint,
        status: d.status,
        value: d.score,
        statistic: d.statistic,
        pValue: d.pValue,
        threshold: d.threshold,
        drifted: d.drifted,
      });
    }
    if (f.quality.rows > 0) {
      for (const [metric, value] of Object.entries(qualityShares(f.quality))) {
        points.push({
          ...base,
          feature: f.feature,
          metric,
          fingerprint: metric,
          status: "ok",
          value,
          statistic: null,
          pValue: null,
          threshold: null,
          drifted: null,
        });
      }
    }
  }
  if (perf) {
    for (const [metric, value] of Object.entries(perf.metrics)) {
      points.push({
        ...base,
        rows: perf.labelled,
        feature: "_performance",
        metric,
        fingerprint: metric,
        status: "ok",
        value,
        statistic: null,
        pValue: null,
        threshold: null,
        drifted: null,
      });
    }
  }
  return points;
}

function fmt(v: number | null): string {
  if (v === null) return "n/a";
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2);
}
