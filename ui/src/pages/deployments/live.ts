/** Pure helpers of the Deployments page: live chart lines, display of rates and latencies, split segments. */
import type { DeploymentLive, ResolvedVariant } from "../../api/deployments.js";

/** A chart line as Chart.tsx draws it (declared here so that Node tests need no JSX). */
export interface Line {
  label: string;
  x: number[];
  y: number[];
}

/** "12.3/s", "0.05/s", "0/s"; "—" before two scrapes exist. */
export function formatRate(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v === 0) return "0/s";
  return `${v >= 100 ? Math.round(v) : Number(v.toPrecision(3))}/s`;
}

/** "0.42 ms", "12.5 ms", "1.2 s"; "—" without successful requests in the window. */
export function formatMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v >= 1000) return `${Number((v / 1000).toPrecision(3))} s`;
  return `${Number(v.toPrecision(3))} ms`;
}

/** The label of one variant/version everywhere on the page: `primary v1`, `shadow v3`. */
export function variantLabel(v: { variant: string; version: number | null }): string {
  return v.version === null ? v.variant : `${v.variant} v${v.version}`;
}

/**
 * One chart line per variant/version of the live series: requests/s or a latency quantile (ms) over time,
 * x in seconds since the epoch (uPlot's time scale). Intervals without successful requests have no latency
 * point, so that line skips them.
 */
export function liveLines(series: DeploymentLive["series"], metric: "rps" | "p50" | "p99"): Line[] {
  return series.map((s) => {
    const pts = s.points
      .map((p) => [
        p.time / 1000,
        metric === "rps" ? p.requestsPerSecond : metric === "p50" ? p.p50Ms : p.p99Ms,
      ])
      .filter((p): p is [number, number] => p[1] !== null);
    return { label: variantLabel(s), x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) };
  });
}

/** The request-serving variants (not the shadow) as bar segments whose widths sum to 100. */
export function splitSegments(variants: ResolvedVariant[]): Array<ResolvedVariant & { index: number }> {
  return variants.map((v, index) => ({ ...v, index })).filter((v) => v.variant !== "shadow" && v.weight > 0);
}

/** Why there are no live figures, in words; null when at least one data plane answered. */
export function liveProblem(live: DeploymentLive): string | null {
  if (!live.configured)
    return "No serving data plane is configured: start `gyre server` with --serving-url (or GYRE_SERVING_URL) naming where `gyre serve` listens.";
  if (live.sources.some((s) => s.reachable)) return null;
  const why = live.sources.map((s) => s.error ?? `${s.url} has not been asked yet`).join("; ");
  return `No live figures. ${why}.`;
}
