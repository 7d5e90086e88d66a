import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGyreError } from "../src/core/index.js";
import {
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  defineSource,
  type FeatureDefinition,
  type FeatureStore,
  openFeatureStore,
} from "../src/features/index.js";
import { airportDefinitions, writeAirports } from "./fixtures/airport-features.js";
import { freshFeatureStore } from "./harness/features.js";
import { BACKENDS, freshStoreUri, tempDir } from "./harness/stores.js";

async function errorOf(p: Promise<unknown>): Promise<{ code: string; field?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isGyreError(e)) return { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) };
    throw e;
  }
  throw new Error("expected a GyreError");
}

describe.each(BACKENDS)("feature registry on %s", (backend) => {
  let fs: FeatureStore;
  let dir: string;
  let store: string;

  beforeAll(async () => {
    store = await freshStoreUri(backend);
    ({ fs, dir } = await freshFeatureStore(store));
    await writeAirports(dir);
  });
  afterAll(() => fs.close());

  it("plans, applies in one step, versions definitions and deletes what code no longer defines", async () => {
    fs.register(airportDefinitions());
    const plan = await fs.plan();
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      "create entity airport",
      "create source airport_hourly",
      "create featureView airport_stats",
      "create onDemandFeatureView request_features",
      "create featureService delay_model",
    ]);
    const applied = await fs.apply(plan.revision);
    expect(applied.revision).toBe(plan.revision + 1);
    expect((await fs.plan()).changes.every((c) => c.action === "unchanged")).toBe(true);

    fs.register(
      airportDefinitions({ ttl: "3h", extraFeature: true }).filter((d) => d.kind !== "featureService"),
    );
    const second = await fs.apply();
    const byName = Object.fromEntries(second.changes.map((c) => [c.name, c]));
    expect(byName.airport_stats).toMatchObject({ action: "update", fromVersion: 1, toVersion: 2 });
    expect(byName.airport_stats!.fields).toEqual(["features", "sql", "ttlSeconds"]);
    expect(byName.delay_model).toMatchObject({ action: "delete", fromVersion: 1, toVersion: null });
    const view = await fs.describe("airport_stats");
    expect(view.version).toBe(2);
    expect(view.spec.ttlSeconds).toBe(3 * 3600);
    expect((await fs.list()).definitions.map((d) => d.name)).not.toContain("delay_model");
    expect((await fs.describe("airport_stats", undefined, 1)).spec.ttlSeconds).toBe(2 * 3600);
    expect((await fs.describe("delay_model", "featureService", 1)).spec.features).toHaveLength(2);

    fs.register(airportDefinitions());
    const third = await fs.apply();
    expect(third.changes.find((c) => c.name === "delay_model")).toMatchObject({
      action: "create",
      toVersion: 2,
    });
  });

  it("rejects bad definitions naming the view and field, and applies nothing", async () => {
    const before = await fs.list();
    const base = airportDefinitions();
    const view = base.find((d) => d.kind === "featureView")!;
    const cases: Array<[FeatureDefinition[], string, string]> = [
      [
        [...base.filter((d) => d !== view), { ...view, entity: "runway" }],
        "FEATURES_DEFINITION_INVALID",
        "airport_stats.entity",
      ],
      [
        [...base.filter((d) => d !== view), { ...view, timestampField: "when" }],
        "FEATURES_DEFINITION_INVALID",
        "airport_stats.timestampField",
      ],
      [
        [...base.filter((d) => d !== view), { ...view, sql: "SELECT * FROM nowhere" }],
        "FEATURES_DEFINITION_INVALID",
        "airport_stats.sql",
      ],
      [
        [
          ...base.filter((d) => d !== view),
          {
            ...view,
            features: { ...(view as { features: object }).features, wind: "float" },
          } as FeatureDefinition,
        ],
        "FEATURES_DEFINITION_INVALID",
        "airport_stats.features.wind",
      ],
      [
        [
          ...base.filter((d) => d !== view),
          { ...view, features: { busiest_dest: "float" } } as FeatureDefinition,
        ],
        "FEATURES_DEFINITION_INVALID",
        "airport_stats.features.busiest_dest",
      ],
      [
        [...base, defineFeatureService({ name: "broken", features: ["airport_stats:nope"] })],
        "FEATURES_FEATURE_NOT_FOUND",
        "broken.features[0]",
      ],
      [
        [...base, defineFeatureService({ name: "broken", features: ["nope:x"] })],
        "FEATURES_VIEW_NOT_FOUND",
        "broken.features[0]",
      ],
    ];
    for (const [defs, code, field] of cases) {
      fs.register(defs);
      const err = await errorOf(fs.apply());
      expect(err, field).toMatchObject({ code, field });
      expect(err.message).toMatch(/airport_stats|broken/);
    }
    expect(await fs.list()).toEqual(before);
  });

  it("rejects a source whose file is missing", async () => {
    fs.register([
      defineEntity({ name: "e", joinKeys: { id: "int" } }),
      defineSource({ name: "ghost", path: "missing.parquet" }),
      defineFeatureView({
        name: "v",
        entity: "e",
        source: "ghost",
        timestampField: "ts",
        features: { x: "float" },
      }),
    ]);
    expect(await errorOf(fs.plan())).toMatchObject({
      code: "FEATURES_DEFINITION_INVALID",
      field: "ghost.path",
    });
  });

  it("serialises concurrent applies from separate connections: none is lost or mixed", async () => {
    const other = await openFeatureStore(
      { store, artifacts: `file://${tempDir()}`, onlineStore: `sqlite://${join(tempDir(), "online.db")}` },
      { projectDir: dir, threads: 1 },
    );
    try {
      const a = airportDefinitions({ ttl: "1h" });
      const b = airportDefinitions({ ttl: "5h", extraFeature: true });
      fs.register(a);
      other.register(b);
      const start = (await fs.list()).revision;
      const plans = await Promise.all([fs.apply(), other.apply(), fs.apply(), other.apply()]);
      expect(plans.map((p) => p.revision).sort()).toEqual([start + 1, start + 2, start + 3, start + 4]);
      const last = plans.reduce((x, y) => (y.revision > x.revision ? y : x));
      const final = (await fs.list()).definitions.find((d) => d.name === "airport_stats")!;
      const expectedTtl = last === plans[0] || last === plans[2] ? 3600 : 5 * 3600;
      expect(final.spec.ttlSeconds).toBe(expectedTtl);
      expect(Object.keys(final.spec.features as object).includes("delay_x2")).toBe(expectedTtl === 5 * 3600);

      // Two applies of plans made at the same revision: the second one learns that the registry moved.
      const rev = (await fs.plan()).revision;
      const results = await Promise.allSettled([fs.apply(rev), other.apply(rev)]);
      const failed = results.filter((r) => r.status === "rejected");
      expect(failed).toHaveLength(1);
      expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({
        code: "FEATURES_REGISTRY_CONFLICT",
      });
    } finally {
      await other.close();
    }
  });
});
