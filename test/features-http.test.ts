import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../src/core/config.js";
import type { FeatureStore } from "../src/features/index.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { airportDefinitions, HOUR, T0, writeAirports } from "./fixtures/airport-features.js";
import { freshFeatureStore } from "./harness/features.js";

describe("feature server: POST /api/v1/features/online and friends", () => {
  let fs: FeatureStore;
  let server: RunningServer;
  let url: string;

  async function post(
    body: unknown,
    raw?: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${url}/api/v1/features/online`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw ?? JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    const made = await freshFeatureStore();
    fs = made.fs;
    await writeAirports(made.dir);
    await fs.register(airportDefinitions({ ttl: "10000w" })).apply();
    await fs.materialize({ start: T0, end: T0 + 10 * HOUR });
    server = await startServer(
      {
        ...DEFAULTS,
        store: `sqlite://${join(made.dir, "gyre.db")}`,
        artifacts: `file://${made.artifactsDir}`,
        onlineStore: `sqlite://${join(made.dir, "online.db")}`,
        server: { ...DEFAULTS.server, port: 0 },
        logLevel: "warn",
      },
      { features: airportDefinitions({ ttl: "10000w" }) },
    );
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await fs?.close();
  });

  it("answers gyre's shape exactly as the in-process lookup does", async () => {
    const req = {
      entityRows: [
        { origin: "ATL", scheduled_hour: 20 },
        { origin: "ORD", scheduled_hour: 20 },
      ],
      features: ["airport_stats:avg_delay", "request_features:late_evening_delay"],
    };
    const res = await post(req);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(JSON.parse(JSON.stringify(await fs.getOnlineFeatures(req))));
    expect((res.json.results as Array<{ values: unknown[] }>)[0]!.values).toEqual(["ATL", 20, 30]);
  });

  it("answers Feast's get-online-features shape column by column", async () => {
    const res = await post({ feature_service: "delay_model", entities: { origin: ["ATL", "ORD"] } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      metadata: { feature_names: ["origin", "avg_delay", "flights"] },
      results: [
        {
          values: ["ATL", "ORD"],
          statuses: ["PRESENT", "PRESENT"],
          event_timestamps: [new Date(0).toISOString(), new Date(0).toISOString()],
        },
        {
          values: [20, null],
          statuses: ["PRESENT", "NOT_FOUND"],
          event_timestamps: [new Date(T0 + 3 * HOUR).toISOString(), new Date(0).toISOString()],
        },
        {
          values: [120, null],
          statuses: ["PRESENT", "NOT_FOUND"],
          event_timestamps: [new Date(T0 + 3 * HOUR).toISOString(), new Date(0).toISOString()],
        },
      ],
    });
  });

  it("turns bad requests into coded 4xx errors naming the field, and keeps serving", async () => {
    const wrongType = await post({ entityRows: [{ origin: 3 }], features: ["airport_stats:avg_delay"] });
    expect(wrongType).toMatchObject({
      status: 400,
      json: { error: { code: "FEATURES_ENTITY_KEY_INVALID", field: "entityRows[0].origin" } },
    });
    const unknown = await post({ entityRows: [{ origin: "ATL" }], features: ["runways:length"] });
    expect(unknown).toMatchObject({ status: 404, json: { error: { code: "FEATURES_VIEW_NOT_FOUND" } } });
    const malformed = await post(null, '{"entityRows": [');
    expect(malformed).toMatchObject({ status: 400, json: { error: { code: "REQUEST_INVALID" } } });
    const tooMany = await post({
      entityRows: Array.from({ length: 10_001 }, () => ({ origin: "ATL" })),
      features: ["airport_stats:avg_delay"],
    });
    expect(tooMany).toMatchObject({
      status: 400,
      json: { error: { code: "REQUEST_INVALID", field: "entityRows" } },
    });
    const both = await post({ entityRows: [], entities: {}, features: ["airport_stats:avg_delay"] });
    expect(both.status).toBe(400);
    expect(
      (await post({ entityRows: [{ origin: "ATL" }], features: ["airport_stats:flights"] })).status,
    ).toBe(200);
  });

  it("lists definitions and serves view statistics", async () => {
    const defs = (await (await fetch(`${url}/api/v1/features/definitions`)).json()) as {
      definitions: Array<{ name: string }>;
    };
    expect(defs.definitions.map((d) => d.name)).toContain("airport_stats");
    const openapi = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toContain("/api/v1/features/online");
    const missing = await fetch(`${url}/api/v1/features/training-sets/nope`);
    expect(missing.status).toBe(404);
  });
});
