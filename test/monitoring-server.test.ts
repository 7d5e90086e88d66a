/**
 * Monitoring through the real server and the real CLI: feedback over HTTP (one, many, malformed, unknown),
 * a monitor run over HTTP, Prometheus gauges on /metrics, `gyre monitor …` and `gyre feedback --file`, and
 * the HTML report rendered in headless Chromium.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feedbackItemsFromCsv, parseCsv } from "../src/cli/commands/feedback.js";
import { parseMonitor } from "../src/monitoring/index.js";
import { definePipeline, param, triggersFor } from "../src/pipelines/index.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { nap } from "./fixtures/pipelines/defs.js";
import { gyre, json } from "./harness/cli.js";
import { flightRows, HOUR } from "./harness/monitoring.js";
import { writePredictionLog } from "./harness/prediction-log.js";
import { freshConfig, tempDir } from "./harness/stores.js";

const CHROMIUM = "/usr/bin/chromium";
/** Hours relative to now, so that the CLI's clock sees a shifted hour as the last complete window. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const rebase = (rows: ReturnType<typeof flightRows>) =>
  rows.map((r) => ({ ...r, ts: r.ts - Date.UTC(2026, 0, 5) + BASE }));

const monitorDef = {
  name: "flights-drift",
  deployment: "flights",
  window: { type: "time", size: "1h" },
  reference: { type: "window", from: BASE, to: BASE + 2 * HOUR },
  quality: { maxMissingShare: 0.2 },
  alert: { severity: "warning", cooldown: "1h", actions: [{ type: "log" }] },
} as const;

/** Started by the pipeline-side alert trigger; `feature` comes from the alert. */
const retrain = definePipeline({
  name: "retrain",
  params: { feature: param.string("") },
  build: (p) => void p.step(nap),
});

let server: RunningServer;
let root: string;
let store: string;
let artifacts: string;
let projectDir: string;

