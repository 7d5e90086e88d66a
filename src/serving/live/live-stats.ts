import type { DeploymentLive, LivePoint, VariantLive } from "./live-types.js";
import {
  addTo,
  deltaCounts,
  quantileMs,
  readScrape,
  type Scrape,
  type SeriesCounts,
  seriesKey,
  splitKey,
} from "./scrape.js";

export type { DeploymentLive, LivePoint, VariantLive } from "./live-types.js";

export interface LiveStatsOptions {
  /** Base URLs of the serving data planes (`gyre serve`), e.g. http://127.0.0.1:8080. */
  urls: string[];
  /** A scrape that takes longer counts as unreachable, ms (default 1500). */
  timeoutMs?: number;
  /** Scrapes closer together than this reuse the last one, ms (default 1000). */
  minIntervalMs?: number;
  /** How far back a deployment's series go, ms (default 10 minutes). */
  retainMs?: number;
  /** Window of the current figures, ms (default 10 s). */
  windowMs?: number;
}

interface Sample {
  time: number;
  scrapes: (Scrape | null)[];
  errors: (string | null)[];
}

const VARIANT_ORDER = ["primary", "canary"];

function order(a: { variant: string; version: number }, b: { variant: string; version: number }): number {
  const rank = (v: string) =>
    VARIANT_ORDER.includes(v) ? VARIANT_ORDER.indexOf(v) : v === "shadow" ? 99 : VARIANT_ORDER.length;
  return rank(a.variant) - rank(b.variant) || a.variant.localeCompare(b.variant) || b.version - a.version;
}

/**
 * Requests/s and latency of deployments, read from the serving data planes' Prometheus `/metrics` on demand
 * (at most one scrape per `minIntervalMs`, shared by concurrent callers), so that rates come from counter
 * differences between scrapes, as Prometheus's rate() would give. Memory stays bounded however many
 * deployments the data planes serve: scrapes are kept for the current window only, and series points (for
 * `retainMs`) only for deployments whose series were asked for within `retainMs`.
 */
export class LiveStats {
  readonly urls: string[];
  readonly #o: Required<Omit<LiveStatsOptions, "urls">>;
  #samples: Sample[] = [];
  /** Per series key, the figures between consecutive scrapes, computed once when a scrape arrives. */
  #points = new Map<string, LivePoint[]>();
  /** Deployments whose series were asked for, with when (ms since the epoch). */
  #watched = new Map<string, number>();
  #inflight: Promise<void> | null = null;

