/**
 * Windows over a prediction log written in the serving contract's Parquet layout: drift per feature against a
 * log-window reference, data quality counts, count windows, and 'not enough data' for empty windows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateWindow, PredictionLogReader, pruneLog, windowBounds } from "../src/monitoring/index.js";
import { type LogRow, writePredictionLog } from "./harness/prediction-log.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
let root: string;
let reader: PredictionLogReader;
const noPackages = async () => null;

/** Deterministic pseudo-normal values (sum of uniforms) so the test needs no random seed. */
function wave(i: number, shift = 0): number {
  let s = 0;
  for (let k = 1; k <= 6; k++) s += ((i * 7919 * k + k * 104729) % 1000) / 1000;
  return s - 3 + shift;
}

function rows(deployment: string, hour: number, n: number, shiftDistance: number, extra = false): LogRow[] {
  return Array.from({ length: n }, (_, i) => ({
    requestId: `${deployment}-${hour}-${Math.floor(i / 2)}`,
    rowIndex: i % 2,
    ts: T0 + hour * HOUR + Math.floor((i * HOUR) / n),
    deployment,
    model: "flights",
    version: "1",
    inputs: {
      distance: 500 + 100 * wave(i + hour * 7, shiftDistance),
      hour_of_day: i % 24,
      origin: ["SFO", "LAX", "JFK", "ORD"][i % 4],
      ...(extra ? { debug: true } : {}),
    },
    outputs: { delay: [wave(i * 3 + hour)] },
  }));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "gyre-monitoring-windows-"));
  await writePredictionLog(root, [...rows("flights", 0, 600, 0), ...rows("flights", 1, 600, 0)]);
  await writePredictionLog(root, rows("flights", 2, 600, 2.5, true));
  reader = await PredictionLogReader.open(root);
});

afterAll(() => {
  reader.close();
  rmSync(root, { recursive: true, force: true });
});

describe("drift over log windows", () => {
  it("an injected shift in one feature flags that feature only", async () => {
    const report = await evaluateWindow(reader, noPackages, {
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "window", from: T0, to: T0 + 2 * HOUR },
      now: T0 + 3 * HOUR + 60_000,
    });
    expect(report.status).toBe("ok");
    expect(report.window.rows).toBe(600);
    expect(report.reference.rows).toBe(1200);
    expect(report.driftedFeatures).toEqual(["distance"]);
    const distance = report.features.find((f) => f.feature === "distance")!;
    expect(distance.drift[0]!.method).toBe("wasserstein");
    expect(distance.quality.outOfRange).toBeGreaterThan(0);
    expect(report.features.map((f) => f.feature).sort()).toEqual([
      "distance",
      "hour_of_day",
      "origin",
      "prediction.delay",
    ]);
    expect(report.unknownKeys).toEqual([{ key: "debug", count: 600 }]);
  });

  it("the same window before the shift shows no drift", async () => {
    const report = await evaluateWindow(reader, noPackages, {
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "window", from: T0, to: T0 + HOUR },
      metrics: [{ method: "psi" }, { method: "ks" }],
      now: T0 + 2 * HOUR,
    });
    const distance = report.features.find((f) => f.feature === "distance")!;
    expect(distance.drift.map((d) => d.method)).toEqual(["psi", "ks"]);
    expect(report.driftedFeatures).toEqual([]);
  });

  it("an empty window gives 'not enough data' and no scores", async () => {
    const report = await evaluateWindow(reader, noPackages, {
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "window", from: T0, to: T0 + HOUR },
      now: T0 + 10 * HOUR,
    });
    expect(report.status).toBe("not_enough_data");
    expect(report.window.rows).toBe(0);
    for (const f of report.features) {
      for (const d of f.drift) expect(d).toMatchObject({ status: "not_enough_data", score: null });
    }
  });

  it("a feature missing from the log is reported, not a crash", async () => {
    const report = await evaluateWindow(reader, noPackages, {
      deployment: "flights",
      window: { type: "count", size: 300 },
      reference: { type: "window", first: 600 },
      features: ["distance", "no_such_feature"],
      now: T0 + 3 * HOUR,
    });
    const missing = report.features.find((f) => f.feature === "no_such_feature")!;
    expect(missing.drift[0]).toMatchObject({ status: "not_applicable", score: null });
    expect(missing.quality.missing).toBe(300);
    expect(report.driftedFeatures).toEqual(["distance"]);
  });

  it("count windows select the latest rows; tumbling ones the last complete block", async () => {
    expect(await reader.count("flights")).toBe(1800);
    expect(windowBounds({ type: "count", size: 500 }, 0, 1800)).toEqual({
      kind: "count",
      offset: 1000,
      limit: 500,
    });
    expect(windowBounds({ type: "count", size: 500, slide: 100 }, 0, 1800)).toEqual({
      kind: "count",
      offset: 1300,
      limit: 500,
    });
    expect(windowBounds({ type: "time", size: "1h", slide: "5m" }, T0 + 90 * 60_000, 0)).toEqual({
      kind: "time",
      from: T0 + 30 * 60_000,
      to: T0 + 90 * 60_000,
    });
    expect(await reader.count("no-such-deployment")).toBe(0);
  });
});

describe("retention", () => {
  it("deletes whole hour partitions that ended before the cut-off", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gyre-monitoring-retention-"));
    try {
      await writePredictionLog(dir, [
        ...rows("old", 0, 10, 0),
        ...rows("old", 1, 10, 0),
        ...rows("old", 2, 10, 0),
      ]);
      expect(pruneLog(dir, "old", T0 + 2 * HOUR - 1)).toEqual(["hour=2026-01-05T00"]);
      expect(pruneLog(dir, "old", T0 + 2 * HOUR)).toEqual(["hour=2026-01-05T01"]);
      const r = await PredictionLogReader.open(dir);
      expect(await r.count("old")).toBe(10);
      r.close();
      expect(pruneLog(dir, "never-logged", T0 + 10 * HOUR)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