beforeAll(async () => {
  const config = await freshConfig("sqlite");
  store = config.store;
  artifacts = config.artifacts;
  root = fileURLToPath(config.artifacts);
  await writePredictionLog(
    root,
    rebase([...flightRows("flights", 0, 300), ...flightRows("flights", 1, 300)]),
  );
  // The shifted hours run up to the current one, so the last complete hour is shifted even when the clock
  // passes an hour boundary while the tests run.
  await writePredictionLog(
    root,
    rebase([
      ...flightRows("flights", 2, 300, 2),
      ...flightRows("flights", 3, 300, 2),
      ...flightRows("flights", 4, 300, 2),
    ]),
  );
  server = await startServer(config, { monitors: [parseMonitor(monitorDef)], pipelines: [retrain] });
  // A pipeline-side alert trigger: monitoring's alerts reach it as well as the monitor's own actions.
  await (await triggersFor(server.pipelines)).add({
    name: "retrain-on-drift",
    pipeline: "retrain",
    on: { kind: "alert", deployment: "flights" },
  });
  projectDir = tempDir("gyre-monitor-project-");
  writeFileSync(
    join(projectDir, "gyre.config.ts"),
    `export default {};\nexport const monitors = [${JSON.stringify(monitorDef)}];\n`,
  );
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("monitoring over HTTP", () => {
  it("accepts one or many feedback items and reports unmatched ones", async () => {
    const row = flightRows("flights", 3, 300, 2)[5]!;
    expect(
      (
        await post("/api/v1/monitoring/feedback", {
          deployment: "flights",
          request_id: row.requestId,
          row_index: 1,
          label: 1,
        })
      ).body,
    ).toEqual({ accepted: 1, matched: 1, unmatched: [] });
    const many = await post("/api/v1/monitoring/feedback", {
      deployment: "flights",
      items: [
        { request_id: row.requestId, row_index: 0, label: 0 },
        { request_id: "missing-request", label: 1 },
      ],
    });
    expect(many.body).toEqual({ accepted: 2, matched: 1, unmatched: ["req:missing-request#0"] });
    const status = await fetch(`${server.url}/api/v1/monitoring/feedback?deployment=flights`).then((r) =>
      r.json(),
    );
    expect(status).toMatchObject({ total: 3, matched: 2, unmatched: [{ key: "req:missing-request#0" }] });
  });

  it("compares the deployment's variants over HTTP and names a bad option's field", async () => {
    const res = await fetch(`${server.url}/api/v1/monitoring/deployments/flights/variants?window=24h`);
    expect(res.status).toBe(200);
    const c = (await res.json()) as { baseline: string; window: { kind: string }; variants: unknown[] };
    expect(c).toMatchObject({
      deployment: "flights",
      baseline: "primary",
      alpha: 0.05,
      window: { kind: "time" },
    });
    // The log's last hour runs into the future: the 24 h up to now hold only part of it.
    expect(c.variants).toEqual([
      expect.objectContaining({ variant: "primary", shadow: false, versions: ["1"], vsBaseline: null }),
    ]);
    const rows = (c.variants[0] as { predictions: number }).predictions;
    expect(rows).toBeGreaterThanOrEqual(1200);
    expect(rows).toBeLessThanOrEqual(1500);
    const bad = await fetch(`${server.url}/api/v1/monitoring/deployments/flights/variants?alpha=2`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "MONITOR_INVALID", field: "alpha" } });
  });

  it("rejects malformed feedback with the field and how to fix it, and keeps serving", async () => {
    const bad = await post("/api/v1/monitoring/feedback", {
      deployment: "flights",
      items: [{ request_id: "a", label: { nested: true } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "MONITOR_FEEDBACK_INVALID", field: "items[0].label" });
    const noKey = await post("/api/v1/monitoring/feedback", { deployment: "flights", label: 1 });
    expect(noKey.body.error).toMatchObject({
      code: "MONITOR_FEEDBACK_INVALID",
      field: "items[0].request_id",
    });
    const badDeployment = await post("/api/v1/monitoring/feedback", {
      deployment: "../etc",
      request_id: "a",
      label: 1,
    });
    expect(badDeployment.body.error).toMatchObject({
      code: "MONITOR_INVALID_DEPLOYMENT",
      field: "deployment",
    });
    expect((await post("/api/v1/monitoring/feedback", "{not json")).status).toBe(400);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("runs a monitor over HTTP and exposes drift scores and alert states on /metrics", async () => {
    const run = await post("/api/v1/monitoring/monitors/flights-drift/run", {});
    expect(run.status).toBe(200);
    const report = run.body.report as { driftedFeatures: string[] };
    expect(report.driftedFeatures).toEqual(["distance"]);
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /gyre_monitoring_drift_score\{deployment="flights",feature="distance",metric="ks"\} [0-9.e-]+/,
    );
    expect(metrics).toMatch(
      /gyre_monitoring_alert_firing\{deployment="flights",monitor="flights-drift",feature="distance",metric="ks",severity="warning"\} 1/,
    );
    const alerts = await fetch(`${server.url}/api/v1/monitoring/alerts?state=firing`).then((r) => r.json());
    const firing = (alerts as { alerts: { feature: string; actions: { type: string; runId?: string }[] }[] })
      .alerts;
    expect(firing.map((a) => a.feature)).toEqual(["distance"]);
    const started = firing[0]!.actions.find((a) => a.type === "trigger");
    expect(started?.runId).toBeTruthy();
    const triggered = await server.pipelines.status(started!.runId!);
    expect(triggered.run.params).toEqual({ feature: "distance" });
    const results = await fetch(`${server.url}/api/v1/monitoring/results?feature=distance&metric=ks`).then(
      (r) => r.json(),
    );
    expect((results as { results: { drifted: boolean }[] }).results[0]).toMatchObject({ drifted: true });
    const adhoc = await fetch(
      `${server.url}/api/v1/monitoring/deployments/flights/drift?window=300&reference=first:600&features=distance,origin`,
    ).then((r) => r.json());
    expect(adhoc).toMatchObject({ status: "ok", driftedFeatures: ["distance"], window: { rows: 300 } });
    const badRef = await fetch(
      `${server.url}/api/v1/monitoring/deployments/flights/drift?reference=yesterday`,
    );
    expect(badRef.status).toBe(400);
    expect(((await badRef.json()) as { error: unknown }).error).toMatchObject({
      code: "MONITOR_INVALID",
      field: "reference",
    });
    const badWindow = await fetch(`${server.url}/api/v1/monitoring/deployments/flights/drift?window=1y`);
    expect(((await badWindow.json()) as { error: unknown }).error).toMatchObject({
      code: "MONITOR_INVALID_WINDOW",
    });
    const unknown = await post("/api/v1/monitoring/monitors/nope/run", {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "MONITOR_NOT_FOUND" });
  });
});

describe("gyre monitor and gyre feedback", () => {
  const cli = (args: string[]) =>
    gyre([...args, "--store", store, "--artifacts", artifacts], { cwd: projectDir });

  it("runs a monitor, shows status, and fails clearly for an unknown monitor", async () => {
    const run = await cli(["monitor", "run", "flights-drift"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/distance\s+ks\s+[0-9.e-]+\s+0\.05\s+DRIFT/);
    const status = json<{ monitors: { monitor: { name: string }; firing: { feature: string }[] }[] }>(
      await cli(["monitor", "status", "--json"]),
    );
    expect(status.monitors.map((m) => [m.monitor.name, m.firing.map((a) => a.feature)])).toEqual([
      ["flights-drift", ["distance"]],
    ]);
    const bad = await cli(["monitor", "run", "nope"]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/Monitor 'nope' is not defined in gyre.config.ts \(known: flights-drift\)/);
  });

  it("compares variants from the CLI, as a table and as JSON", async () => {
    const table = await cli(["monitor", "variants", "flights", "--window", "24h"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/baseline primary, alpha 0\.05/);
    expect(table.stdout).toMatch(/primary\s+1\s+\d{4}\s+\d+\s+1\.00\s+1\.00\s+.*baseline/);
    const out = json<{ variants: { variant: string }[] }>(
      await cli(["monitor", "variants", "flights", "--json"]),
    );
    expect(out.variants.map((v) => v.variant)).toEqual(["primary"]);
    const bad = await cli(["monitor", "variants", "flights", "--task", "ranking"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/task must be classification or regression, not 'ranking'/);
  });

  it("loads labels from CSV by request id (CLI) and by entity key and timestamp", async () => {
    const rows = rebase(flightRows("flights", 3, 300, 2));
    const byRequest = [
      "request_id,row_index,label",
      ...rows.slice(0, 20).map((r) => `${r.requestId},${r.rowIndex},${r.outputs.late}`),
      "unknown-id,0,1",
    ].join("\n");
    writeFileSync(join(projectDir, "labels.csv"), byRequest);
    const res = json<{ accepted: number; matched: number; unmatched: string[] }>(
      await cli(["feedback", "--file", "labels.csv", "--deployment", "flights", "--json"]),
    );
    expect(res).toEqual({ accepted: 21, matched: 20, unmatched: ["req:unknown-id#0"] });
    const e = rows[40]!;
    const csv = `flight,when,delayed\n"${(e.entityKey as { flight: string }).flight}",${new Date(e.ts + 5000).toISOString()},1\n`;
    const opts = { labelColumn: "delayed", entityKey: "flight", timestampColumn: "when" };
    const items = feedbackItemsFromCsv(csv, opts);
    expect((await post("/api/v1/monitoring/feedback", { deployment: "flights", items })).body).toEqual({
      accepted: 1,
      matched: 1,
      unmatched: [],
    });
    expect(() => feedbackItemsFromCsv(csv, { ...opts, labelColumn: "label" })).toThrow(/No 'label' column/);
    expect(parseCsv('a,b\n"x, ""y""",2\r\n')).toEqual([
      ["a", "b"],
      ['x, "y"', "2"],
    ]);
  });

  it("writes a small self-contained HTML report that renders in headless Chromium", async (ctx) => {
    const out = join(projectDir, "report");
    const res = json<{ html: string; markdown: string; bytes: number; drifted: string[] }>(
      await cli([
        "monitor",
        "report",
        "flights",
        "--window",
        "1h",
        "--reference",
        `${new Date(BASE).toISOString()}..${new Date(BASE + 2 * HOUR).toISOString()}`,
        "--out",
        out,
        "--json",
      ]),
    );
    expect(res.drifted).toEqual(["distance"]);
    expect(res.bytes).toBeLessThan(60_000);
    const md = readFileSync(res.markdown, "utf8");
    expect(md).toMatch(/\*\*1 of 4 features drifted\*\*: distance/);
    const html = readFileSync(res.html, "utf8");
    expect(html).not.toMatch(/<script|https?:\/\//);
    if (!existsSync(CHROMIUM))
      ctx.skip(`headless check skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${res.html}`);
      expect(await page.title()).toBe("gyre monitoring — flights");
      expect(await page.locator("figure svg").count()).toBe(4);
      expect(await page.locator("tr.drift td").first().textContent()).toBe("distance");
      const box = await page.locator("figure svg").first().boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      mkdirSync(join(projectDir, "shots"), { recursive: true });
      await page.screenshot({ path: join(projectDir, "shots", "report.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
