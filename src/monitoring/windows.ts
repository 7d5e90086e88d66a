/**
 * Windows over the prediction log. A time window covers [from, to) in UTC epoch milliseconds; a count window
 * covers the last N predictions (rows) in (ts, request_id, row_index) order. Tumbling windows (no `slide`)
 * evaluate the latest complete window; sliding windows end now (time) or at the latest row (count).
 */
import { z } from "zod";
import { GyreError } from "../core/errors.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "1h", "7d" → milliseconds; throws MONITOR_INVALID_WINDOW naming `field`. */
export function parseDuration(text: string, field = "window"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new GyreError(
      "MONITOR_INVALID_WINDOW",
      `'${text}' is not a duration; write e.g. 30s, 15m, 1h or 7d`,
      { field },
    );
  }
  return Number(m[1]) * UNITS[m[2]!]!;
}

const duration = z.string().regex(/^\d+(\.\d+)?\s*[smhd]$/, { message: "a duration such as 15m, 1h or 7d" });

/** A window as written in a monitor: by time (durations) or by count (predictions). */
export const windowSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("time"), size: duration, slide: duration.optional() }),
  z.strictObject({ type: z.literal("count"), size: z.int().min(1), slide: z.int().min(1).optional() }),
]);
export type WindowSpec = z.infer<typeof windowSchema>;

/** The rows one evaluation reads: a time range, or a row range (0-based offset in log order, length). */
export type WindowBounds =
  | { kind: "time"; from: number; to: number }
  | { kind: "count"; offset: number; limit: number };

/** "1h" → a tumbling time window; "1000" → a tumbling count window (CLI shorthand). */
export function parseWindow(text: string): WindowSpec {
  if (/^\d+$/.test(text.trim())) return { type: "count", size: Number(text) };
  parseDuration(text);
  return { type: "time", size: text.trim() };
}

/**
 * The window to evaluate at `now` (epoch ms) given the deployment's total row count (count windows only).
 * Tumbling time windows are aligned to the epoch (UTC): [⌊now/size⌋·size − size, ⌊now/size⌋·size).
 */
export function windowBounds(spec: WindowSpec, now: number, totalRows: number): WindowBounds {
  if (spec.type === "time") {
    const size = parseDuration(spec.size, "window.size");
    if (spec.slide !== undefined) return { kind: "time", from: now - size, to: now };
    const end = Math.floor(now / size) * size;
    return { kind: "time", from: end - size, to: end };
  }
  if (spec.slide !== undefined || totalRows < spec.size) {
    return { kind: "count", offset: Math.max(0, totalRows - spec.size), limit: spec.size };
  }
  const end = Math.floor(totalRows / spec.size) * spec.size;
  return { kind: "count", offset: end - spec.size, limit: spec.size };
}

/** Consecutive windows of `spec` covering [from, to) (time) for reports of metrics over time. */
export function timeWindowsBetween(
  spec: WindowSpec & { type: "time" },
  from: number,
  to: number,
): WindowBounds[] {
  const size = parseDuration(spec.size, "window.size");
  const step = spec.slide ? parseDuration(spec.slide, "window.slide") : size;
  const out: WindowBounds[] = [];
  for (let start = Math.floor(from / step) * step; start < to && out.length < 1000; start += step) {
    out.push({ kind: "time", from: start, to: start + size });
  }
  return out;
}
