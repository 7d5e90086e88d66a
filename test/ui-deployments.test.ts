/**
 * The web UI's Deployments pages in a real Chromium against a real gyre server and a real serving data plane
 * (ONNX Runtime): a deployment with a 20% canary created on the data plane, predictions sent to it while the
 * pages are open, an alias move seen live, and a data plane that is down. Figures on screen are checked
 * against the public API. Screenshots land in test/.screenshots/.
 */
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GyreConfig } from "../src/core/config.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { type RunningServing, resolveServingConfig, startServing } from "../src/serving/index.js";
import { buildUi, launchBrowser, openPage, type WatchedPage } from "./harness/browser.js";
import { abLog, HOUR } from "./harness/monitoring.js";
import { writePredictionLog } from "./harness/prediction-log.js";
import { freshConfig } from "./harness/stores.js";
import {
  createDeployment,
  DEPLOYMENT,
  MODEL,
  predict,
  registerVersions,
  setAlias,
} from "./harness/ui-deployments-seed.js";
import { call } from "./harness/ui-seed.js";

const DEAD = "http://127.0.0.1:9";

let config: GyreConfig;
let uiDir: string;
let server: RunningServer;
let plane: RunningServing;
let browser: Browser;
let current: WatchedPage | null = null;
let traffic: Promise<void> = Promise.resolve();
let sending = true;

/** Keeps a trickle of predictions going while the pages are open, so that rates are above zero. */
async function trickle(): Promise<void> {
  while (sending) {
    await predict(plane.url, 5);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  config = await freshConfig("sqlite");
  [uiDir, plane] = await Promise.all([
    buildUi(),
    startServing({
      config,
      serving: resolveServingConfig({
        port: 0,
        workers: 1,
        pollIntervalMs: 100,
        predictionLog: { enabled: false },
      }),
    }),
  ]);
  server = await startServer(config, { servingUrls: [plane.url], ui: uiDir });
  await registerVersions(server.url, 2);
  await setAlias(server.url, "champion", 1, "first model");
  await setAlias(server.url, "challenger", 2, "retrained on March");
  await createDeployment(plane.url);
  await predict(plane.url, 20);
  traffic = trickle();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  sending = false;
  await traffic.catch(() => undefined);
  await browser?.close();
  await server?.close();
  await plane?.close();
});

async function visit(
  path: string,
  options: { colorScheme?: "light" | "dark"; base?: string } = {},
): Promise<Page> {
  current = await openPage(browser, { colorScheme: options.colorScheme ?? "light", height: 1000 });
  await current.page.goto((options.base ?? server.url) + path);
  return current.page;
}

afterEach(async () => {
  const errors = current?.errors ?? [];
  await current?.page.context().close();
  current = null;
  expect(errors).toEqual([]);
});

const number = (text: string | null) => Number((text ?? "").replace(/[^\d.]/g, "") || "0");

