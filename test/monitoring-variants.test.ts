/**
 * Variants compared on the prediction log: a primary, a canary that served other requests and a shadow that
 * answered the primary's own requests. Shadow rows stay out of the deployment's own monitoring (drift rows,
 * performance by request id); the comparison tests accuracy with scipy's chi2_contingency (unpaired) and
 * McNemar's test (paired, shadow), mean absolute error with a z-test, and refuses tests on tiny samples.
 * Expected statistics were computed with scipy 1.x (values in the comments).
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifactStore } from "../src/artifacts/index.js";
import { openMetadataStore, TrackingService } from "../src/metadata/index.js";
import { type MonitoringService, monitoringFor, parseCompare } from "../src/monitoring/index.js";
import { abLog, HOUR, T0 } from "./harness/monitoring.js";
import { type LogRow, writePredictionLog } from "./harness/prediction-log.js";
import { freshConfig } from "./harness/stores.js";

const N = 200;

describe("variants on the prediction log", () => {
  let tracking: TrackingService;
  let service: MonitoringService;
  let root: string;
  const clock = T0 + 2 * HOUR;

  beforeAll(async () => {
    const config = await freshConfig("sqlite");
    root = fileURLToPath(config.artifacts);
    tracking = new TrackingService(
      await openMetadataStore(config.store),
      await openArtifactStore(config.artifacts),
    );
    service = await monitoringFor(tracking, { artifacts: config.artifacts, monitors: [], now: () => clock });
    // primary right on 180 of 200, challenger on 140; the shadow mirrors the primary's requests.
    const ab = abLog("ab", T0 + HOUR, { base: "primary", other: "challenger" }, N);
    const reg: LogRow[] = [];
    for (let i = 0; i < 100; i++) {
      const common = {
        deployment: "reg",
        model: "flights",
        version: "1",
        inputs: { x: i },
        ts: T0 + HOUR + i * 1000,
      };
      reg.push({ ...common, requestId: `r-${i}`, outputs: { y: (i % 7) / 10 } });
      reg.push({
        ...common,
        requestId: `s-${i}`,
        variant: "b",
        outputs: { y: (i % 7) / 10 + 0.05 + (i % 3) / 20 },
      });
    }
    await writePredictionLog(root, [...ab.rows, ...reg]);
    expect(await service.ingestFeedback("ab", ab.labels)).toMatchObject({ accepted: 2 * N, matched: 2 * N });
    const regLabels = Array.from({ length: 100 }, (_, i) => [
      { request_id: `r-${i}`, label: 0 },
      { request_id: `s-${i}`, label: 0 },
    ]).flat();
    await service.ingestFeedback("reg", regLabels);
  });

  afterAll(async () => {
    await service?.close();
    await tracking?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("keeps shadow rows out of the deployment's own drift rows and performance", async () => {
    const window = { type: "time" as const, size: "1h" };
    const report = await service.evaluate("ab", window, { type: "window", first: 10 });
    // 200 primary + 200 challenger rows; the 200 shadow copies are not served answers.
    expect(report.window.rows).toBe(2 * N);
    const perf = await service.performance("ab", window);
    expect(perf).toMatchObject({ predictions: 2 * N, labelled: 2 * N });
    // (180 + 140) / 400 right: the primary's answers, not the shadow's (which would give 0.775).
    expect(perf.metrics.accuracy).toBeCloseTo(0.8, 12);
  });

  it("compares each variant with the primary: contingency test unpaired, McNemar for the shadow", async () => {
    const { window, options } = parseCompare({ window: "2h" });
    const c = await service.compareVariants("ab", window, options);
    expect(c.baseline).toBe("primary");
    expect(c.variants.map((v) => [v.variant, v.shadow, v.versions, v.predictions, v.labelled])).toEqual([
      ["primary", false, ["1"], N, N],
      ["challenger", false, ["2"], N, N],
      ["shadow", true, ["3"], N, N],
    ]);
    const [primary, challenger, shadow] = c.variants;
    expect(primary!.metrics.accuracy).toBeCloseTo(0.9, 12);
    expect(primary!.vsBaseline).toBeNull();
    expect(primary!.latencyMs).toEqual({ p50: 3, p99: 5 });
    expect(challenger!.latencyMs).toEqual({ p50: 10, p99: 10 });
    // scipy.stats.chi2_contingency([[180, 20], [140, 60]]) → 23.765625, p = 1.0880845511498316e-06
    expect(challenger!.vsBaseline).toMatchObject({
      baseline: "primary",
      metric: "accuracy",
      test: "chi2_contingency",
      paired: false,
      n: N,
      significant: true,
    });
    expect(challenger!.vsBaseline!.difference).toBeCloseTo(-0.2, 12);
    expect(challenger!.vsBaseline!.statistic).toBeCloseTo(23.765625, 9);
    expect(challenger!.vsBaseline!.pValue! / 1.0880845511498316e-6).toBeCloseTo(1, 6);
    // McNemar, continuity-corrected: (|10 − 5| − 1)² / 15 = 1.0667; scipy.stats.chi2.sf(16/15, 1) = 0.30169958247834494
    expect(shadow!.metrics.accuracy).toBeCloseTo(0.875, 12);
    expect(shadow!.vsBaseline).toMatchObject({ test: "mcnemar", paired: true, n: N, significant: false });
    expect(shadow!.vsBaseline!.statistic).toBeCloseTo(16 / 15, 12);
    expect(shadow!.vsBaseline!.pValue).toBeCloseTo(0.30169958247834494, 9);
    expect(shadow!.vsBaseline!.difference).toBeCloseTo(-0.025, 12);
  });

  it("a count window takes the last N served rows, and the shadow rows mirrored from them", async () => {
    const { window, options } = parseCompare({ window: "100" });
    const c = await service.compareVariants("ab", window, options);
    expect(c.window).toMatchObject({ kind: "count", limit: 100 });
    // primary and challenger answer at the same instants: the last 100 served rows are 50 of each.
    expect(c.variants.map((v) => [v.variant, v.predictions])).toEqual([
      ["primary", 50],
      ["challenger", 50],
      ["shadow", 50],
    ]);
  });

  it("tests mean absolute error with a z-test for regression", async () => {
    const { window, options } = parseCompare({ window: "2h" });
    const c = await service.compareVariants("reg", window, options);
    const b = c.variants.find((v) => v.variant === "b")!;
    expect(b.task).toBe("regression");
    // Welch standard error; 2 · scipy.stats.norm.sf(3.4484587200492323) = 0.0005637956411169205
    expect(b.vsBaseline).toMatchObject({ metric: "mae", test: "z", paired: false, significant: true });
    expect(b.vsBaseline!.statistic).toBeCloseTo(3.4484587200492323, 9);
    expect(b.vsBaseline!.pValue).toBeCloseTo(0.0005637956411169205, 9);
    expect(b.vsBaseline!.difference).toBeCloseTo(0.0995, 9);
  });

  it("runs no test on fewer labelled rows than minLabels, and says how many there are", async () => {
    const { window, options } = parseCompare({ window: "2h", minLabels: "500", alpha: "0.01" });
    const c = await service.compareVariants("ab", window, options);
    expect(c).toMatchObject({ alpha: 0.01, minLabels: 500 });
    const challenger = c.variants.find((v) => v.variant === "challenger")!;
    expect(challenger.vsBaseline).toMatchObject({ pValue: null, statistic: null, significant: false });
    expect(challenger.vsBaseline!.note).toMatch(/200 labelled rows \(primary: 200\); a test needs 500/);
  });

  it("tests against a named baseline, and says so when the baseline served nothing in the window", async () => {
    const { window, options } = parseCompare({ window: "2h", baseline: "challenger" });
    const c = await service.compareVariants("ab", window, options);
    expect(c.baseline).toBe("challenger");
    expect(c.variants.map((v) => v.variant)).toEqual(["challenger", "primary", "shadow"]);
    const primary = c.variants.find((v) => v.variant === "primary")!;
    // The same table as before, the other way round: the statistic is symmetric.
    expect(primary.vsBaseline).toMatchObject({
      baseline: "challenger",
      test: "chi2_contingency",
      significant: true,
    });
    expect(primary.vsBaseline!.statistic).toBeCloseTo(23.765625, 9);
    expect(primary.vsBaseline!.difference).toBeCloseTo(0.2, 12);
    // The shadow mirrors the primary's requests, none of the challenger's: nothing to pair.
    expect(c.variants.find((v) => v.variant === "shadow")!.vsBaseline).toMatchObject({ n: 0, pValue: null });
    const missing = await service.compareVariants("ab", window, { baseline: "control" });
    expect(
      missing.variants.every(
        (v) => v.vsBaseline?.note === "no served rows of the baseline 'control' in this window",
      ),
    ).toBe(true);
  });

  it("rejects bad options with the field and what to write", () => {
    expect(() => parseCompare({ alpha: "5" })).toThrow(/alpha must be a significance level in \(0, 1\)/);
    expect(() => parseCompare({ task: "ranking" })).toThrow(/task must be classification or regression/);
    expect(() => parseCompare({ minLabels: "1" })).toThrow(/minLabels must be an integer ≥ 2/);
    expect(() => parseCompare({ window: "yesterday" })).toThrow(/not a duration/);
    try {
      parseCompare({ threshold: "2" });
    } catch (e) {
      expect(e).toMatchObject({ code: "MONITOR_INVALID", field: "threshold" });
    }
  });
});
