/**
 * The web UI's Monitoring and Features pages in a real Chromium against a real gyre server: monitoring data
 * from a prediction log written by serving's writer, feedback and monitor runs over HTTP; features applied
 * and materialized into the server's stores. Every figure on screen is checked against the public API.
 * Screenshots land in test/.screenshots/.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/server/index.js";
import { buildUi, launchBrowser, openPage, type WatchedPage } from "./harness/browser.js";
import { freshConfig, tempDir } from "./harness/stores.js";
import { seedFeatures, uiFeatureDefinitions } from "./harness/ui-features-seed.js";
import {
  flightsMonitor,
  type MonitoringSeed,
  retrain,
  seedMonitoring,
} from "./harness/ui-monitoring-seed.js";
import { call } from "./harness/ui-seed.js";

interface Alert {
  id: string;
  feature: string;
  state: string;
  actions: { type: string; runId?: string }[];
}

let server: RunningServer;
let browser: Browser;
let seed: MonitoringSeed;
let current: WatchedPage | null = null;

beforeAll(async () => {
  const featuresDir = tempDir("gyre-ui-features-");
  const [uiDir, config] = await Promise.all([
    buildUi(),
    freshConfig("sqlite", { onlineStore: `sqlite://${join(featuresDir, "online.db")}` }),
  ]);
  server = await startServer(config, {
    monitors: [flightsMonitor],
    pipelines: [retrain],
    features: uiFeatureDefinitions(),
    featuresDir,
    ui: uiDir,
  });
  await seedFeatures(server.features!, featuresDir);
  seed = await seedMonitoring(server.url, fileURLToPath(config.artifacts));
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function visit(path: string, options: { colorScheme?: "light" | "dark" } = {}): Promise<Page> {
  current = await openPage(browser, { ...options, height: 1000 });
  await current.page.goto(server.url + path);
  return current.page;
}

afterEach(async () => {
  const errors = current?.errors ?? [];
  await current?.page.context().close();
  current = null;
  expect(errors).toEqual([]);
});

describe("Monitoring page", () => {
  it("seeds a drift that fires and resolves, and a shift that keeps firing", () => {
    expect(seed.drifted[0]).toEqual([]);
    expect(seed.drifted[1]).toContain("distance");
    expect(seed.drifted[3]).toContain("origin");
    expect(seed.drifted[3]).not.toContain("distance");
  });

  it("lists deployments with a prediction log or a monitor over HTTP", async () => {
    const { deployments } = await call<{ deployments: unknown[] }>(
      server.url,
      "GET",
      "/api/v1/monitoring/deployments",
    );
    expect(deployments).toEqual([
      {
        deployment: "flights",
        logged: true,
        monitors: ["flights-drift"],
        firing: 1,
        lastEvaluated: expect.any(Number),
      },
      { deployment: "taxi", logged: true, monitors: [], firing: 0, lastEvaluated: null },
    ]);
  });

  it("lists deployments, monitors with their firing alerts and the latest alerts of all deployments", async () => {
    const page = await visit("/monitoring");
    const deployments = page.getByTestId("deployments").locator("tbody tr");
    await expect.poll(() => deployments.count()).toBe(2);
    expect(await deployments.nth(1).textContent()).toMatch(/^taxiyes—/);
    const monitors = page.getByTestId("monitors");
    await monitors.waitFor();
    const row = monitors.locator("tbody tr");
    expect(await row.count()).toBe(1);
    const firing = await call<{ alerts: Alert[] }>(
      server.url,
      "GET",
      "/api/v1/monitoring/alerts?state=firing",
    );
    expect(await row.textContent()).toContain(`${firing.alerts.length} firing`);
    expect(await row.textContent()).toContain("first:600");
    const all = await call<{ alerts: Alert[] }>(server.url, "GET", "/api/v1/monitoring/alerts");
    await expect.poll(() => page.getByTestId("alerts").locator("tbody tr").count()).toBe(all.alerts.length);
    await current!.shot("monitoring-list");
  });
});

describe("a deployment's monitoring page", () => {
  it("shows the latest drift, drift and performance over time, alerts and what they triggered", async () => {
    const page = await visit("/monitoring/flights");
    const table = page.getByTestId("drift-table");
    await table.waitFor();
    const results = await call<{
      results: { feature: string; metric: string; windowEnd: number; drifted: boolean | null }[];
    }>(server.url, "GET", "/api/v1/monitoring/results?deployment=flights&limit=10000");
    const feedback = await call<{ total: number; matched: number }>(
      server.url,
      "GET",
      "/api/v1/monitoring/feedback?deployment=flights",
    );
    expect(feedback.total).toBe(1200);
    await expect
      .poll(() => page.locator(".facts").textContent())
      .toContain(`${feedback.total} labels, ${feedback.matched} matched`);
    const newest = Math.max(...results.results.map((r) => r.windowEnd));
    const latest = results.results.filter((r) => r.windowEnd === newest && r.drifted !== null);
    expect(await table.locator("tbody tr").count()).toBe(latest.length);
    const driftRows = table.locator("tbody tr", { has: page.locator(".badge-drift") });
    const shownDrifted = (await driftRows.locator("td:first-child").allTextContents()).sort();
    expect(shownDrifted).toEqual(
      latest
        .filter((r) => r.drifted)
        .map((r) => r.feature)
        .sort(),
    );
    expect(shownDrifted).toEqual(["origin"]);
    // One chart per drift method, the performance scores, and the data-quality shares that moved.
    const methods = new Set(latest.map((r) => r.metric));
    await expect.poll(() => page.getByTestId("charts-drift").locator(".uplot").count()).toBe(methods.size);
    expect(await page.getByTestId("charts-performance").locator(".uplot").count()).toBeGreaterThan(0);
    // Quality shares that stayed zero are named, not drawn: here only out_of_range_share moved (hour 3).
    expect(await page.getByTestId("charts-quality").locator(".uplot").count()).toBe(1);
    expect(await page.getByTestId("quality-zero").textContent()).toBe(
      "Zero in every window: missing_share, type_error_share, unseen_share",
    );
    // The ks chart has a line for distance.
    const ks = page.getByTestId("charts-drift").locator(".uplot", { hasText: "ks" });
    expect(await ks.locator(".u-legend").textContent()).toContain("distance");

    const alerts = page.getByTestId("alerts").locator("tbody tr");
    const api = await call<{ alerts: Alert[] }>(
      server.url,
      "GET",
      "/api/v1/monitoring/alerts?deployment=flights",
    );
    expect(await alerts.count()).toBe(api.alerts.length);
    const resolved = api.alerts.find((a) => a.feature === "distance")!;
    expect(resolved.state).toBe("resolved");
    const runId = resolved.actions.find((a) => a.type === "pipeline")!.runId!;
    const row = alerts.filter({ hasText: "distance" });
    expect(await row.locator(".badge-resolved").count()).toBe(1);
    await page.getByTestId("dist-distance").waitFor();
    await current!.shot("monitoring-deployment");
    // The seeded windows are from January 2026: the last 24 hours have none, and the URL keeps the choice.
    await page.getByLabel("Period").selectOption("24h");
    await page.waitForURL(/period=24h/);
    await expect.poll(() => table.count()).toBe(0);
    expect(await page.getByText("No drift results stored for this period").count()).toBe(1);
    expect(await page.getByTestId("charts-drift").count()).toBe(0);
    await page.getByLabel("Period").selectOption("all");
    await expect.poll(() => table.locator("tbody tr").count()).toBe(latest.length);
    await row.getByTestId("alert-run-link").click();
    await page.waitForURL(`**/pipelines/runs/${runId}`);
    await page.getByText("retrain").first().waitFor();
  });

  it("overlays reference and current distributions for any window and reference, as the drift API does", async () => {
    const page = await visit("/monitoring/flights");
    const live = page.getByTestId("live-window");
    await live.waitFor();
    // The monitor's own window and reference by default: the last 300 rows against the first 600.
    expect(await live.textContent()).toMatch(/^300 rows .* vs 600 reference rows/);
    expect(await page.getByTestId("dist-origin").locator(".badge-drift").count()).toBe(1);
    expect(await page.getByTestId("dist-distance").locator("rect.cur").count()).toBeGreaterThan(5);
    await page.getByRole("textbox", { name: "Window", exact: true }).fill("600");
    await page.getByRole("textbox", { name: "Reference", exact: true }).fill("first:300");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.waitForURL(/window=600/);
    await expect.poll(() => live.textContent()).toMatch(/^600 rows .* vs 300 reference rows/);
    const api = await call<{ driftedFeatures: string[]; features: { feature: string }[] }>(
      server.url,
      "GET",
      "/api/v1/monitoring/deployments/flights/drift?window=600&reference=first:300",
    );
    for (const f of api.features) {
      const badge = page.getByTestId(`dist-${f.feature}`).locator(".badge-drift");
      await expect.poll(() => badge.count()).toBe(api.driftedFeatures.includes(f.feature) ? 1 : 0);
    }
    await current!.shot("monitoring-distributions");
  });

  it("evaluates a deployment without a monitor on demand", async () => {
    const page = await visit("/monitoring/taxi?window=200&reference=first:200", { colorScheme: "dark" });
    await expect
      .poll(() => page.getByTestId("live-window").textContent())
      .toMatch(/^200 rows .* vs 200 reference rows/);
    expect(await page.getByText("No drift results stored for this period").count()).toBe(1);
    expect(await page.getByTestId("dist-distance").locator(".badge-drift").count()).toBe(1);
    await current!.shot("monitoring-taxi-dark");
  });

  it("explains a bad reference in place and keeps working", async () => {
    const page = await visit("/monitoring/flights?window=300&reference=yesterday");
    const box = page.getByRole("alert");
    await box.waitFor();
    expect(await box.textContent()).toContain("MONITOR_INVALID");
    current!.errors.splice(0); // the 400 answer is logged by the browser; it is the point of this test
  });
});

describe("Features page", () => {
  interface Stats {
    rowCount: number;
    onlineRows: number;
    features: { name: string; nullRate: number; mean?: number | null; top?: { value: string }[] }[];
  }

  it("lists views with entity, source, TTL, typed features, statistics and freshness; services, entities, sources", async () => {
    const page = await visit("/features");
    const views = page.getByTestId("views");
    await views.waitFor();
    const stats = await call<Stats>(server.url, "GET", "/api/v1/features/views/airport_stats/stats");
    const row = page.getByTestId("view-airport_stats");
    await expect.poll(() => row.locator("td").nth(5).textContent()).toBe(String(stats.rowCount));
    const cells = await row.locator("td").allTextContents();
    expect(cells.slice(1, 4)).toEqual(["airport", "airport_hourly", "10000 w"]);
    expect(cells[4]).toContain("avg_delay: float");
    expect(cells[4]).toContain("flights: int");
    expect(cells[6]).toBe(String(stats.onlineRows));
    expect(await row.locator(".badge").textContent()).toBe("fresh");
    const peaks = page.getByTestId("view-airport_peaks");
    await expect.poll(() => peaks.locator(".badge").textContent()).toBe("expired");
    expect(await peaks.locator("td").nth(3).textContent()).toBe("2 h");
    expect(await page.getByTestId("services").textContent()).toContain("delay_model");
    expect(await page.getByTestId("services").textContent()).toContain("airport_stats:avg_delay");
    expect(await page.getByTestId("entities").textContent()).toContain("origin: string");
    expect(await page.getByTestId("sources").textContent()).toContain("airports.parquet");
    expect(await page.getByTestId("on-demand").textContent()).toContain("scheduled_hour: int");
    await current!.shot("features-list");
  });

  it("shows a view's definition, per-feature statistics and freshness, and the services using it", async () => {
    const page = await visit("/features");
    await page.getByTestId("services").getByRole("link", { name: "airport_stats" }).first().click();
    await page.waitForURL(/\/features\/views\/airport_stats$/);
    const table = page.getByTestId("feature-stats");
    await table.waitFor();
    const stats = await call<Stats>(server.url, "GET", "/api/v1/features/views/airport_stats/stats");
    const avg = stats.features.find((f) => f.name === "avg_delay")!;
    const avgRow = table.locator("tr", { hasText: "avg_delay" });
    await expect
      .poll(() => avgRow.locator("td").nth(2).textContent())
      .toBe(`${(avg.nullRate * 100).toFixed(1)}%`);
    expect(await avgRow.locator("td").nth(4).textContent()).toBe(String(Number(avg.mean!.toPrecision(4))));
    const dest = stats.features.find((f) => f.name === "busiest_dest")!;
    expect(await table.locator("tr", { hasText: "busiest_dest" }).textContent()).toContain(
      dest.top![0]!.value,
    );
    expect(await page.locator(".facts").first().textContent()).toContain("delay_model");
    expect(await page.getByTestId("freshness").textContent()).toContain(`Online entities${stats.onlineRows}`);
    await current!.shot("features-view");
  });

  it("says which definition is missing", async () => {
    const page = await visit("/features/views/nope");
    const box = page.getByRole("alert");
    await box.waitFor();
    expect(await box.textContent()).toContain("FEATURES_VIEW_NOT_FOUND");
    current!.errors.splice(0); // the browser logs the 404 answers; showing them is the point of this test
  });
});

describe("Run now", () => {
  it("runs a monitor from the Monitoring page and shows its new last run", async () => {
    type Status = { monitors: { state: { lastRunTime: number; lastStatus: string } }[] };
    const before = await call<Status>(server.url, "GET", "/api/v1/monitoring/monitors");
    const page = await visit("/monitoring");
    const row = page.getByTestId("monitors").locator("tbody tr");
    const lastRun = row.locator("td").nth(5);
    await expect.poll(() => lastRun.textContent()).toMatch(/\(ok\)$/);
    const shownBefore = await lastRun.textContent();
    // Past the second the page shows, so the new time differs on screen.
    await new Promise((r) => setTimeout(r, 1000));
    await row.getByRole("button", { name: "Run now" }).click();
    await expect.poll(() => lastRun.textContent()).not.toBe(shownBefore);
    const after = await call<Status>(server.url, "GET", "/api/v1/monitoring/monitors");
    expect(after.monitors[0]!.state.lastRunTime).toBeGreaterThan(before.monitors[0]!.state.lastRunTime);
    expect(await lastRun.textContent()).toMatch(/\(ok\)$/);
    expect(await row.getByRole("button", { name: "Run now" }).isEnabled()).toBe(true);
  });
});
