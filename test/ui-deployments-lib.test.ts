/** Pure helpers of the web UI's Deployments pages (run in Node; the browser tests cover the rest). */
import { describe, expect, it } from "vitest";
import type { DeploymentLive, ResolvedVariant } from "../ui/src/api/deployments.js";
import {
  formatMs,
  formatRate,
  liveLines,
  liveProblem,
  splitSegments,
  variantLabel,
} from "../ui/src/pages/deployments/live.js";

const live = (over: Partial<DeploymentLive>): DeploymentLive => ({
  deployment: "d",
  configured: true,
  sources: [{ url: "http://s:8080", reachable: true, error: null }],
  time: 1,
  windowMs: 2000,
  variants: [],
  series: [],
  ...over,
});

describe("Deployments page helpers", () => {
  it("formats rates and latencies, with a dash before there is a figure", () => {
    expect([
      formatRate(null),
      formatRate(0),
      formatRate(0.04567),
      formatRate(57.46),
      formatRate(1234.5),
    ]).toEqual(["—", "0/s", "0.0457/s", "57.5/s", "1235/s"]);
    expect([formatMs(undefined), formatMs(0.1666), formatMs(16.44), formatMs(1234)]).toEqual([
      "—",
      "0.167 ms",
      "16.4 ms",
      "1.23 s",
    ]);
    expect(variantLabel({ variant: "canary", version: 2 })).toBe("canary v2");
  });

  it("draws one line per variant/version in seconds, skipping intervals without latency", () => {
    const series: DeploymentLive["series"] = [
      {
        variant: "primary",
        version: 1,
        points: [
          { time: 2000, requestsPerSecond: 5, p50Ms: 1, p99Ms: 3 },
          { time: 4000, requestsPerSecond: 0, p50Ms: null, p99Ms: null },
        ],
      },
    ];
    expect(liveLines(series, "rps")).toEqual([{ label: "primary v1", x: [2, 4], y: [5, 0] }]);
    expect(liveLines(series, "p99")).toEqual([{ label: "primary v1", x: [2], y: [3] }]);
  });

  it("splits the bar between request-serving variants only, keeping each one's colour index", () => {
    const v = (variant: string, weight: number): ResolvedVariant => ({
      variant,
      ref: "m@a",
      model: "m",
      alias: "a",
      weight,
      version: 1,
      error: null,
    });
    const segs = splitSegments([v("primary", 100), v("canary", 0), v("shadow", 50)]);
    expect(segs.map((s) => [s.variant, s.index])).toEqual([["primary", 0]]);
    expect(splitSegments([v("a", 25), v("b", 75)]).map((s) => s.index)).toEqual([0, 1]);
  });

  it("says why there are no live figures: none configured, or every data plane unreachable", () => {
    expect(liveProblem(live({}))).toBeNull();
    expect(liveProblem(live({ configured: false, sources: [] }))).toContain("--serving-url");
    const down = live({
      sources: [{ url: "http://s:8080", reachable: false, error: "Cannot reach http://s:8080" }],
    });
    expect(liveProblem(down)).toBe("No live figures. Cannot reach http://s:8080.");
    const partly = live({
      sources: [
        { url: "http://a", reachable: true, error: null },
        { url: "http://b", reachable: false, error: "down" },
      ],
    });
    expect(liveProblem(partly)).toBeNull();
  });
});
