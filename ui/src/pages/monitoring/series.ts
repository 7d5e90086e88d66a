/** Stored monitoring results reshaped for charts and the latest-window table. */
import type { MetricPoint } from "../../api/monitoring.js";

/** One line of a chart (the Chart component's `Line`): x ascending, in seconds. */
export interface Line {
  label: string;
  x: number[];
  y: number[];
}

export const PERFORMANCE = "_performance";
/** Data-quality shares monitoring stores per feature next to its drift scores. */
const QUALITY = new Set(["missing_share", "out_of_range_share", "unseen_share", "type_error_share"]);

export type Family = "drift" | "performance" | "quality";

export function familyOf(p: MetricPoint): Family {
  return p.feature === PERFORMANCE ? "performance" : QUALITY.has(p.metric) ? "quality" : "drift";
}

/** Performance metrics with a value outside [0, 1] (rmse, log_loss, …); the others share one chart. */
function unbounded(points: MetricPoint[]): Set<string> {
  const out = new Set<string>();
  for (const p of points)
    if (p.feature === PERFORMANCE && p.value !== null && (p.value < 0 || p.value > 1)) out.add(p.metric);
  return out;
}

/**
 * One chart per metric for drift and quality (scores of different methods are not comparable), one line
 * per feature; performance: one line per metric. x = window end in seconds, ok values only.
 */
export function chartsOf(points: MetricPoint[], family: Family): Array<{ title: string; lines: Line[] }> {
  const charts = new Map<string, Map<string, Array<[number, number]>>>();
  const wide = unbounded(points);
  for (const p of points) {
    if (familyOf(p) !== family || p.status !== "ok" || p.value === null) continue;
    const perf = family === "performance";
    const chart = perf ? (wide.has(p.metric) ? p.metric : "scores (0–1)") : p.metric;
    const line = perf ? p.metric : p.feature;
    const lines = charts.get(chart) ?? new Map<string, Array<[number, number]>>();
    charts.set(chart, lines);
    const pts = lines.get(line) ?? [];
    lines.set(line, pts);
    pts.push([p.windowEnd / 1000, p.value]);
  }
  return [...charts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([title, lines]) => ({
      title,
      lines: [...lines.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([label, pts]) => {
          // Several monitors may store the same window; keep one value per x (uPlot needs ascending x).
          const byX = new Map(pts.map(([x, y]) => [x, y]));
          const xs = [...byX.keys()].sort((a, b) => a - b);
          return { label, x: xs, y: xs.map((x) => byX.get(x)!) };
        }),
    }));
}

/** The newest window's drift results per (monitor, feature, metric); input is newest first. */
export function latestDrift(points: MetricPoint[]): MetricPoint[] {
  const seen = new Map<string, MetricPoint>();
  for (const p of points) {
    if (familyOf(p) !== "drift") continue;
    const key = `${p.monitor}\u0000${p.feature}\u0000${p.metric}`;
    const had = seen.get(key);
    if (!had || p.windowEnd > had.windowEnd) seen.set(key, p);
  }
  return [...seen.values()].sort(
    (a, b) => Number(b.drifted ?? false) - Number(a.drifted ?? false) || a.feature.localeCompare(b.feature),
  );
}
