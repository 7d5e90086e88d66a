import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServingMetrics } from "../metrics.js";
import { LiveStats } from "./live-stats.js";
import { histogramQuantile, parsePrometheusText } from "./prometheus-text.js";
import { readScrape, seriesKey } from "./scrape.js";

describe("Prometheus text", () => {
  it("parses samples with escaped label values and skips comments, other families and malformed lines", () => {
    const text = [
      "# HELP gyre_serving_requests_total Inference requests",
      "# TYPE gyre_serving_requests_total counter",
      'gyre_serving_requests_total{deployment="a\\"b",version="1",note="x\\\\y\\nz"} 12',
      'gyre_serving_request_duration_seconds_bucket{le="+Inf"} 3 1700000000000',
      "gyre_serving_requests_total{deployment=oops} 1",
      "process_cpu_seconds_total 4",
      "gyre_serving_plain 2.5",
    ].join("\n");
    expect(parsePrometheusText(text, ["gyre_serving_"])).toEqual([
      {
        name: "gyre_serving_requests_total",
        labels: { deployment: 'a"b', version: "1", note: "x\\y\nz" },
        value: 12,
      },
      { name: "gyre_serving_request_duration_seconds_bucket", labels: { le: "+Inf" }, value: 3 },
      { name: "gyre_serving_plain", labels: {}, value: 2.5 },
    ]);
  });

  it("estimates quantiles inside buckets as Prometheus's histogram_quantile does", () => {
    const buckets = [
      { le: 0.1, count: 10 },
      { le: 0.2, count: 20 },
      { le: Number.POSITIVE_INFINITY, count: 20 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.75, buckets)).toBeCloseTo(0.15);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05);
    const tail = [...buckets.slice(0, 2), { le: Number.POSITIVE_INFINITY, count: 40 }];
    expect(histogramQuantile(0.99, tail)).toBe(0.2);
    expect(histogramQuantile(0.5, [{ le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
  });

  it("reads serving's own metrics: requests and errors over protocols, latency buckets, served versions", async () => {
    const m = new ServingMetrics();
    const labels = { deployment: "d", version: "1", variant: "primary" };
    m.requests.inc({ ...labels, protocol: "v2", status: "200" }, 3);
    m.requests.inc({ ...labels, protocol: "invocations", status: "200" });
    m.requests.inc({ ...labels, protocol: "v2", status: "400" });
    for (const s of [0.0003, 0.0004, 0.0004, 0.004]) m.latency.observe({ ...labels, protocol: "v2" }, s);
    // Two workers' gauges summed by the cluster's aggregation; a swapped-out version is removed, not 0.
    m.served.set({ deployment: "d", variant: "primary", model: "flights", version: "1" }, 2);
    const scrape = readScrape(await m.registry.metrics());
    const s = scrape.series.get(seriesKey("d", "primary", 1))!;
    expect([s.requests, s.errors, s.count]).toEqual([5, 1, 4]);
    expect(s.buckets.get(0.0005)).toBe(3);
    expect(scrape.served).toEqual([{ deployment: "d", variant: "primary", model: "flights", version: 1 }]);
  });
});

describe("LiveStats", () => {
  let metrics = new ServingMetrics();
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      metrics.registry.metrics().then((text) => res.end(text));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const serve = (n: number, seconds: number) => {
    const labels = { deployment: "d", version: "2", variant: "canary", protocol: "v2" };
    metrics.requests.inc({ ...labels, status: "200" }, n);
    for (let i = 0; i < n; i++) metrics.latency.observe(labels, seconds);
  };

  it("turns counter differences between scrapes into rates, and treats a restart as a reset", async () => {
    const stats = new LiveStats({ urls: [url], minIntervalMs: 0 });
    serve(10, 0.003);
    await stats.refresh();
    const first = stats.deployment("d");
    expect(first.windowMs).toBeNull();
    expect(first.variants).toMatchObject([
      { variant: "canary", version: 2, requests: 10, requestsPerSecond: null },
    ]);
    await new Promise((r) => setTimeout(r, 200));
    serve(30, 0.02);
    await stats.refresh();
    const second = stats.deployment("d");
    const v = second.variants[0]!;
    expect(v.requests).toBe(40);
    expect(v.requestsPerSecond! * (second.windowMs! / 1000)).toBeCloseTo(30, 6);
    expect(v.p50Ms).toBeGreaterThan(10);
    expect(v.p50Ms).toBeLessThanOrEqual(25);
    expect(second.series[0]!.points).toHaveLength(1);
    // A restarted data plane starts its counters at zero: its new count is the interval's count.
    metrics = new ServingMetrics();
    serve(4, 0.003);
    await new Promise((r) => setTimeout(r, 50));
    await stats.refresh();
    const points = stats.deployment("d").series[0]!.points;
    const last = points[points.length - 1]!;
    expect(last.requestsPerSecond).toBeGreaterThan(0);
    expect(stats.deployment("d").variants[0]!.requests).toBe(4);
  });

  it("keeps series only for deployments whose series were asked for", async () => {
    const stats = new LiveStats({ urls: [url], minIntervalMs: 0 });
    serve(3, 0.003);
    await stats.refresh();
    expect(stats.deployment("d", { series: false }).series).toEqual([]);
    await stats.refresh();
    expect(stats.deployment("d").series).toEqual([]);
    await stats.refresh();
    await stats.refresh();
    expect(stats.deployment("d").series[0]!.points).toHaveLength(2);
    expect(stats.deployment("other").variants).toEqual([]);
  });

  it("reports an unreachable data plane by URL and shares one scrape between close calls", async () => {
    const stats = new LiveStats({ urls: [url, "http://127.0.0.1:9"], timeoutMs: 500 });
    await Promise.all([stats.refresh(), stats.refresh()]);
    await stats.refresh();
    const live = stats.deployment("d");
    expect(live.sources.map((s) => s.reachable)).toEqual([true, false]);
    expect(live.sources[1]!.error).toMatch(
      /^Cannot reach the serving data plane at http:\/\/127\.0\.0\.1:9 /,
    );
    // minIntervalMs (1 s) had not passed: the three calls made one scrape, so there is no rate yet.
    expect(live.windowMs).toBeNull();
  });
});
