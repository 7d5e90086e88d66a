import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS } from "../src/core/config.js";
import type { RunningServer } from "../src/server/index.js";
import { MLFLOW_PREFIXES, MlflowRest, type Reply, uid } from "./harness/mlflow-rest.js";
import { BACKENDS, freshServer } from "./harness/stores.js";

/**
 * MLflow's error contract (mlflow/server/handlers.py, mlflow/exceptions.py): failures answer
 * `{error_code, message}`; unknown entities are 404 RESOURCE_DOES_NOT_EXIST, bad input is 400
 * INVALID_PARAMETER_VALUE naming the field, and a rejected log-batch writes nothing.
 */
const GHOST_RUN = "0123456789abcdef0123456789abcdef";
const GHOST_EXP = "987654321";

function expectError(r: Reply, status: number, code: string, mentions?: string): void {
  expect({ status: r.status, error_code: r.body.error_code }).toEqual({ status, error_code: code });
  expect(r.body.message).toEqual(expect.any(String));
  if (mentions) expect(String(r.body.message)).toContain(mentions);
}

/** One batch of `n` distinct-key items in MLflow's LogBatch shape. */
const items = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: "v" }));
const points = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: "m", value: i, timestamp: 1, step: i }));

describe.each(BACKENDS)("MLflow REST errors on %s", (backend) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  describe.each(MLFLOW_PREFIXES)("under %s", (prefix) => {
    const api = () => new MlflowRest(server.url, prefix);

    it("answers 404 RESOURCE_DOES_NOT_EXIST for unknown experiments and runs on every endpoint", async () => {
      const c = api();
      const run = { run_id: GHOST_RUN, run_uuid: GHOST_RUN };
      const exp = { experiment_id: GHOST_EXP };
      const calls: [string, () => Promise<Reply>][] = [
        ["experiments/get", () => c.get("/experiments/get", exp)],
        ["experiments/get-by-name", () => c.get("/experiments/get-by-name", { experiment_name: uid("no") })],
        ["experiments/update", () => c.post("/experiments/update", { ...exp, new_name: uid("n") })],
        ["experiments/delete", () => c.post("/experiments/delete", exp)],
        ["experiments/restore", () => c.post("/experiments/restore", exp)],
        [
          "set-experiment-tag",
          () => c.post("/experiments/set-experiment-tag", { ...exp, key: "k", value: "v" }),
        ],
        ["runs/create", () => c.post("/runs/create", { ...exp, start_time: 1 })],
        ["runs/get", () => c.get("/runs/get", run)],
        ["runs/update", () => c.post("/runs/update", { ...run, status: "FINISHED" })],
        ["runs/delete", () => c.post("/runs/delete", { run_id: GHOST_RUN })],
        ["runs/restore", () => c.post("/runs/restore", { run_id: GHOST_RUN })],
        [
          "log-metric",
          () => c.post("/runs/log-metric", { ...run, key: "m", value: 1, timestamp: 1, step: 0 }),
        ],
        ["log-parameter", () => c.post("/runs/log-parameter", { ...run, key: "p", value: "1" })],
        ["set-tag", () => c.post("/runs/set-tag", { ...run, key: "t", value: "1" })],
        ["delete-tag", () => c.post("/runs/delete-tag", { run_id: GHOST_RUN, key: "t" })],
        ["log-batch", () => c.post("/runs/log-batch", { run_id: GHOST_RUN, metrics: points(1) })],
        ["log-inputs", () => c.post("/runs/log-inputs", { run_id: GHOST_RUN, datasets: [] })],
        ["get-history", () => c.get("/metrics/get-history", { ...run, metric_key: "m" })],
        ["artifacts/list", () => c.get("/artifacts/list", run)],
      ];
      const seen: Record<string, unknown> = {};
      for (const [name, call] of calls) {
        const r = await call();
        seen[name] = { status: r.status, error_code: r.body.error_code };
      }
      const want = Object.fromEntries(
        calls.map(([n]) => [n, { status: 404, error_code: "RESOURCE_DOES_NOT_EXIST" }]),
      );
      expect(seen).toEqual(want);
      const realRun = (await c.createRun(await c.createExperiment())).info.run_id;
      const tag = await c.post("/runs/delete-tag", { run_id: realRun, key: "never-set" });
      expectError(tag, 404, "RESOURCE_DOES_NOT_EXIST", "never-set");
    });

    it("answers 400 naming the missing required field", async () => {
      const c = api();
      const exp = await c.createExperiment();
      const run = (await c.createRun(exp)).info.run_id;
      const cases: [string, () => Promise<Reply>][] = [
        ["name", () => c.post("/experiments/create", {})],
        ["experiment_id", () => c.get("/experiments/get")],
        ["experiment_name", () => c.get("/experiments/get-by-name")],
        ["new_name", () => c.post("/experiments/update", { experiment_id: exp })],
        ["key", () => c.post("/experiments/set-experiment-tag", { experiment_id: exp, value: "v" })],
        ["run_id", () => c.get("/runs/get")],
        ["run_id", () => c.post("/runs/update", { status: "FINISHED" })],
        ["timestamp", () => c.post("/runs/log-metric", { run_id: run, key: "m", value: 1 })],
        ["value", () => c.post("/runs/log-metric", { run_id: run, key: "m", timestamp: 1 })],
        ["key", () => c.post("/runs/log-parameter", { run_id: run, value: "1" })],
        ["run_id", () => c.post("/runs/log-batch", { metrics: [] })],
        [
          "metrics[0].timestamp",
          () => c.post("/runs/log-batch", { run_id: run, metrics: [{ key: "m", value: 1 }] }),
        ],
        ["params[0].key", () => c.post("/runs/log-batch", { run_id: run, params: [{ value: "x" }] })],
        ["metric_key", () => c.get("/metrics/get-history", { run_id: run })],
        ["run_id", () => c.get("/artifacts/list")],
      ];
      for (const [field, call] of cases) {
        const r = await call();
        expectError(r, 400, "INVALID_PARAMETER_VALUE", `'${field}'`);
      }
      expect((await c.getRun(run)).data).not.toHaveProperty("metrics");
    });

    it("answers 400 INVALID_PARAMETER_VALUE for malformed JSON and values of the wrong type", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      for (const path of ["/experiments/create", "/runs/create", "/runs/log-batch", "/runs/search"]) {
        expectError(await c.postRaw(path, '{"name": "x", '), 400, "INVALID_PARAMETER_VALUE");
      }
      const wrong: [string, unknown][] = [
        ["metrics[0].value", { run_id: run, metrics: [{ key: "m", value: "abc", timestamp: 1 }] }],
        ["metrics[0].timestamp", { run_id: run, metrics: [{ key: "m", value: 1, timestamp: 1.5 }] }],
        ["metrics", { run_id: run, metrics: "not-a-list" }],
      ];
      for (const [field, body] of wrong) {
        expectError(await c.post("/runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE", `'${field}'`);
      }
      const status = await c.post("/runs/update", { run_id: run, status: "SLEEPING" });
      expectError(status, 400, "INVALID_PARAMETER_VALUE", "status");
      expect((await c.getRun(run)).data).not.toHaveProperty("metrics");
    });

    it("rejects log-batch requests over MLflow's limits and writes nothing", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      const over: [string, Record<string, unknown>][] = [
        ["1000 metrics", { metrics: points(1001) }],
        ["100 params", { params: items(101, "p") }],
        ["100 tags", { tags: items(101, "t") }],
        [
          "1000 metrics, params, and tags",
          { metrics: points(900), params: items(60, "p"), tags: items(60, "t") },
        ],
      ];
      for (const [limit, batch] of over) {
        const r = await c.post("/runs/log-batch", { run_id: run, ...batch });
        expectError(r, 400, "INVALID_PARAMETER_VALUE", `at most ${limit}`);
      }
      const data = (await c.getRun(run)).data;
      expect(data).not.toHaveProperty("metrics");
      expect(data).not.toHaveProperty("params");
      expect(data.tags?.map((t) => t.key)).toEqual(["mlflow.runName"]);
      const atLimit = { run_id: run, metrics: points(1000) };
      expect(await c.okPost("/runs/log-batch", atLimit)).toEqual({});
    });

    it("keeps params immutable and rolls back a whole batch when one param changes", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      await c.okPost("/runs/log-parameter", { run_id: run, key: "lr", value: "0.1" });
      expect(await c.okPost("/runs/log-parameter", { run_id: run, key: "lr", value: "0.1" })).toEqual({});
      const changed = await c.post("/runs/log-parameter", { run_id: run, key: "lr", value: "0.2" });
      expectError(changed, 400, "INVALID_PARAMETER_VALUE", "lr");

      const batch = await c.post("/runs/log-batch", {
        run_id: run,
        metrics: points(50),
        params: [
          { key: "epochs", value: "10" },
          { key: "lr", value: "0.3" },
        ],
        tags: [{ key: "fresh", value: "yes" }],
      });
      expectError(batch, 400, "INVALID_PARAMETER_VALUE", "lr");
      const data = (await c.getRun(run)).data;
      expect(data).not.toHaveProperty("metrics");
      expect(data.params).toEqual([{ key: "lr", value: "0.1" }]);
      expect(data.tags?.map((t) => t.key)).not.toContain("fresh");
      expect(await c.okGet("/metrics/get-history", { run_id: run, metric_key: "m" })).toEqual({});
    });

    it("refuses writes to a deleted run with INVALID_PARAMETER_VALUE until it is restored", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      await c.okPost("/runs/delete", { run_id: run });
      const r = await c.post("/runs/log-batch", { run_id: run, metrics: points(1) });
      expectError(r, 400, "INVALID_PARAMETER_VALUE", "active");
      await c.okPost("/runs/restore", { run_id: run });
      expect(await c.okPost("/runs/log-batch", { run_id: run, metrics: points(1) })).toEqual({});
    });
  });
});