describe("Deployments page", () => {
  it("lists deployments with their split, live requests/s and requests served; opens one from the keyboard", async () => {
    const page = await visit("/deployments");
    const row = page.getByTestId(`deployment-${DEPLOYMENT}`);
    await row.waitFor();
    expect(await row.locator("td").nth(1).textContent()).toBe("primary v1 80% · canary v2 20%");
    await expect.poll(async () => number(await row.locator("td").nth(4).textContent())).toBeGreaterThan(20);
    await expect
      .poll(async () => row.locator("td").nth(2).textContent(), { timeout: 10_000 })
      .toMatch(/^[\d.]+\/s$/);
    expect(await page.getByRole("link", { name: "Deployments" }).getAttribute("aria-current")).toBe("page");
    await current!.shot("deployments-list");
    await row.getByRole("link", { name: DEPLOYMENT }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/deployments/${DEPLOYMENT}`);
    await page.getByTestId("traffic-split").waitFor();
  });

  it("shows the split, live figures per version with charts, and the version timeline", async () => {
    const page = await visit(`/deployments/${DEPLOYMENT}`);
    const split = page.getByTestId("traffic-split");
    await split.waitFor();
    const segs = split.locator(".split-seg");
    expect(await segs.allTextContents()).toEqual(["primary 80%", "canary 20%"]);
    const styles = await Promise.all([0, 1].map((n) => segs.nth(n).getAttribute("style")));
    expect(styles.map((st) => /width: ([\d.]+%)/.exec(st ?? "")?.[1])).toEqual(["80%", "20%"]);
    expect(await split.getByRole("link", { name: `${MODEL} v1` }).getAttribute("href")).toBe(
      `/models/${MODEL}/versions/1`,
    );
    expect(await split.getByRole("link", { name: `${MODEL} v2` }).getAttribute("href")).toBe(
      `/models/${MODEL}/versions/2`,
    );
    // Live: requests served match the data plane's counters; rates and latencies appear after two readings.
    const primary = page.getByTestId("live-primary-1");
    await primary.waitFor();
    const cells = primary.locator("td");
    await expect.poll(async () => number(await cells.nth(6).textContent())).toBeGreaterThan(10);
    await expect.poll(async () => cells.nth(2).textContent(), { timeout: 10_000 }).toMatch(/^[\d.]+\/s$/);
    expect(number(await cells.nth(2).textContent())).toBeGreaterThan(0);
    await expect.poll(async () => cells.nth(4).textContent()).toMatch(/ms$/);
    expect(
      number(await page.getByTestId("live-canary-2").locator("td").nth(6).textContent()),
    ).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByTestId("live-charts").locator(".uplot").count(), { timeout: 10_000 })
      .toBe(2);
    // The timeline: the same events as the API, newest first, with a marker per deployment change.
    const api = await call<{ timeline: { events: { kind: string; summary: string }[] } }>(
      server.url,
      "GET",
      `/api/v1/deployments/${DEPLOYMENT}`,
    );
    const rows = page.getByTestId("timeline-events").locator("tbody tr");
    expect(await rows.count()).toBe(api.timeline.events.length);
    expect(await rows.locator("td:nth-child(3)").allTextContents()).toEqual(
      api.timeline.events.map((e) => e.summary),
    );
    expect(await rows.first().textContent()).toContain(`canary started: ${MODEL}@challenger at 20%`);
    expect(await page.getByTestId("timeline-marker").count()).toBe(
      api.timeline.events.filter((e) => e.kind === "deployment").length,
    );
    expect(await page.getByRole("link", { name: "drift, performance and alerts" }).getAttribute("href")).toBe(
      `/monitoring/${DEPLOYMENT}`,
    );
    await current!.shot("deployment-light");
  });

  it("renders the dark theme", async () => {
    const page = await visit(`/deployments/${DEPLOYMENT}`, { colorScheme: "dark" });
    await page.getByTestId("live-charts").locator(".uplot").nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    await current!.shot("deployment-dark");
  });

  it("follows an alias move live: the split serves the new version and the timeline records it", async () => {
    const page = await visit(`/deployments/${DEPLOYMENT}`);
    const split = page.getByTestId("traffic-split");
    await split.waitFor();
    const primary = split.locator("tr[data-variant=primary]");
    expect(await primary.textContent()).toContain(`${MODEL} v1`);
    await setAlias(server.url, "champion", 2, "canary won");
    await expect.poll(() => primary.textContent(), { timeout: 10_000 }).toContain(`${MODEL} v2`);
    const first = page.getByTestId("timeline-events").locator("tbody tr").first();
    await expect.poll(() => first.textContent()).toContain(`${MODEL}@champion v1 → v2`);
    expect(await first.textContent()).toContain("canary won");
    // The data plane follows too: the primary variant now answers with version 2.
    await expect.poll(() => page.getByTestId("live-primary-2").count(), { timeout: 10_000 }).toBe(1);
  });

  it("shows an A/B split with a shadow", async () => {
    await call(plane.url, "POST", "/api/v1/deployments", {
      name: "delay-ab",
      ab: {
        variants: [
          { name: "control", model: `${MODEL}/1`, weight: 3 },
          { name: "treatment", model: `${MODEL}/2`, weight: 7 },
        ],
      },
      shadow: { model: `${MODEL}@challenger`, sampleRate: 0.5 },
    });
    // A day of logged answers with ground truth: control right on 90 %, treatment on 70 %, the shadow on 87.5 %.
    const ab = abLog("delay-ab", Date.now() - 3 * HOUR, { base: "control", other: "treatment" });
    await writePredictionLog(fileURLToPath(config.artifacts), ab.rows);
    await call(server.url, "POST", "/api/v1/monitoring/feedback", {
      deployment: "delay-ab",
      items: ab.labels,
    });
    const page = await visit("/deployments/delay-ab");
    const split = page.getByTestId("traffic-split");
    await split.waitFor();
    expect(await split.locator(".split-seg").allTextContents()).toEqual(["control 30%", "treatment 70%"]);
    // Variants compared: the same figures as the API, control the baseline, treatment significantly worse.
    const compared = page.getByTestId("variants-compared");
    await compared.locator("tr[data-variant=treatment]").waitFor();
    const api = await call<{ variants: { variant: string; predictions: number; labelled: number }[] }>(
      server.url,
      "GET",
      "/api/v1/monitoring/deployments/delay-ab/variants?window=24h&baseline=control",
    );
    const rows = compared.locator("tbody tr");
    expect(await rows.locator("td:first-child").allTextContents()).toEqual([
      "control",
      "treatment",
      "shadow",
    ]);
    expect(api.variants.map((v) => [v.variant, v.predictions, v.labelled])).toEqual([
      ["control", 200, 200],
      ["treatment", 200, 200],
      ["shadow", 200, 200],
    ]);
    const treatment = compared.locator("tr[data-variant=treatment]");
    expect(await treatment.locator("td").nth(6).textContent()).toBe("accuracy 0.700");
    expect(await treatment.locator("td").nth(7).textContent()).toMatch(
      /^accuracy -0\.200, p = 1\.1e-6 worse at α = 0\.05$/,
    );
    expect(await compared.locator("tr[data-variant=shadow] td").nth(7).textContent()).toMatch(
      /^accuracy -0\.025, p = 0\.3017 not significant$/,
    );
    expect(await compared.locator("tr[data-variant=control] td").nth(7).textContent()).toBe("baseline");
    expect(await split.locator("tr[data-variant=shadow]").textContent()).toContain("50% mirrored");
    const first = page.getByTestId("timeline-events").locator("tbody tr").first();
    expect(await first.textContent()).toContain(
      `created: control ${MODEL}/1 30% · treatment ${MODEL}/2 70% · shadow ${MODEL}@challenger`,
    );
    await current!.shot("deployment-ab-shadow");
  });

  it("extends a version's lineage graph with the deployment serving it, which opens its page", async () => {
    const page = await visit(`/models/${MODEL}/versions/2`);
    const graph = page.getByTestId("lineage");
    const node = graph.locator(".react-flow__node", { hasText: DEPLOYMENT });
    await node.waitFor();
    // v2 is the canary (and, once the alias-move test has run, the primary too).
    expect(await node.textContent()).toMatch(new RegExp(`^deployment${DEPLOYMENT} \\(.*canary 20%\\)$`));
    await current!.shot("version-lineage-deployment");
    await node.click();
    await page.waitForURL(`**/deployments/${DEPLOYMENT}`);
    await page.getByTestId("traffic-split").waitFor();
  });

  it("says plainly when the serving data plane is down, without an error page", async () => {
    const blind = await startServer(config, { servingUrls: [DEAD], ui: uiDir });
    try {
      const page = await visit(`/deployments/${DEPLOYMENT}`, { base: blind.url });
      const notice = page.getByTestId("live-unreachable");
      await notice.waitFor();
      expect(await notice.textContent()).toContain(`Cannot reach the serving data plane at ${DEAD}`);
      expect(await page.getByRole("alert").count()).toBe(0);
      expect(await page.getByTestId("traffic-split").locator(".split-seg").count()).toBe(2);
      await current!.shot("deployment-unreachable");
      await page.getByRole("link", { name: "Deployments", exact: true }).first().click();
      const listNotice = page.getByTestId("live-unreachable");
      await expect.poll(() => listNotice.textContent()).toContain(`(${DEAD}) is not reachable`);
      expect(await page.getByTestId(`deployment-${DEPLOYMENT}`).locator("td").nth(2).textContent()).toBe("—");
    } finally {
      // The page stops polling before its server goes away, so that no failed fetch is logged.
      const errors = current?.errors ?? [];
      await current?.page.context().close();
      current = null;
      await blind.close();
      expect(errors).toEqual([]);
    }
  });
});
