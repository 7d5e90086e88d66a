/** Pure helpers of the web UI's Monitoring and Features pages (run in Node; the browser tests cover the rest). */
import { describe, expect, it } from "vitest";
import { formatTtl, type ViewStats } from "../ui/src/api/features.js";
import { type MetricPoint, specsOf } from "../ui/src/api/monitoring.js";
import { freshness } from "../ui/src/pages/features/freshness.js";
import { chartsOf, familyOf, latestDrift } from "../ui/src/pages/monitoring/series.js";

const H = 3_600_000;

function point(p: Partial<MetricPoint>): MetricPoint {
  return {
    deployment: "d",
    monitor: "m",
    feature: "x",
    metric: "ks",
    fingerprint: "f",
    windowStart: 0,
    windowEnd: H,
    evaluatedTime: H,
    rows: 100,
    status: "ok",
    value: 0.5,
    statistic: 0.1,
    pValue: 0.5,
    threshold: 0.05,
    drifted: false,
    ...p,
  };
}

describe("monitoring series", () => {
  it("sorts points into drift, quality and performance", () => {
    expect(familyOf(point({}))).toBe("drift");
    expect(familyOf(point({ metric: "missing_share", drifted: null }))).toBe("quality");
    expect(familyOf(point({ feature: "_performance", metric: "accuracy" }))).toBe("performance");
  });

  it("draws one chart per drift metric, one line per feature, ascending x, ok values only", () => {
    const points = [
      point({ windowEnd: 3 * H, value: 0.01 }),
      point({ windowEnd: 2 * H, value: 0.2, feature: "y" }),
      point({ windowEnd: 2 * H, value: 0.3 }),
      point({ windowEnd: 1 * H, value: null, status: "not_enough_data" }),
      point({ windowEnd: 3 * H, metric: "psi", value: 0.4 }),
      // The same window stored by a second monitor run: one value per x.
      point({ windowEnd: 3 * H, value: 0.01, monitor: "m2" }),
    ];
    expect(chartsOf(points, "drift")).toEqual([
      {
        title: "ks",
        lines: [
          { label: "x", x: [2 * 3600, 3 * 3600], y: [0.3, 0.01] },
          { label: "y", x: [2 * 3600], y: [0.2] },
        ],
      },
      { title: "psi", lines: [{ label: "x", x: [3 * 3600], y: [0.4] }] },
    ]);
  });

  it("puts performance scores within [0, 1] on one chart and others on their own", () => {
    const perf = (metric: string, value: number) => point({ feature: "_performance", metric, value });
    const charts = chartsOf([perf("accuracy", 0.9), perf("f1", 0.8), perf("log_loss", 1.4)], "performance");
    expect(charts.map((c) => [c.title, c.lines.map((l) => l.label)])).toEqual([
      ["log_loss", ["log_loss"]],
      ["scores (0–1)", ["accuracy", "f1"]],
    ]);
  });

  it("keeps the newest window per monitor, feature and metric, drifted first", () => {
    const latest = latestDrift([
      point({ windowEnd: 2 * H, feature: "a", drifted: false }),
      point({ windowEnd: 2 * H, feature: "b", drifted: true }),
      point({ windowEnd: 1 * H, feature: "a", drifted: true }),
      point({ windowEnd: 2 * H, feature: "a", metric: "missing_share", drifted: null }),
    ]);
    expect(latest.map((p) => [p.feature, p.drifted])).toEqual([
      ["b", true],
      ["a", false],
    ]);
  });

  it("turns a monitor's window and reference into the drift route's query", () => {
    const m = { name: "m", deployment: "d", alert: { severity: "warning", actions: [] } };
    expect(specsOf({ ...m, window: { type: "time", size: "1h" }, reference: { type: "profile" } })).toEqual({
      window: "1h",
      reference: "profile",
    });
    expect(
      specsOf({ ...m, window: { type: "count", size: 500 }, reference: { type: "window", first: 1000 } }),
    ).toEqual({ window: "500", reference: "first:1000" });
    expect(
      specsOf({ ...m, window: { type: "count", size: 5 }, reference: { type: "window", from: 1, to: 2 } })
        .reference,
    ).toBe("1..2");
  });
});

describe("feature view freshness", () => {
  const now = Date.UTC(2026, 0, 10);
  const stats = (s: Partial<ViewStats>): ViewStats => ({
    view: "v",
    rowCount: 10,
    latestEventTime: now - 3 * H,
    watermark: now - H,
    onlineRows: 5,
    features: [],
    ...s,
  });

  it("is never, behind, expired or fresh", () => {
    expect(freshness(stats({ watermark: null, onlineRows: 0 }), 0, now).state).toBe("never");
    expect(freshness(stats({ watermark: now - 4 * H }), 0, now)).toEqual({
      state: "behind",
      text: "offline rows not yet online; newest event 3 h 0 min ago",
    });
    expect(freshness(stats({}), 2 * 3600, now).state).toBe("expired");
    expect(freshness(stats({}), 4 * 3600, now).state).toBe("fresh");
    expect(freshness(stats({}), 0, now).state).toBe("fresh");
    expect(freshness(stats({ latestEventTime: now - 400 * 86_400_000 }), 0, now).text).toBe(
      "newest event 400 days ago",
    );
  });

  it("formats TTLs in the largest whole unit", () => {
    expect([0, 7200, 86_400 * 3, 604_800 * 10_000, 90, 61].map(formatTtl)).toEqual([
      "never expires",
      "2 h",
      "3 d",
      "10000 w",
      "90 s",
      "61 s",
    ]);
  });
});
