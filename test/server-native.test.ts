import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/index.js";
import { VERSION } from "../src/server/index.js";
import { freshServer } from "./harness/stores.js";

describe("native API, OpenAPI and observability", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer("sqlite");
  });
  afterAll(async () => {
    await server.close();
  });

  it("serves an OpenAPI 3.1 document describing every native route", async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { version: string };
      paths: Record<string, object>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe(VERSION);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/experiments",
        "/api/v1/experiments/{experimentId}",
        "/api/v1/runs",
        "/api/v1/runs/search",
        "/api/v1/runs/{runId}/log-batch",
        "/api/v1/runs/{runId}/metrics/{key}/history",
        "/api/v1/runs/{runId}/artifacts/{path}",
      ]),
    );
    const batch = doc.paths["/api/v1/runs/{runId}/log-batch"] as { post: { requestBody: unknown } };
    expect(JSON.stringify(batch.post.requestBody)).toContain("metrics");
  });

  it("answers native errors with code, field and message, and unknown routes with 404", async () => {
    const bad = await fetch(`${server.url}/api/v1/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experimentId: "424242" }),
    });
    expect(bad.status).toBe(404);
    expect(await bad.json()).toMatchObject({
      error: { code: "TRACKING_EXPERIMENT_NOT_FOUND", field: "experiment_id" },
    });
    const malformed = await fetch(`${server.url}/api/v1/experiments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "REQUEST_INVALID", field: "body" } });
    const missing = await fetch(`${server.url}/api/v1/experiments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "REQUEST_INVALID", field: "name" } });
    const none = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: "ENDPOINT_NOT_FOUND" } });
  });

  it("serves /health, /version and Prometheus /metrics with per-route counters", async () => {
    expect(await (await fetch(`${server.url}/health`)).text()).toBe("OK");
    expect(await (await fetch(`${server.url}/version`)).text()).toBe(VERSION);
    await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    const text = await metrics.text();
    expect(text).toMatch(
      /gyre_http_requests_total\{method="GET",route="\/api\/2\.0\/mlflow\/experiments\/get",status="200"\} [1-9]/,
    );
    expect(text).toContain("gyre_http_request_duration_seconds_bucket");
    expect(text).toContain("gyre_process_cpu_user_seconds_total");
  });
});