describe.each(BACKENDS)("gyre server robustness on %s (bodyLimit 1024)", (backend) => {
  let server: RunningServer;
  let c: MlflowRest;
  beforeAll(async () => {
    server = await freshServer(backend, { server: { ...DEFAULTS.server, port: 0, bodyLimit: 1024 } });
    c = new MlflowRest(server.url);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 413 in MLflow's error shape for a JSON body over the limit, sized or streamed", async () => {
    const run = (await c.createRun(await c.createExperiment())).info.run_id;
    const big = JSON.stringify({ run_id: run, metrics: points(40) });
    expect(big.length).toBeGreaterThan(1024);
    const sized = await c.postRaw("/runs/log-batch", big);
    expectError(sized, 413, "RESOURCE_EXHAUSTED", "limit");

    const chunks = [big.slice(0, 700), big.slice(700)];
    const streamed = new ReadableStream<Uint8Array>({
      pull(ctl) {
        const next = chunks.shift();
        if (next === undefined) ctl.close();
        else ctl.enqueue(new TextEncoder().encode(next));
      },
    });
    const res = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: streamed,
      duplex: "half",
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error_code: "RESOURCE_EXHAUSTED" });
    expect((await c.getRun(run)).data).not.toHaveProperty("metrics");
    expect(await c.okPost("/runs/log-batch", { run_id: run, metrics: points(3) })).toEqual({});
  });

  it("streams artifact uploads past the JSON body limit", async () => {
    const exp = await c.createExperiment();
    const run = (await c.createRun(exp)).info.run_id;
    const blob = "x".repeat(8 * 1024);
    expect((await c.putArtifact(`${exp}/${run}/artifacts/big.txt`, blob)).status).toBe(200);
    expect((await c.getArtifact(`${exp}/${run}/artifacts/big.txt`)).bytes.length).toBe(blob.length);
  });

  it("keeps serving after a malformed request, an oversized payload and a client that disconnects mid-upload", async () => {
    const exp = await c.createExperiment();
    const run = (await c.createRun(exp)).info.run_id;
    expectError(await c.postRaw("/runs/log-batch", "{{{"), 400, "INVALID_PARAMETER_VALUE");
    expect((await c.postRaw("/runs/log-batch", "[".repeat(5000))).status).toBe(413);

    const path = `${exp}/${run}/artifacts/partial.bin`;
    const abort = new AbortController();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        if (sent++ < 4) {
          ctl.enqueue(new Uint8Array(64 * 1024).fill(7));
          await new Promise((r) => setTimeout(r, 20));
        } else {
          abort.abort();
        }
      },
    });
    const upload = fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
      method: "PUT",
      body,
      duplex: "half",
      signal: abort.signal,
    });
    await expect(upload).rejects.toThrow();

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect((await c.getRun(run)).info.run_id).toBe(run);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.listProxy(`${exp}/${run}/artifacts`)).body).toEqual({});
    expect((await c.getArtifact(path)).status).toBe(404);

    expect((await c.putArtifact(path, "complete")).status).toBe(200);
    expect((await c.getArtifact(path)).bytes.toString()).toBe("complete");
    const listed = await c.okGet("/artifacts/list", { run_id: run });
    expect(listed.files).toEqual([{ path: "partial.bin", is_dir: false, file_size: 8 }]);
  });
});
