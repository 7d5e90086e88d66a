import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openData } from "../src/data/index.js";
import { defineSource, type FeatureStore, onlineFeatureLookup } from "../src/features/index.js";
import { AIRPORT_ROWS, airportDefinitions, HOUR, T0, writeAirports } from "./fixtures/airport-features.js";
import { freshFeatureStore } from "./harness/features.js";
import { tempDir } from "./harness/stores.js";

/** The airport definitions with their source swapped for a registered dataset (latest or pinned). */
function fromDataset(datasetVersion?: number) {
  return airportDefinitions().map((d) =>
    d.kind === "source"
      ? defineSource({ name: d.name, dataset: "airports", ...(datasetVersion ? { datasetVersion } : {}) })
      : d,
  );
}

describe("feature sources from versioned datasets", () => {
  let fs: FeatureStore;
  let dir: string;
  let data: Awaited<ReturnType<typeof openData>>;

  beforeAll(async () => {
    ({ fs, dir } = await freshFeatureStore(undefined, () => T0 + 4 * HOUR));
    data = await openData({
      store: `sqlite://${join(dir, "gyre.db")}`,
      artifacts: `file://${join(dir, "artifacts")}`,
    });
    const v1 = tempDir("gyre-airports-");
    await writeAirports(v1, AIRPORT_ROWS.slice(0, 4));
    await data.data.register("airports", join(v1, "airports.parquet"));
  });
  afterAll(async () => {
    await fs.close();
    await data.close();
  });

  it("reads the latest version, or a pinned one, and refuses an unknown dataset naming the source", async () => {
    await fs.register(fromDataset()).apply();
    const before = await fs.stats("airport_stats");
    expect(before.rowCount).toBe(4);

    const v2 = tempDir("gyre-airports-");
    await writeAirports(v2);
    await data.data.register("airports", join(v2, "airports.parquet"));
    expect((await fs.stats("airport_stats")).rowCount).toBe(AIRPORT_ROWS.length);

    await fs.register(fromDataset(1)).apply();
    expect((await fs.stats("airport_stats")).rowCount).toBe(4);

    const missing = airportDefinitions().map((d) =>
      d.kind === "source" ? defineSource({ name: d.name, dataset: "nope" }) : d,
    );
    await expect(fs.register(missing).apply()).rejects.toMatchObject({
      code: "FEATURES_DEFINITION_INVALID",
      field: "airport_hourly.dataset",
    });
    expect(() => defineSource({ name: "x", dataset: "airports", path: "a.parquet" })).toThrow(/exactly one/);
    expect(() => defineSource({ name: "x", path: "a.parquet", datasetVersion: 2 })).toThrow(/datasetVersion/);
  });

  it("answers serving's lookups by feature service with feature names, present values only", async () => {
    await fs.register(fromDataset()).apply();
    await fs.materialize({ start: T0, end: T0 + 4 * HOUR });
    const rows = await onlineFeatureLookup(fs).lookup("delay_model", [{ origin: "ATL" }, { origin: "ORD" }]);
    expect(rows).toEqual([
      { "airport_stats:avg_delay": 20, avg_delay: 20, "airport_stats:flights": 120, flights: 120 },
      {},
    ]);
  });
});
