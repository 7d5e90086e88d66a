import { histogramQuantile, parsePrometheusText } from "./prometheus-text.js";

/** Counters of one deployment variant/version in one scrape (summed over protocols and statuses). */
export interface SeriesCounts {
  requests: number;
  /** Requests answered with a 4xx or 5xx status. */
  errors: number;
  /** Cumulative latency histogram: upper bound in seconds → requests at or below it (successes only). */
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

/** What a data plane reported in one scrape of its `/metrics`. */
export interface Scrape {
  /** Keyed by `seriesKey(deployment, variant, version)`. */
  series: Map<string, SeriesCounts>;
  /** The version each deployment variant serves now (`gyre_serving_variant_info`). */
  served: { deployment: string; variant: string; model: string; version: number }[];
}

const SEP = "\u0000";

export function seriesKey(deployment: string, variant: string, version: string | number): string {
  return `${deployment}${SEP}${variant}${SEP}${version}`;
}

export function splitKey(key: string): { deployment: string; variant: string; version: number } {
  const [deployment, variant, version] = key.split(SEP) as [string, string, string];
  return { deployment, variant, version: Number(version) };
}

function empty(): SeriesCounts {
  return { requests: 0, errors: 0, buckets: new Map(), count: 0, sum: 0 };
}

/** Reads serving's request counter, latency histogram and variant info from Prometheus text. */
export function readScrape(text: string): Scrape {
  const series = new Map<string, SeriesCounts>();
  const served: Scrape["served"] = [];
  const at = (l: Record<string, string>) => {
    const key = seriesKey(l.deployment ?? "", l.variant ?? "", l.version ?? "");
    const s = series.get(key) ?? empty();
    series.set(key, s);
    return s;
  };
  for (const { name, labels, value } of parsePrometheusText(text, [
    "gyre_serving_request",
    "gyre_serving_variant_info",
  ])) {
    if (name === "gyre_serving_requests_total") {
      const s = at(labels);
      s.requests += value;
      if (Number(labels.status) >= 400) s.errors += value;
    } else if (name === "gyre_serving_request_duration_seconds_bucket") {
      const s = at(labels);
      const le = labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(labels.le);
      s.buckets.set(le, (s.buckets.get(le) ?? 0) + value);
    } else if (name === "gyre_serving_request_duration_seconds_count") at(labels).count += value;
    else if (name === "gyre_serving_request_duration_seconds_sum") at(labels).sum += value;
    // A cluster's /metrics sums the gauge over workers: any positive value means served.
    else if (name === "gyre_serving_variant_info" && value > 0) {
      served.push({
        deployment: labels.deployment ?? "",
        variant: labels.variant ?? "",
        model: labels.model ?? "",
        version: Number(labels.version),
      });
    }
  }
  return { series, served };
}

/** `b − a`; a counter that went down (the data plane restarted) counts from zero, as Prometheus's rate() does. */
export function deltaCounts(a: SeriesCounts | undefined, b: SeriesCounts): SeriesCounts {
  if (!a || b.requests < a.requests || b.count < a.count) return b;
  const buckets = new Map<number, number>();
  for (const [le, n] of b.buckets) buckets.set(le, n - (a.buckets.get(le) ?? 0));
  return {
    requests: b.requests - a.requests,
    errors: Math.max(0, b.errors - a.errors),
    buckets,
    count: b.count - a.count,
    sum: b.sum - a.sum,
  };
}

/** Adds `b` into `into` (several data planes serving one deployment). */
export function addCounts(into: SeriesCounts, b: SeriesCounts): void {
  into.requests += b.requests;
  into.errors += b.errors;
  into.count += b.count;
  into.sum += b.sum;
  for (const [le, n] of b.buckets) into.buckets.set(le, (into.buckets.get(le) ?? 0) + n);
}

/** Adds `c` into `sums[key]`, starting from zero (`c` itself is never changed). */
export function addTo(sums: Map<string, SeriesCounts>, key: string, c: SeriesCounts): void {
  let into = sums.get(key);
  if (!into) {
    into = empty();
    sums.set(key, into);
  }
  addCounts(into, c);
}

/** A latency quantile in milliseconds from a (delta) histogram; null without requests. */
export function quantileMs(q: number, c: SeriesCounts): number | null {
  const buckets = [...c.buckets.entries()].sort((x, y) => x[0] - y[0]).map(([le, count]) => ({ le, count }));
  const s = histogramQuantile(q, buckets);
  return s === null ? null : s * 1000;
}
