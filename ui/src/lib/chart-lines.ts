import type { Metric } from "../api/types.js";
import type { Line } from "../components/Chart.js";
import { metricValue } from "./format.js";
import { smooth } from "./smoothing.js";

export type XKind = "step" | "time" | "relative";

/** A metric history as a chart line on the chosen x axis, smoothed; x is made ascending for uPlot. */
export function toLine(label: string, history: Metric[], x: XKind, smoothing: number, t0?: number): Line {
  const pts = [...history];
  if (x !== "step") pts.sort((a, b) => a.timestamp - b.timestamp);
  const start = t0 ?? pts[0]?.timestamp ?? 0;
  const xs = pts.map((m) =>
    x === "step" ? m.step : x === "time" ? m.timestamp / 1000 : (m.timestamp - start) / 1000,
  );
  return {
    label,
    x: xs,
    y: smooth(
      pts.map((m) => metricValue(m.value)),
      smoothing,
    ),
  };
}
