import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifactStore } from "../src/artifacts/index.js";
import { isGyreError } from "../src/core/index.js";
import type { FeatureStore } from "../src/features/index.js";
import { openMetadataStore, TrackingService } from "../src/metadata/index.js";
import { AIRPORT_ROWS, airportDefinitions, HOUR, T0, writeAirports } from "./fixtures/airport-features.js";
import { freshFeatureStore, readParquet } from "./harness/features.js";

describe("materialization, online reads and training sets", () => {
  let fs: FeatureStore;
  let dir: string;
  let artifactsDir: string;
  let now = T0 + 4 * HOUR;

  beforeAll(async () => {
    ({ fs, dir, artifactsDir } = await freshFeatureStore(undefined, () => now));
    await writeAirports(dir);
    await fs.register(airportDefinitions()).apply();
  });
  afterAll(() => fs.close());

  it("serves nothing before materialization: every feature MISSING", async () => {
    const res = await fs.getOnlineFeatures({
      entityRows: [{ origin: "ATL" }],
      features: ["airport_stats:avg_delay"],
    });
    expect(res.results[0]).toEqual({
      values: ["ATL", null],
      statuses: ["PRESENT", "MISSING"],
      eventTimestamps: [null, null],
    });
  });

  it("materializes a range in bounded chunks and resumes after a crash without gaps or rewrites", async () => {
    const seen: number[] = [];
    const crash = fs.materialize({
      start: T0,
      end: T0 + 4 * HOUR,
      chunkRows: 1,
      onProgress: (p) => {
        seen.push(p.rows);
        if (p.chunks === 1) throw new Error("simulated crash");
      },
    });
    await expect(crash).rejects.toThrow("simulated crash");
    const stats = await fs.stats("airport_stats");
    expect(stats.onlineRows).toBe(1);
    expect(stats.watermark).toBeNull();
    const resumed = await fs.materialize({ start: T0, end: T0 + 4 * HOUR, chunkRows: 1 });
    // Two airports in the range: the resumed run writes only the one the crashed run had not.
    expect(resumed.views).toEqual([
      { name: "airport_stats", start: T0, end: T0 + 4 * HOUR, rows: 1, chunks: 1 },
    ]);
    expect((await fs.stats("airport_stats")).watermark).toBe(T0 + 4 * HOUR);
  });

  it("returns values, PRESENT/MISSING/OUTSIDE_TTL statuses and event times; the created time breaks ties", async () => {
    const res = await fs.getOnlineFeatures({
      entityRows: [{ origin: "ATL" }, { origin: "SFO" }, { origin: "ORD" }],
      features: ["airport_stats:avg_delay", "airport_stats:busiest_dest", "airport_stats:flights"],
    });
    expect(res.featureNames).toEqual([
      "origin",
      "airport_stats:avg_delay",
      "airport_stats:busiest_dest",
      "airport_stats:flights",
    ]);
    expect(res.results).toEqual([
      {
        values: ["ATL", 20, "ORD", 120],
        statuses: ["PRESENT", "PRESENT", "PRESENT", "PRESENT"],
        eventTimestamps: [null, T0 + 3 * HOUR, T0 + 3 * HOUR, T0 + 3 * HOUR],
      },
      // SFO's latest is 3 h old with a 2 h TTL; its value at hour 1 is the correction written at hour 5.
      {
        values: ["SFO", null, null, null],
        statuses: ["PRESENT", "OUTSIDE_TTL", "OUTSIDE_TTL", "OUTSIDE_TTL"],
        eventTimestamps: [null, T0 + HOUR, T0 + HOUR, T0 + HOUR],
      },
      {
        values: ["ORD", null, null, null],
        statuses: ["PRESENT", "MISSING", "MISSING", "MISSING"],
        eventTimestamps: [null, null, null, null],
      },
    ]);
    now = T0 + 2 * HOUR;
    const sfo = await fs.getOnlineFeatures({
      entityRows: [{ origin: "SFO" }],
      featureService: "delay_model",
    });
    expect(sfo.results[0]!.values).toEqual(["SFO", 6, 51]);
    now = T0 + 4 * HOUR;
  });

  it("computes on-demand features from request data and stored features", async () => {
    const res = await fs.getOnlineFeatures({
      entityRows: [
        { origin: "ATL", scheduled_hour: 19 },
        { origin: "ORD", scheduled_hour: 8 },
      ],
      features: ["request_features:late_evening_delay", "airport_stats:avg_delay"],
    });
    expect(res.results.map((r) => r.values)).toEqual([
      ["ATL", 30, 20],
      ["ORD", null, null],
    ]);
    expect(res.results[1]!.statuses).toEqual(["PRESENT", "MISSING", "MISSING"]);
  });

  it("rejects wrong key types, unknown features and views with the field to fix", async () => {
    const cases: Array<[Parameters<FeatureStore["getOnlineFeatures"]>[0], string, string]> = [
      [
        { entityRows: [{ origin: 7 }], features: ["airport_stats:avg_delay"] },
        "FEATURES_ENTITY_KEY_INVALID",
        "entityRows[0].origin",
      ],
      [
        { entityRows: [{ airport: "ATL" }], features: ["airport_stats:avg_delay"] },
        "FEATURES_ENTITY_KEY_INVALID",
        "entityRows[0].origin",
      ],
      [
        { entityRows: [{ origin: "ATL" }], features: ["airport_stats:wind"] },
        "FEATURES_FEATURE_NOT_FOUND",
        "features[0]",
      ],
      [
        { entityRows: [{ origin: "ATL" }], features: ["runways:length"] },
        "FEATURES_VIEW_NOT_FOUND",
        "features[0]",
      ],
      [
        { entityRows: [{ origin: "ATL" }], featureService: "nope" },
        "FEATURES_SERVICE_NOT_FOUND",
        "featureService",
      ],
      [
        { entityRows: [{ origin: "ATL" }], features: ["request_features:late_evening_delay"] },
        "FEATURES_ENTITY_ROWS_INVALID",
        "entityRows[0].scheduled_hour",
      ],
    ];
    for (const [req, code, field] of cases) {
      const err = await fs.getOnlineFeatures(req).catch((e: unknown) => e);
      expect(isGyreError(err) && { code: err.code, field: err.field }, field).toEqual({ code, field });
    }
  });

  it("incremental materialization picks up only rows after the watermark", async () => {
    await writeAirports(dir, [
      ...AIRPORT_ROWS,
      {
        origin: "ORD",
        ts: T0 + 5 * HOUR,
        created: T0 + 5 * HOUR,
        avg_delay: 7,
        flights: 70,
        busiest_dest: "ATL",
      },
    ]);
    now = T0 + 6 * HOUR;
    const res = await fs.materialize({ incremental: true });
    expect(res.views).toEqual([
      { name: "airport_stats", start: T0 + 4 * HOUR, end: T0 + 6 * HOUR, rows: 1, chunks: 1 },
    ]);
    const ord = await fs.getOnlineFeatures({
      entityRows: [{ origin: "ORD" }],
      features: ["airport_stats:avg_delay"],
    });
    expect(ord.results[0]!.values).toEqual(["ORD", 7]);
  });

  it("builds a leakage-free training set, saves it with a manifest and logs it as the run's input", async () => {
    const [store, artifacts] = await Promise.all([
      openMetadataStore(`sqlite://${join(dir, "gyre.db")}`),
      openArtifactStore(`file://${artifactsDir}`),
    ]);
    const tracking = new TrackingService(store, artifacts);
    const exp = await tracking.createExperiment("features-lineage");
    const run = await tracking.createRun({ experimentId: exp.experimentId });
    await tracking.close();
    const set = await fs.getHistoricalFeatures({
      entities: {
        rows: [
          { origin: "ATL", event_timestamp: new Date(T0 + HOUR + 1), label: 1 },
          { origin: "ATL", event_timestamp: new Date(T0 + HOUR - 1), label: 0 },
          { origin: "SFO", event_timestamp: new Date(T0 + 4 * HOUR), label: 1 },
          { origin: "SFO", event_timestamp: new Date(T0 + 2 * HOUR), label: 0 },
        ],
      },
      featureService: "delay_model",
      name: "delays",
      runId: run.info.runId,
    });
    const rows = await readParquet(join(artifactsDir, set.dataPath));
    expect(rows).toEqual([
      { origin: "ATL", event_timestamp: T0 + HOUR + 1, label: 1, avg_delay: 12, flights: 110 },
      { origin: "ATL", event_timestamp: T0 + HOUR - 1, label: 0, avg_delay: 10, flights: 100 },
      { origin: "SFO", event_timestamp: T0 + 4 * HOUR, label: 1, avg_delay: null, flights: null },
      { origin: "SFO", event_timestamp: T0 + 2 * HOUR, label: 0, avg_delay: 6, flights: 51 },
    ]);
    expect(set).toMatchObject({
      name: "delays",
      rowCount: 4,
      timeRange: { start: T0 + HOUR - 1, end: T0 + 4 * HOUR },
    });
    expect(set.views).toEqual([{ name: "airport_stats", version: 1, features: ["avg_delay", "flights"] }]);
    expect(await fs.getTrainingSet(set.id)).toEqual(set);
    const again = await openMetadataStore(`sqlite://${join(dir, "gyre.db")}`);
    const logged = await new TrackingService(again, artifacts).getRun(run.info.runId);
    await again.close();
    const input = logged.inputs.datasetInputs[0]!;
    expect(input.dataset).toMatchObject({
      name: "delays",
      digest: set.digest.slice(0, 16),
      sourceType: "gyre-feature-store",
    });
    expect(JSON.parse(input.dataset.profile!)).toEqual({ num_rows: 4 });
  });

  it("reports per-view statistics and freshness", async () => {
    const s = await fs.stats("airport_stats");
    expect(s).toMatchObject({
      view: "airport_stats",
      rowCount: 7,
      latestEventTime: T0 + 5 * HOUR,
      watermark: T0 + 6 * HOUR,
      onlineRows: 3,
    });
    const avg = s.features.find((f) => f.name === "avg_delay")!;
    expect(avg).toMatchObject({ nullRate: 1 / 7, min: 5, max: 20 });
    expect(avg.mean).toBeCloseTo((10 + 12 + 20 + 5 + 6 + 7) / 6);
    expect(s.features.find((f) => f.name === "busiest_dest")!.top!.slice(0, 2)).toEqual([
      { value: "LAX", count: 2 },
      { value: "LGA", count: 2 },
    ]);
  });
});