  constructor(o: LiveStatsOptions) {
    this.urls = o.urls.map((u) => u.replace(/\/+$/, ""));
    this.#o = {
      timeoutMs: o.timeoutMs ?? 1500,
      minIntervalMs: o.minIntervalMs ?? 1000,
      retainMs: o.retainMs ?? 10 * 60_000,
      windowMs: o.windowMs ?? 10_000,
    };
  }

  async #scrapeOne(url: string): Promise<Scrape> {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(this.#o.timeoutMs) });
    if (!res.ok) throw new Error(`${url}/metrics answered HTTP ${res.status}`);
    return readScrape(await res.text());
  }

  async #scrape(): Promise<void> {
    const results = await Promise.allSettled(this.urls.map((u) => this.#scrapeOne(u)));
    const time = Date.now();
    const errors = results.map((r, i) => {
      if (r.status === "fulfilled") return null;
      const e = r.reason as Error;
      const why = e.name === "TimeoutError" ? `no answer within ${this.#o.timeoutMs} ms` : e.message;
      return `Cannot reach the serving data plane at ${this.urls[i]} (${why}) — start it with \`gyre serve\``;
    });
    const sample = { time, scrapes: results.map((r) => (r.status === "fulfilled" ? r.value : null)), errors };
    const prev = this.#samples[this.#samples.length - 1];
    this.#samples.push(sample);
    if (prev) this.#addPoints(prev, sample);
    // Keep the newest scrape at or before the window's start, and the ones after it.
    while (this.#samples.length > 2 && this.#samples[1]!.time <= time - this.#o.windowMs)
      this.#samples.shift();
    const cutoff = time - this.#o.retainMs;
    for (const [d, asked] of this.#watched) if (asked < cutoff) this.#watched.delete(d);
    for (const [key, points] of this.#points) {
      while (points.length > 0 && points[0]!.time < cutoff) points.shift();
      if (points.length === 0 || !this.#watched.has(splitKey(key).deployment)) this.#points.delete(key);
    }
  }

  #addPoints(a: Sample, b: Sample): void {
    const seconds = (b.time - a.time) / 1000;
    if (this.#watched.size === 0) return;
    for (const [key, c] of this.#delta(a, b, (d) => this.#watched.has(d))) {
      const points = this.#points.get(key) ?? [];
      this.#points.set(key, points);
      points.push({
        time: b.time,
        requestsPerSecond: c.requests / seconds,
        p50Ms: quantileMs(0.5, c),
        p99Ms: quantileMs(0.99, c),
      });
    }
  }

  /** Scrapes the data planes unless the last scrape is recent enough (concurrent callers share one scrape). */
  async refresh(): Promise<void> {
    const last = this.#samples[this.#samples.length - 1];
    if (this.urls.length === 0 || (last && Date.now() - last.time < this.#o.minIntervalMs)) return;
    this.#inflight ??= this.#scrape().finally(() => {
      this.#inflight = null;
    });
    await this.#inflight;
  }

  /** Per series key of the deployments `wanted`, the counts from `a` to `b` summed over data planes reachable at both. */
  #delta(a: Sample, b: Sample, wanted: (deployment: string) => boolean): Map<string, SeriesCounts> {
    const sums = new Map<string, SeriesCounts>();
    b.scrapes.forEach((sb, i) => {
      const sa = a.scrapes[i];
      if (!sb || !sa) return;
      for (const [key, counts] of sb.series)
        if (wanted(splitKey(key).deployment)) addTo(sums, key, deltaCounts(sa.series.get(key), counts));
    });
    return sums;
  }

  #series(deployment: string): DeploymentLive["series"] {
    const out: DeploymentLive["series"] = [];
    for (const [key, points] of this.#points) {
      const { deployment: d, variant, version } = splitKey(key);
      if (d === deployment) out.push({ variant, version, points: [...points] });
    }
    return out.sort(order);
  }

  /**
   * The current figures of `deployment` from the retained scrapes (call `refresh` first for fresh ones). With
   * `series` (the default) its series are returned and kept up from now on for `retainMs`; the first call
   * has none yet.
   */
  deployment(deployment: string, options: { series?: boolean } = {}): DeploymentLive {
    const series = options.series ?? true;
    if (series) this.#watched.set(deployment, Date.now());
    const last = this.#samples[this.#samples.length - 1];
    const sources = this.urls.map((url, i) => ({
      url,
      reachable: !!last?.scrapes[i],
      error: last ? (last.errors[i] ?? null) : null,
    }));
    if (!last) return { deployment, sources, time: null, windowMs: null, variants: [], series: [] };
    const from = this.#samples.findLast((s) => s.time <= last.time - this.#o.windowMs);
    const start = from ?? (this.#samples.length > 1 ? this.#samples[0]! : null);
    const window = start
      ? this.#delta(start, last, (d) => d === deployment)
      : new Map<string, SeriesCounts>();
    const seconds = start ? (last.time - start.time) / 1000 : 0;
    const totals = new Map<string, SeriesCounts>();
    for (const s of last.scrapes)
      for (const [key, c] of s?.series ?? [])
        if (splitKey(key).deployment === deployment) addTo(totals, key, c);
    const served = last.scrapes.flatMap((s) => s?.served ?? []).filter((s) => s.deployment === deployment);
    const keys = new Set([
      ...totals.keys(),
      ...served.map((s) => seriesKey(deployment, s.variant, s.version)),
    ]);
    const variants = [...keys].map((key): VariantLive => {
      const { variant, version } = splitKey(key);
      const total = totals.get(key) ?? { requests: 0, errors: 0 };
      const w = window.get(key);
      const info = served.find((s) => s.variant === variant && s.version === version);
      return {
        variant,
        version,
        model: info?.model ?? null,
        serving: !!info,
        requests: total.requests,
        errors: total.errors,
        requestsPerSecond: start ? (w?.requests ?? 0) / seconds : null,
        errorsPerSecond: start ? (w?.errors ?? 0) / seconds : null,
        p50Ms: w ? quantileMs(0.5, w) : null,
        p99Ms: w ? quantileMs(0.99, w) : null,
      };
    });
    return {
      deployment,
      sources,
      time: last.time,
      windowMs: start ? last.time - start.time : null,
      variants: variants.sort(order),
      series: series ? this.#series(deployment) : [],
    };
  }
}
