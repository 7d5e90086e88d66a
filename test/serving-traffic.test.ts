import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uriPath } from "../src/core/schemes.js";
import {
  type FeatureLookup,
  normaliseDeployment,
  openServingService,
  type RunningServing,
  resolveServingConfig,
  startServing,
} from "../src/serving/index.js";
import type { Row } from "../src/training/index.js";
import { flightsPackages, registeredFlights } from "./harness/serving.js";
import { tempDir } from "./harness/stores.js";

interface Answer {
  status: number;
  version: string | null;
  variant: string | null;
  body: { predictions?: { probability: number }[]; error_code?: string; message?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Traffic policies and model changes against a real serving server: canary split and stickiness, A/B with
 * per-variant metrics, shadow mirroring, alias moves under load, a corrupt version, enrichment through a
 * FeatureLookup, the deployments API, and graceful shutdown.
 */
describe("serving traffic", () => {
  let serving: RunningServing;
  let fixture: Awaited<ReturnType<typeof registeredFlights>>;
  let rows: Record<string, unknown>[];
  let linearDir: string;
  const flights = new Map<string, Record<string, unknown>>();
  const lookups: Record<string, string | number>[][] = [];
  const lookup: FeatureLookup = {
    async lookup(service, entityRows) {
      if (service !== "flight_features") throw new Error(`unknown feature service ${service}`);
      lookups.push(entityRows);
      return entityRows.map((r) => flights.get(String(r.flight_id)) ?? {});
    },
  };

  beforeAll(async () => {
    const built = await flightsPackages([{ kind: "linear" }, { kind: "mlp", hidden: [8] }]);
    const [linear, mlp] = built.packages as [{ dir: string; destinations: string[] }, { dir: string }];
    linearDir = linear.dir;
    const corrupt = join(tempDir("gyre-serving-corrupt-"), "model");
    cpSync(linear.dir, corrupt, { recursive: true });
    rows = built.rows.slice(0, 40).map((r: Row, i) => {
      const { delayed: _d, ...x } = r;
      return { ...x, destination: linear.destinations[i % 5]! };
    });
    for (const [i, r] of rows.entries()) flights.set(`f${i}`, r);
    fixture = await registeredFlights("sqlite", "flights", [linear.dir, mlp.dir, corrupt]);
    // Version 3 was registered intact; its graph is damaged afterwards, as a bad disk or a bad upload would.
    writeFileSync(join(corrupt, "model.onnx"), "not an onnx graph any more");
    for (const [alias, version] of [
      ["champion", 1],
      ["challenger", 2],
      ["live", 1],
    ] as const) {
      await fixture.registry.setAlias("flights", alias, version);
    }
    serving = await startServing({
      config: fixture.config,
      serving: resolveServingConfig({
        port: 0,
        workers: 1,
        pollIntervalMs: 100,
        predictionLog: { flushIntervalMs: 60_000 },
      }),
      deployments: [
        normaliseDeployment({ name: "moving", model: "flights@live" }, "config"),
        normaliseDeployment(
          {
            name: "enriched",
            model: "flights/1",
            features: { service: "flight_features", entityKeys: ["flight_id"] },
          },
          "config",
        ),
      ],
      features: lookup,
    });
  });
  afterAll(async () => {
    await serving?.close();
    await fixture?.close();
  });

  async function score(
    deployment: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const res = await fetch(`${serving.url}/deployments/${deployment}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      version: res.headers.get("x-gyre-model-version"),
      variant: res.headers.get("x-gyre-variant"),
      body: (await res.json()) as Answer["body"],
    };
  }

  const one = (i: number) => ({ dataframe_records: [rows[i % rows.length]] });

  async function many(n: number, concurrency: number, fn: (i: number) => Promise<Answer>): Promise<Answer[]> {
    const out: Answer[] = new Array(n);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          out[i] = await fn(i);
        }
      }),
    );
    return out;
  }

  async function create(spec: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${serving.url}/api/v1/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(spec),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function logRows(sql: string): Promise<Record<string, unknown>[]> {
    await serving.log!.flush();
    const root = uriPath(fixture.config.artifacts, process.cwd());
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const from = `read_parquet('${root}/predictions/*/*/*.parquet', hive_partitioning = true, union_by_name = true)`;
    const reader = await conn.runAndReadAll(sql.replace("$LOG", from));
    const out = reader.getRowObjectsJson() as Record<string, unknown>[];
    conn.closeSync();
    db.closeSync();
    return out;
  }

  it("splits a canary within tolerance over 1,000 requests and counts each variant", async () => {
    const created = await create({
      name: "canary",
      model: "flights@champion",
      canary: { model: "flights@challenger", percent: 20 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "canary", origin: "store", ready: true });
    const answers = await many(1000, 16, (i) => score("canary", one(i)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const canary = answers.filter((a) => a.variant === "canary");
    expect(canary.every((a) => a.version === "2")).toBe(true);
    expect(answers.filter((a) => a.variant === "primary").every((a) => a.version === "1")).toBe(true);
    // 20 % of 1,000: standard deviation ≈ 12.6, so ±50 is about four of them.
    expect(canary.length).toBeGreaterThan(150);
    expect(canary.length).toBeLessThan(250);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    const count = (variant: string, version: string) =>
      Number(
        new RegExp(
          `gyre_serving_requests_total\\{deployment="canary",version="${version}",variant="${variant}",protocol="invocations",status="200"\\} (\\d+)`,
        ).exec(metrics)?.[1],
      );
    expect(count("canary", "2")).toBe(canary.length);
    expect(count("primary", "1")).toBe(1000 - canary.length);
  });

  it("keeps a sticky key on one variant", async () => {
    const res = await fetch(`${serving.url}/api/v1/deployments/canary/traffic`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ canary: { model: "flights@challenger", percent: 50, stickyKey: "origin" } }),
    });
    expect(res.status).toBe(200);
    const answers = await many(200, 8, (i) => score("canary", one(i)));
    const byOrigin = new Map<string, Set<string>>();
    answers.forEach((a, i) => {
      const origin = String(rows[i % rows.length]!.origin);
      byOrigin.set(origin, (byOrigin.get(origin) ?? new Set()).add(a.variant!));
    });
    for (const variants of byOrigin.values()) expect(variants.size).toBe(1);
    const headerKeyed = await many(20, 4, () => score("canary", one(0), { "x-gyre-routing-key": "user-7" }));
    expect(new Set(headerKeyed.map((a) => a.variant)).size).toBe(1);
  });

  it("runs an A/B test between two versions with per-variant metrics", async () => {
    const created = await create({
      name: "ab",
      ab: {
        variants: [
          { name: "linear", model: "flights/1", weight: 1 },
          { name: "mlp", model: "flights/2", weight: 1 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const answers = await many(200, 8, (i) => score("ab", one(i)));
    const seen = new Map(answers.map((a) => [a.variant, a.version]));
    expect(seen).toEqual(
      new Map([
        ["linear", "1"],
        ["mlp", "2"],
      ]),
    );
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(
      /gyre_serving_request_duration_seconds_count\{deployment="ab",version="1",variant="linear",protocol="invocations"\} \d+/,
    );
    expect(metrics).toMatch(
      /gyre_serving_request_duration_seconds_count\{deployment="ab",version="2",variant="mlp",protocol="invocations"\} \d+/,
    );
  });

  it("mirrors traffic to a shadow version: logged with the same request ids, never returned", async () => {
    expect(
      (await create({ name: "shadowed", model: "flights@champion", shadow: { model: "flights/2" } })).status,
    ).toBe(201);
    const answers = await many(30, 4, (i) => score("shadowed", one(i), { "x-request-id": `shadow-${i}` }));
    expect(answers.every((a) => a.status === 200 && a.version === "1" && a.variant === "primary")).toBe(true);
    const v1 = await many(30, 4, (i) => score("moving", one(i)));
    expect(answers.map((a) => a.body.predictions)).toEqual(v1.map((a) => a.body.predictions));
    await sleep(50);
    const logged = await logRows(
      `SELECT variant, version, shadow, count(*) AS n, count(DISTINCT request_id) AS ids FROM $LOG
       WHERE deployment = 'shadowed' AND request_id LIKE 'shadow-%' GROUP BY ALL ORDER BY variant`,
    );
    expect(logged).toEqual([
      { variant: "primary", version: "1", shadow: false, n: "30", ids: "30" },
      { variant: "shadow", version: "2", shadow: true, n: "30", ids: "30" },
    ]);
  });

  it("follows an alias move under continuous load with zero failed requests", async () => {
    const seen: Answer[] = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; !stop; i += 8) seen.push(await score("moving", one(i)));
      }),
    );
    const until = async (version: string) => {
      for (let i = 0; i < 100 && seen.at(-1)?.version !== version; i++) await sleep(50);
    };
    await sleep(200);
    await fixture.registry.setAlias("flights", "live", 2);
    await until("2");
    await sleep(200);
    await fixture.registry.setAlias("flights", "live", 1);
    await until("1");
    await sleep(200);
    stop = true;
    await load;
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.filter((a) => a.status !== 200)).toEqual([]);
    const versions = seen.map((a) => a.version);
    expect(versions[0]).toBe("1");
    expect(versions).toContain("2");
    expect(versions.at(-1)).toBe("1");
  });

  it("keeps serving the current version when the alias moves to a corrupt one", async () => {
    await fixture.registry.setAlias("flights", "live", 3);
    await sleep(500);
    const answers = await many(50, 4, (i) => score("moving", one(i)));
    expect(answers.every((a) => a.status === 200 && a.version === "1")).toBe(true);
    const status = (await (await fetch(`${serving.url}/api/v1/deployments/moving`)).json()) as {
      ready: boolean;
      variants: { version: number; problem: string }[];
    };
    expect(status.ready).toBe(true);
    expect(status.variants[0]).toMatchObject({ version: 1 });
    expect(status.variants[0]!.problem).toMatch(/version 3.*does not verify.*model\.onnx/);
    const metrics = await (await fetch(`${serving.url}/metrics`)).text();
    expect(metrics).toMatch(
      /gyre_serving_model_loads_total\{model="flights",version="3",outcome="failed"\} 1/,
    );
    await fixture.registry.setAlias("flights", "live", 2);
    await sleep(500);
    expect((await score("moving", one(0))).version).toBe("2");
    await fixture.registry.setAlias("flights", "live", 1);
  });

  it("fills inputs from the feature lookup by entity key; request values override", async () => {
    const before = lookups.length;
    const a = await score("enriched", {
      dataframe_records: [{ flight_id: "f1" }, { flight_id: "f2", hour: 23 }],
    });
    expect(a.status).toBe(200);
    expect(lookups.length).toBe(before + 1);
    expect(lookups.at(-1)).toEqual([{ flight_id: "f1" }, { flight_id: "f2" }]);
    const complete = await score("enriched", {
      dataframe_records: [
        { ...rows[1], flight_id: "f1" },
        { ...rows[2], hour: 23, flight_id: "f2" },
      ],
    });
    expect(complete.status).toBe(200);
    expect(lookups.length).toBe(before + 1);
    expect(a.body.predictions).toEqual(complete.body.predictions);
    const unknown = await score("enriched", { dataframe_records: [{ flight_id: "nope" }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/'distance' value 0 is null/);
    const noKey = await score("enriched", { dataframe_records: [{ hour: 3 }] });
    expect([noKey.status, noKey.body.message]).toEqual([
      400,
      expect.stringContaining("Entity key 'flight_id' is missing"),
    ]);
    const logged = await logRows(
      `SELECT entity_key, inputs->>'origin' AS origin FROM $LOG WHERE deployment = 'enriched' ORDER BY ts, row_index LIMIT 2`,
    );
    expect(logged).toEqual([
      { entity_key: '{"flight_id":"f1"}', origin: rows[1]!.origin },
      { entity_key: '{"flight_id":"f2"}', origin: rows[2]!.origin },
    ]);
  });

  it("manages stored deployments through the API, refusing bad or conflicting ones", async () => {
    const unknown = await create({ name: "ghost", model: "flights@nobody" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: "SERVING_DEPLOYMENT_INVALID", field: "model" });
    const bad = await create({ name: "bad", model: "flights", canary: { model: "flights/2", percent: 120 } });
    expect(bad.body.error).toMatchObject({ code: "SERVING_DEPLOYMENT_INVALID" });
    expect((await create({ name: "canary", model: "flights/1" })).body.error).toMatchObject({
      code: "SERVING_DEPLOYMENT_EXISTS",
    });
    expect((await create({ name: "moving", model: "flights/1" })).body.error).toMatchObject({
      code: "SERVING_DEPLOYMENT_DECLARED",
    });
    const list = (await (await fetch(`${serving.url}/api/v1/deployments`)).json()) as {
      deployments: { name: string; origin: string }[];
    };
    expect(list.deployments.map((d) => [d.name, d.origin])).toEqual([
      ["enriched", "config"],
      ["moving", "config"],
      ["ab", "store"],
      ["canary", "store"],
      ["shadowed", "store"],
    ]);
    const del = await fetch(`${serving.url}/api/v1/deployments/ab`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await score("ab", one(0))).status).toBe(404);
  });

  it("keeps deployments in PostgreSQL too: create, change traffic, delete", async () => {
    const pg = await registeredFlights("postgres", "flights", [linearDir]);
    const opened = await openServingService(pg.config, []);
    try {
      const svc = opened.service;
      await expect(svc.create({ name: "pg", model: "flights/2" })).rejects.toMatchObject({
        code: "SERVING_DEPLOYMENT_INVALID",
      });
      await svc.create({ name: "pg", model: "flights/1" });
      const changed = await svc.setTraffic("pg", { shadow: { model: "flights/1", sampleRate: 0.5 } });
      expect(changed.traffic.shadow).toEqual({ ref: { model: "flights", version: 1 }, sampleRate: 0.5 });
      expect((await svc.list()).map((d) => [d.name, d.spec])).toEqual([
        ["pg", { name: "pg", model: "flights/1", shadow: { model: "flights/1", sampleRate: 0.5 } }],
      ]);
      await svc.delete("pg");
      await expect(svc.get("pg")).rejects.toMatchObject({ code: "SERVING_DEPLOYMENT_NOT_FOUND" });
    } finally {
      await opened.close();
      await pg.close();
    }
  });

  it("drains in-flight requests on shutdown and refuses new connections after", async () => {
    const drained = await startServing({
      config: fixture.config,
      serving: resolveServingConfig({ port: 0, workers: 1, predictionLog: { enabled: false } }),
      deployments: [
        normaliseDeployment({ name: "slow", model: "flights/1", batching: { maxWaitMs: 400 } }, "config"),
      ],
    });
    const url = drained.url;
    const inflight = Array.from({ length: 6 }, (_, i) =>
      fetch(`${url}/deployments/slow/invocations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(one(i)),
      }).then((r) => r.status),
    );
    await sleep(100);
    const closing = drained.close();
    await sleep(20);
    const late = await fetch(`${url}/ping`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(await Promise.all(inflight)).toEqual([200, 200, 200, 200, 200, 200]);
    await closing;
    expect(late).toBe("refused");
  });
});
