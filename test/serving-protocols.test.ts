import { connect } from "node:net";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uriPath } from "../src/core/schemes.js";
import {
  normaliseDeployment,
  type RunningServing,
  resolveServingConfig,
  startServing,
} from "../src/serving/index.js";
import type { Row } from "../src/training/index.js";
import { type FlightsPackage, flightsPackages, registeredFlights } from "./harness/serving.js";

/** A response body as these tests read it (OIP v2, MLflow, or an error body). */
interface Body {
  [key: string]: unknown;
  outputs: { name: string; datatype: string; shape: number[]; data: number[] }[];
  error: string;
  error_code: string;
}
interface Res {
  status: number;
  json(): Promise<Body>;
  text(): Promise<string>;
}

/**
 * Both protocols against a real serving server (ONNX Runtime, SQLite registry, Parquet prediction log), with
 * requests shaped exactly as the OIP v2 REST spec and MLflow's scoring-server docs show, and every bad input.
 */
describe("serving protocols", () => {
  let serving: RunningServing;
  let fixture: Awaited<ReturnType<typeof registeredFlights>>;
  let pkg: FlightsPackage;
  let rows: Row[];

  beforeAll(async () => {
    const built = await flightsPackages([{ kind: "linear" }]);
    pkg = built.packages[0]!;
    rows = built.rows.slice(0, 5).map((r, i) => ({ ...r, destination: pkg.destinations[i % 3]! }));
    fixture = await registeredFlights("sqlite", "flights", [pkg.dir]);
    await fixture.registry.setAlias("flights", "champion", 1);
    serving = await startServing({
      config: fixture.config,
      serving: resolveServingConfig({
        port: 0,
        workers: 1,
        bodyLimit: 64 * 1024,
        requestTimeoutMs: 1500,
        shutdownTimeoutMs: 2000,
        predictionLog: { flushIntervalMs: 60_000 },
      }),
      deployments: [normaliseDeployment({ name: "flights", model: "flights@champion" }, "config")],
    });
  });
  afterAll(async () => {
    await serving?.close();
    await fixture?.close();
  });

  const post = (path: string, body: unknown, type = "application/json") =>
    fetch(`${serving.url}${path}`, {
      method: "POST",
      headers: { "content-type": type },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }) as Promise<Res>;
  const get = (path: string) => fetch(`${serving.url}${path}`) as Promise<Res>;

  function v2Body(rs: Row[], overrides: Record<string, unknown> = {}) {
    const n = rs.length;
    return {
      id: "req-42",
      inputs: [
        { name: "distance", shape: [n, 1], datatype: "FP32", data: rs.map((r) => r.distance) },
        { name: "hour", shape: [n, 1], datatype: "FP32", data: rs.map((r) => r.hour) },
        { name: "origin", shape: [n, 1], datatype: "BYTES", data: rs.map((r) => r.origin) },
        { name: "destination", shape: [n, 1], datatype: "BYTES", data: rs.map((r) => r.destination) },
      ],
      ...overrides,
    };
  }

  const records = (rs: Row[]) => rs.map(({ delayed: _d, ...r }) => r);

  describe("Open Inference Protocol v2", () => {
    it("answers health, server metadata, model metadata and readiness as the spec shows", async () => {
      expect((await get(`/v2/health/live`)).status).toBe(200);
      expect((await get(`/v2/health/ready`)).status).toBe(200);
      const server = await (await get(`/v2`)).json();
      expect(server).toEqual({ name: "gyre", version: expect.any(String), extensions: [] });
      for (const path of ["/v2/models/flights", "/v2/models/flights/versions/1"]) {
        const meta = await (await get(path)).json();
        expect(meta).toEqual({
          name: "flights",
          versions: ["1"],
          platform: "onnxruntime_onnx",
          inputs: [
            { name: "distance", datatype: "FP32", shape: [-1, 1] },
            { name: "hour", datatype: "FP32", shape: [-1, 1] },
            { name: "origin", datatype: "BYTES", shape: [-1, 1] },
            { name: "destination", datatype: "BYTES", shape: [-1, 1] },
          ],
          outputs: [{ name: "probability", datatype: "FP32", shape: [-1, 1] }],
        });
        const ready = await get(`${path}/ready`);
        expect([ready.status, await ready.json()]).toEqual([200, { name: "flights", ready: true }]);
      }
    });

    it("infers typed tensors, flat or nested, on the deployment and on a version path", async () => {
      const res = await post("/v2/models/flights/infer", v2Body(rows));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ model_name: "flights", model_version: "1", id: "req-42" });
      expect(body.outputs).toHaveLength(1);
      const out = body.outputs[0]!;
      expect(out).toMatchObject({ name: "probability", datatype: "FP32", shape: [5, 1] });
      expect(out.data).toHaveLength(5);
      for (const p of out.data) expect(p).toBeGreaterThan(0);
      const nested = v2Body(rows);
      for (const input of nested.inputs) input.data = input.data.map((v) => [v]) as never;
      const again = await (await post("/v2/models/flights/versions/1/infer", nested)).json();
      expect(again.outputs[0]!.data).toEqual(out.data);
      const one = await (await post("/v2/models/flights/infer", v2Body(rows.slice(2, 3)))).json();
      expect(one.outputs[0]!.data[0]).toBeCloseTo(out.data[2]!, 6);
    });

    it("returns only the requested outputs and refuses unknown ones", async () => {
      const ok = await post("/v2/models/flights/infer", v2Body(rows, { outputs: [{ name: "probability" }] }));
      expect((await ok.json()).outputs.map((o: { name: string }) => o.name)).toEqual(["probability"]);
      const bad = await post("/v2/models/flights/infer", v2Body(rows, { outputs: [{ name: "logits" }] }));
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toContain("Unknown output 'logits'");
    });

    it("refuses bad tensors with 400 and the spec's {error} body naming the input", async () => {
      const cases: [unknown, RegExp][] = [
        [{ inputs: [] }, /non-empty 'inputs'/],
        [v2Body(rows, { inputs: v2Body(rows).inputs.slice(1) }), /'distance' is missing/],
        [
          v2Body(rows, {
            inputs: [
              ...v2Body(rows).inputs,
              { name: "wind", shape: [5, 1], datatype: "FP32", data: [1, 2, 3, 4, 5] },
            ],
          }),
          /Unknown input 'wind'/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) => (i.name === "hour" ? { ...i, datatype: "FP64" } : i)),
          }),
          /'hour' has datatype FP64/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) => (i.name === "hour" ? { ...i, shape: [5, 2] } : i)),
          }),
          /'hour' has shape \[5, 2\]/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) => (i.name === "hour" ? { ...i, shape: [4, 1] } : i)),
          }),
          /'hour' has 5 values but shape \[4, 1\]/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) =>
              i.name === "hour" ? { ...i, data: ["a", 1, 2, 3, 4] } : i,
            ),
          }),
          /'hour' value 0 is string/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) =>
              i.name === "destination"
                ? { ...i, data: ["NOWHERE", "NOWHERE", "NOWHERE", "NOWHERE", "NOWHERE"] }
                : i,
            ),
          }),
          /'destination' has category 'NOWHERE'/,
        ],
        [
          v2Body(rows, {
            inputs: v2Body(rows).inputs.map((i) => (i.name === "hour" ? { ...i, datatype: "FLOAT" } : i)),
          }),
          /datatype must be one of/,
        ],
      ];
      for (const [body, message] of cases) {
        const res = await post("/v2/models/flights/infer", body);
        expect(res.status, String(message)).toBe(400);
        const json = await res.json();
        expect(Object.keys(json)).toEqual(["error"]);
        expect(json.error).toMatch(message);
      }
    });

    it("answers 404 for an unknown model or version, 400 for malformed JSON, 413 over the body limit", async () => {
      const unknown = await post("/v2/models/nope/infer", v2Body(rows));
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error).toContain("'nope' is not served");
      const version = await post("/v2/models/flights/versions/9/infer", v2Body(rows));
      expect(version.status).toBe(404);
      expect((await version.json()).error).toContain("Version 9");
      expect((await get(`/v2/models/nope`)).status).toBe(404);
      const malformed = await post("/v2/models/flights/infer", '{"inputs": [');
      expect(malformed.status).toBe(400);
      expect(Object.keys(await malformed.json())).toEqual(["error"]);
      const big = await post(
        "/v2/models/flights/infer",
        v2Body(Array.from({ length: 5000 }, () => rows[0]!)),
      );
      expect(big.status).toBe(413);
      expect((await big.json()).error).toContain("larger than the server's limit");
    });
  });

  describe("MLflow scoring protocol", () => {
    it("answers /ping, /health and /version", async () => {
      expect((await get(`/ping`)).status).toBe(200);
      expect((await get(`/health`)).status).toBe(200);
      expect(await (await get(`/version`)).text()).toMatch(/^\d+\.\d+\.\d+/);
    });

    it("scores dataframe_split, dataframe_records, instances, inputs and CSV the same", async () => {
      const cols = ["distance", "hour", "origin", "destination"];
      const split = {
        dataframe_split: { columns: cols, data: records(rows).map((r) => cols.map((c) => r[c])) },
      };
      const v2 = await (await post("/v2/models/flights/infer", v2Body(rows))).json();
      const expected = v2.outputs[0]!.data;
      const asRecords = expected.map((p) => ({ probability: p }));
      for (const body of [split, { dataframe_records: records(rows) }]) {
        const res = await post("/invocations", body);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ predictions: asRecords });
      }
      const columnar = Object.fromEntries(cols.map((c) => [c, records(rows).map((r) => r[c])]));
      for (const body of [{ instances: records(rows) }, { inputs: columnar }]) {
        const res = await post("/invocations", body);
        expect(await res.json()).toEqual({ predictions: expected.map((p) => [p]) });
      }
      const csv = [cols.join(","), ...records(rows).map((r) => cols.map((c) => r[c]).join(","))].join("\n");
      const res = await post("/invocations", csv, "text/csv");
      expect(await res.json()).toEqual({ predictions: asRecords });
      const named = await post("/deployments/flights/invocations", { dataframe_records: records(rows) });
      expect(await named.json()).toEqual({ predictions: asRecords });
    });

    it("refuses bad input with mlflow's {error_code, message} body", async () => {
      const cases: [string | unknown, number, RegExp, string?][] = [
        ['{"dataframe_records": [', 400, /Malformed request/],
        [{ records: [] }, 400, /exactly one of the input fields/],
        [{ dataframe_records: records(rows), instances: [] }, 400, /exactly one of the input fields/],
        [{ dataframe_split: { columns: ["distance"], data: [[1, 2]] } }, 400, /list of 1 values/],
        [{ dataframe_records: records(rows).map(({ hour: _h, ...r }) => r) }, 400, /'hour' is missing/],
        [
          { dataframe_records: records(rows).map((r) => ({ ...r, hour: "noon" })) },
          400,
          /'hour' value 0 is string/,
        ],
        [
          { dataframe_records: records(rows).map((r) => ({ ...r, destination: "NOWHERE" })) },
          400,
          /category 'NOWHERE'/,
        ],
        ["distance,hour,origin,destination\n1,x,SEA,LAX\n", 400, /'hour' row 1 is 'x'/, "text/csv"],
        ["<xml/>", 415, /only supports the following content types/, "application/xml"],
      ];
      for (const [body, status, message, type] of cases) {
        const res = await post("/invocations", body, type);
        expect(res.status, String(message)).toBe(status);
        const json = await res.json();
        expect(json).toEqual({ error_code: "BAD_REQUEST", message: expect.stringMatching(message) });
      }
      const unknown = await post("/deployments/nope/invocations", { dataframe_records: records(rows) });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error_code).toBe("RESOURCE_DOES_NOT_EXIST");
      const big = await post("/invocations", {
        dataframe_records: Array.from({ length: 5000 }, () => records(rows)[0]),
      });
      expect(big.status).toBe(413);
    });
  });

  describe("slow and disconnecting clients", () => {
    it("times out a client that stalls mid-body (408) while others are served; survives hang-ups", async () => {
      const { port } = new URL(serving.url);
      const slow = connect(Number(port), "127.0.0.1");
      const answer = new Promise<string>((resolve) => {
        let text = "";
        slow.on("data", (d) => {
          text += d.toString();
        });
        slow.on("close", () => resolve(text));
      });
      slow.write(
        'POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"data',
      );
      for (let i = 0; i < 3; i++) {
        const hangUp = connect(Number(port), "127.0.0.1");
        hangUp.write(
          'POST /v2/models/flights/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{"inp',
        );
        hangUp.destroy();
      }
      const ok = await post("/invocations", { dataframe_records: records(rows) });
      expect(ok.status).toBe(200);
      expect(await answer).toMatch(/^HTTP\/1\.1 408/);
      expect((await post("/invocations", { dataframe_records: records(rows) })).status).toBe(200);
    });
  });

  describe("prediction log and metrics", () => {
    it("writes one Parquet row per prediction row with the contract's columns", async () => {
      const res = await post("/v2/models/flights/infer", v2Body(rows.slice(0, 3), { id: "log-check" }));
      expect(res.status).toBe(200);
      await serving.log!.flush();
      const root = uriPath(fixture.config.artifacts, process.cwd());
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      const reader = await conn.runAndReadAll(
        `SELECT request_id, row_index, deployment, model, version, variant, shadow, protocol, latency_ms,
                inputs->>'origin' AS origin, CAST(outputs->>'probability' AS DOUBLE) AS p, entity_key, hour, typeof(ts) AS ts_type
         FROM read_parquet('${root}/predictions/deployment=flights/*/*.parquet', hive_partitioning = true, union_by_name = true)
         WHERE request_id = 'log-check' ORDER BY row_index`,
      );
      const got = reader.getRowObjectsJson();
      conn.closeSync();
      db.closeSync();
      expect(got).toHaveLength(3);
      expect(got[0]).toMatchObject({
        request_id: "log-check",
        row_index: 0,
        deployment: "flights",
        model: "flights",
        version: "1",
        variant: "primary",
        shadow: false,
        protocol: "v2",
        origin: rows[0]!.origin,
        entity_key: null,
        hour: new Date().toISOString().slice(0, 13),
        ts_type: "TIMESTAMP",
      });
      expect(got.map((r) => r.row_index)).toEqual([0, 1, 2]);
      expect(Number(got[0]!.latency_ms)).toBeGreaterThan(0);
      expect(Number(got[0]!.p)).toBeGreaterThan(0);
    });

    it("exposes request counts, latency, batch sizes, queue depths and log drops in /metrics", async () => {
      const text = await (await get(`/metrics`)).text();
      expect(text).toMatch(
        /gyre_serving_requests_total\{deployment="flights",version="1",variant="primary",protocol="v2",status="200"\} \d+/,
      );
      expect(text).toMatch(/gyre_serving_requests_total\{[^}]*protocol="invocations",status="400"\} \d+/);
      expect(text).toContain('gyre_serving_request_duration_seconds_bucket{le="0.001",deployment="flights"');
      expect(text).toMatch(/gyre_serving_batch_rows_count\{model="flights",version="1"\} \d+/);
      expect(text).toContain("gyre_serving_batch_queue_depth");
      expect(text).toContain("gyre_serving_prediction_log_queue_depth");
      expect(text).toContain("gyre_serving_prediction_log_dropped_total");
      expect(text).toMatch(
        /gyre_serving_variant_info\{deployment="flights",variant="primary",model="flights",version="1"\} 1/,
      );
    });
  });
});
