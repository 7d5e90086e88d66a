/**
 * How `gyre server` serves the web UI (without a browser): the built app at `/`, hashed assets cached, the
 * single-page-app fallback for deep links, JSON 404s for APIs and missing assets, and a page that says how
 * to build the UI when it is missing. Also the pipeline routes the UI added: plan, definition, resume, cancel.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/server/index.js";
import { chain } from "./fixtures/pipelines/pipelines.js";
import { freshConfig, tempDir } from "./harness/stores.js";
import { call } from "./harness/ui-seed.js";

const INDEX = '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1234.js"></script>';

let built: RunningServer;
let uiDir: string;
let missing: RunningServer;

beforeAll(async () => {
  uiDir = tempDir("gyre-ui-dist-");
  mkdirSync(join(uiDir, "assets"));
  writeFileSync(join(uiDir, "index.html"), INDEX);
  writeFileSync(join(uiDir, "assets", "app-1234.js"), "console.log('app')");
  [built, missing] = await Promise.all([
    startServer(await freshConfig("sqlite"), { ui: uiDir, pipelines: [chain] }),
    startServer(await freshConfig("sqlite"), { ui: tempDir("gyre-ui-none-") }),
  ]);
});

afterAll(async () => {
  await Promise.all([built?.close(), missing?.close()]);
});

describe("serving the web UI", () => {
  it("serves index.html at / and for deep links, never cached", async () => {
    for (const path of [
      "/",
      "/experiments/3",
      "/models/flights%20delay/versions/2",
      "/pipelines/runs/abc?step=x",
    ]) {
      const res = await fetch(built.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toBe(INDEX);
    }
  });

  it("serves hashed assets as immutable and answers a missing asset with a JSON 404", async () => {
    const asset = await fetch(`${built.url}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    // A rebuild under the running server: its new files are served without a restart.
    writeFileSync(join(uiDir, "assets", "app-5678.js"), "console.log('rebuilt')");
    expect((await fetch(`${built.url}/assets/app-5678.js`)).status).toBe(200);
    const gone = await fetch(`${built.url}/assets/app-0000.js`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("ENDPOINT_NOT_FOUND");
  });

  it("keeps API 404s in their own JSON shapes and non-GET requests out of the fallback", async () => {
    const native = await fetch(`${built.url}/api/v1/nothing-here`);
    expect(native.status).toBe(404);
    expect(((await native.json()) as { error: { code: string } }).error.code).toBe("ENDPOINT_NOT_FOUND");
    const mlflow = await fetch(`${built.url}/api/2.0/mlflow/nothing-here`);
    expect(((await mlflow.json()) as { error_code: string }).error_code).toBe("ENDPOINT_NOT_FOUND");
    const post = await fetch(`${built.url}/experiments`, { method: "POST" });
    expect(post.status).toBe(404);
    expect((await fetch(`${built.url}/health`)).status).toBe(200);
  });

  it("says how to build the UI when ui/dist is missing", async () => {
    const res = await fetch(`${missing.url}/experiments`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("npm run build:ui");
    expect((await fetch(`${missing.url}/api/v1/nothing-here`)).status).toBe(404);
  });
});

describe("pipeline routes used by the UI", () => {
  it("serves a definition's plan and a run's plan", async () => {
    const def = await call<{ name: string; plan: { steps: Array<{ id: string; dependsOn: string[] }> } }>(
      built.url,
      "GET",
      "/api/v1/pipelines/chain",
    );
    expect(def.plan.steps.map((s) => s.id)).toEqual(["a", "b", "c", "d"]);
    expect(def.plan.steps.find((s) => s.id === "d")?.dependsOn).toEqual(["c"]);
    const { runId } = await call<{ runId: string }>(built.url, "POST", "/api/v1/pipelines/chain/runs", {});
    const plan = await call<{ name: string; steps: unknown[] }>(
      built.url,
      "GET",
      `/api/v1/pipelines/runs/${runId}/plan`,
    );
    expect(plan.name).toBe("chain");
    expect(plan.steps).toHaveLength(4);
    const res = await fetch(`${built.url}/api/v1/pipelines/runs/no-such-run/plan`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("PIPELINE_RUN_NOT_FOUND");
    const unknown = await fetch(`${built.url}/api/v1/pipelines/no-such-pipeline`);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("PIPELINE_NOT_FOUND");
  });

  it("cancels a running run and resumes it to success", async () => {
    const { runId } = await call<{ runId: string }>(built.url, "POST", "/api/v1/pipelines/chain/runs", {
      params: { slowMs: 3000 },
    });
    const status = () =>
      call<{ run: { status: string } }>(built.url, "GET", `/api/v1/pipelines/runs/${runId}`);
    const resumeEarly = await fetch(`${built.url}/api/v1/pipelines/runs/${runId}/resume`, { method: "POST" });
    expect(((await resumeEarly.json()) as { error: { code: string } }).error.code).toBe(
      "PIPELINE_RUN_ACTIVE",
    );
    expect(
      (await fetch(`${built.url}/api/v1/pipelines/runs/${runId}/cancel`, { method: "POST" })).status,
    ).toBe(202);
    expect((await status()).run.status).toBe("CANCELLED");
    const resumed = await fetch(`${built.url}/api/v1/pipelines/runs/${runId}/resume`, { method: "POST" });
    expect(resumed.status).toBe(202);
    for (let i = 0; i < 400 && (await status()).run.status === "RUNNING"; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await status()).run.status).toBe("SUCCEEDED");
  });
});
