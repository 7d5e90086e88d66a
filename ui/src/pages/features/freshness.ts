/** How fresh a feature view's online values are, from its statistics and TTL. */
import type { ViewStats } from "../../api/features.js";
import { formatDuration } from "../../lib/format.js";

/** Like formatDuration, in days (or years) beyond two days: feature data is often months old. */
function formatAge(ms: number): string {
  const days = ms / 86_400_000;
  if (days < 2) return formatDuration(ms);
  return days < 730 ? `${Math.round(days)} days` : `${(days / 365.25).toFixed(1)} years`;
}

export interface Freshness {
  /** "fresh": everything offline is online and within TTL; "behind": offline has newer rows than the watermark. */
  state: "fresh" | "behind" | "expired" | "never";
  text: string;
}

/**
 * `never`: not materialized; `behind`: the offline source has events at or after the watermark (run
 * `gyre features materialize`); `expired`: the newest event is older than the TTL, so online lookups
 * answer OUTSIDE_TTL; otherwise `fresh`.
 */
export function freshness(stats: ViewStats, ttlSeconds: number, now = Date.now()): Freshness {
  if (stats.watermark === null || stats.onlineRows === 0) return { state: "never", text: "not materialized" };
  const age = stats.latestEventTime === null ? null : now - stats.latestEventTime;
  const ageText = age === null ? "" : `newest event ${formatAge(age)} ago`;
  if (stats.latestEventTime !== null && stats.latestEventTime >= stats.watermark)
    return { state: "behind", text: `offline rows not yet online; ${ageText}` };
  if (ttlSeconds > 0 && age !== null && age > ttlSeconds * 1000)
    return { state: "expired", text: `${ageText}, beyond the TTL` };
  return { state: "fresh", text: ageText || "online" };
}
