/**
 * Binned summaries of reference vs current for reports: a few dozen numbers per feature instead of raw
 * values, so an HTML report stays small however large the window (Evidently's reports embed raw data).
 */
import type { CurrentColumn, ReferenceColumn } from "./metrics/columns.js";
import { binCounts } from "./metrics/distances.js";
import type { DistributionSummary } from "./report-types.js";

export type { DistributionSummary } from "./report-types.js";

const BINS = 20;
const TOP = 15;

/** A common binning of both sides: the profile's histogram edges, else 20 equal-width bins over both ranges. */
export function summarize(reference: ReferenceColumn, current: CurrentColumn): DistributionSummary | null {
  if (reference.kind === "categorical" && current.kind === "categorical") {
    const totals = new Map<string, number>();
    for (const [k, v] of reference.column.counts) totals.set(k, (totals.get(k) ?? 0) + v);
    for (const [k, v] of current.column.counts) totals.set(k, (totals.get(k) ?? 0) + v);
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([k]) => k);
    const shares = (m: ReadonlyMap<string, number>) => {
      const n = [...m.values()].reduce((a, b) => a + b, 0) || 1;
      const out = top.map((k) => (m.get(k) ?? 0) / n);
      const rest = 1 - out.reduce((a, b) => a + b, 0);
      return totals.size > TOP ? [...out, Math.max(0, rest)] : out;
    };
    const categories = totals.size > TOP ? [...top, "(other)"] : top;
    return {
      kind: "categorical",
      categories,
      reference: shares(reference.column.counts),
      current: shares(current.column.counts),
    };
  }
  if (current.kind !== "numeric" || reference.kind === "categorical") return null;
  const cur = current.column.sorted;
  let edges: number[];
  let ref: number[];
  if (reference.kind === "binned") {
    edges = [...reference.column.edges];
    ref = [...reference.column.counts];
  } else {
    const r = reference.column.sorted;
    const lo = Math.min(r[0] ?? Infinity, cur[0] ?? Infinity);
    const hi = Math.max(r[r.length - 1] ?? -Infinity, cur[cur.length - 1] ?? -Infinity);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
    const width = (hi - lo) / BINS || 1;
    edges = Array.from({ length: BINS + 1 }, (_, i) => lo + i * width);
    ref = Array.from(binCounts(r, edges.slice(1, -1)));
  }
  const curCounts = Array.from(binCounts(cur, edges.slice(1, -1)));
  const norm = (a: number[]) => {
    const n = a.reduce((x, y) => x + y, 0) || 1;
    return a.map((v) => v / n);
  };
  return { kind: "numeric", edges, reference: norm(ref), current: norm(curCounts) };
}
