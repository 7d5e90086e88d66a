/**
 * The web UI in a real Chromium against a real gyre server seeded through the public API: every page
 * loads real data, the filter box (incl. a syntax error explained in place), sorting, keyboard selection,
 * run comparison, an alias move seen live, a pipeline run's DAG updating live; no console errors anywhere.
 * Screenshots land in test/.screenshots/ for a person to look at.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/server/index.js";
import { chain, training } from "./fixtures/pipelines/pipelines.js";
import { buildUi, launchBrowser, openPage, type WatchedPage } from "./harness/browser.js";
import { freshConfig } from "./harness/stores.js";
import { call, type Seeded, seedUi } from "./harness/ui-seed.js";

let server: RunningServer;
let browser: Browser;
let seeded: Seeded;
let trainingRunId: string;
let current: WatchedPage | null = null;
/** Console errors a test expects (e.g. the 400 of a bad filter), cleared after each test. */
let allowed: RegExp[] = [];

async function waitForRun(runId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const s = await call<{ run: { status: string } }>(server.url, "GET", `/api/v1/pipelines/runs/${runId}`);
    if (s.run.status !== "RUNNING") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pipeline run ${runId} did not finish`);
}

beforeAll(async () => {
  const [uiDir, config] = await Promise.all([buildUi(), freshConfig("sqlite")]);
  server = await startServer(config, { pipelines: [training, chain], ui: uiDir });
  seeded = await seedUi(server.url);
  trainingRunId = (
    await call<{ runId: string }>(server.url, "POST", "/api/v1/pipelines/training/runs", {
      params: { rows: 12 },
    })
  ).runId;
  await waitForRun(trainingRunId);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page at `path`; its console is checked after the test. */
async function visit(path: string, options: { colorScheme?: "light" | "dark" } = {}): Promise<Page> {
  current = await openPage(browser, options);
  await current.page.goto(server.url + path);
  return current.page;
}

afterEach(async () => {
  const errors = current?.errors.filter((e) => !allowed.some((a) => a.test(e))) ?? [];
  await current?.page.context().close();
  current = null;
  allowed = [];
  expect(errors).toEqual([]);
});

const rows = (page: Page) => page.locator('[data-testid="runs-grid"] tbody tr');

describe("web UI in Chromium", () => {
  it("lists experiments and opens an experiment's runs", async () => {
    const page = await visit("/");
    await page.waitForURL(/\/experiments$/);
    await page.getByRole("link", { name: "flights-ui" }).click();
    await expect.poll(() => rows(page).count()).toBe(11);
    await expect.poll(() => page.getByTestId("run-count").textContent()).toBe("11 runs");
    expect(await page.locator("thead").first().textContent()).toContain("val_auc");
    await current!.shot("experiments-runs-light");
    const dark = await visit(`/experiments/${seeded.experimentId}`, { colorScheme: "dark" });
    await expect.poll(() => rows(dark).count()).toBe(11);
    expect(await dark.locator("html").getAttribute("data-theme")).toBe("dark");
    await current!.shot("experiments-runs-dark");
  });

  it("filters with OR, explains a syntax error in place, and keeps filters in the URL (back/forward)", async () => {
    const page = await visit(`/experiments/${seeded.experimentId}`);
    await expect.poll(() => rows(page).count()).toBe(11);
    const expected = await call<{ items: unknown[] }>(server.url, "POST", "/api/v1/runs/search", {
      experimentIds: [seeded.experimentId],
      filter: "params.optimizer = 'adam' OR tags.stage = 'prod'",
    });
    const box = page.getByLabel("Filter runs");
    await box.fill("params.optimizer = 'adam' OR tags.stage = 'prod'");
    await box.press("Enter");
    await expect.poll(() => rows(page).count()).toBe(expected.items.length);
    expect(page.url()).toContain("filter=");

    allowed = [/status of 400/];
    await box.fill("metrics.loss > AND");
    await box.press("Enter");
    const error = page.getByTestId("filter-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Invalid filter at position 15/);
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    await current!.shot("runs-filter-error");

    await page.goBack();
    await expect.poll(() => rows(page).count()).toBe(expected.items.length);
    expect(await page.getByTestId("filter-error").count()).toBe(0);
    await page.reload();
    await expect.poll(() => rows(page).count()).toBe(expected.items.length);
    expect(await box.inputValue()).toBe("params.optimizer = 'adam' OR tags.stage = 'prod'");
  });

  it("sorts on the server by a metric column and selects runs from the keyboard", async () => {
    const page = await visit(`/experiments/${seeded.experimentId}`);
    await expect.poll(() => rows(page).count()).toBe(11);
    await page.getByRole("button", { name: "val_auc" }).click();
    await page.waitForURL(/order=metrics.val_auc/);
    const best = await call<{ items: Array<{ info: { runName: string } }> }>(
      server.url,
      "POST",
      "/api/v1/runs/search",
      {
        experimentIds: [seeded.experimentId],
        orderBy: ["metrics.val_auc DESC"],
        maxResults: 1,
      },
    );
    await expect
      .poll(() => rows(page).first().locator("td").nth(1).textContent())
      .toBe(best.items[0]!.info.runName);
    await page.getByRole("grid", { name: "Runs" }).focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Space");
    await expect.poll(() => page.getByRole("button", { name: "Compare (2)" }).isEnabled()).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/runs\/[0-9a-f]+/);
  });

  it("keeps only visible rows in the page and loads further pages while scrolling", async () => {
    const t = server.tracking;
    const exp = await t.createExperiment("ui-many-runs");
    // Distinct start times: the page orders by start time, and runs created in the same millisecond tie.
    const start = Date.now() - 10_000;
    for (let i = 0; i < 450; i++) {
      const run = await t.createRun({
        experimentId: exp.experimentId,
        runName: `many-${i}`,
        startTime: start + i,
      });
      await t.logBatch(run.info.runId, {
        metrics: [{ key: "score", value: i, timestamp: Date.now(), step: 0 }],
      });
    }
    const page = await visit(`/experiments/${exp.experimentId}`);
    await expect.poll(() => page.getByTestId("run-count").textContent()).toBe("200+ runs");
    expect(await rows(page).count()).toBeLessThan(60);
    const grid = page.getByTestId("runs-grid");
    // Scrolls fast (400 px a frame, as a fling does) for 3 s: the table asks for the next page many times
    // before it arrives, and must fetch each page once.
    await page.evaluate(`new Promise((resolve) => {
      const grid = document.querySelector('[data-testid="runs-grid"]');
      let frames = 0;
      const tick = () => { grid.scrollTop += 400; if (++frames < 180) requestAnimationFrame(tick); else resolve(); };
      requestAnimationFrame(tick);
    })`);
    await expect.poll(() => page.getByTestId("run-count").textContent()).toBe("450 runs");
    expect(await rows(page).count()).toBeLessThan(60);
    // To the bottom, again while rows arrive and are measured (the scroll height grows as they do).
    await expect
      .poll(async () => {
        await grid.evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return rows(page).last().locator("td").nth(1).textContent();
      })
      .toBe("many-0");
  });

  it("compares runs: overlaid chart, parallel coordinates, param diff", async () => {
    const page = await visit(`/experiments/${seeded.experimentId}`);
    await expect.poll(() => rows(page).count()).toBe(11);
    for (const name of ["sweep-0", "sweep-1", "sweep-2"]) await page.getByLabel(`Select ${name}`).check();
    await page.getByRole("button", { name: "Compare (3)" }).click();
    await page.waitForURL(/\/compare\?runs=/);
    await page.locator(".chart canvas").first().waitFor();
    expect(await page.locator(".u-legend .u-series").count()).toBe(4);
    expect(await page.locator("svg.parcoords polyline").count()).toBe(3);
    const diff = page.getByTestId("param-diff");
    expect(await diff.locator("tr.differs").filter({ hasText: "optimizer" }).count()).toBe(1);
    await page.getByTestId("compare-metric").selectOption("val_auc");
    await page.waitForURL(/metric=val_auc/);
    await current!.shot("compare");
  });

  it("shows a run: params, children, metric charts with smoothing, artifact previews", async () => {
    const page = await visit(`/runs/${seeded.parentId}`);
    await page.getByRole("link", { name: "child-9" }).waitFor();
    expect(await page.locator(".card", { hasText: "Parameters" }).textContent()).toContain("optimizer");
    await page.getByRole("tab", { name: "Metrics" }).click();
    await expect.poll(() => page.locator(".chart canvas").count()).toBe(2);
    // The checkbox follows the URL: it shows checked once the navigation it starts has landed.
    await page.getByLabel("Log scale").click();
    await page.waitForURL(/log=1/);
    await expect.poll(() => page.getByLabel("Log scale").isChecked()).toBe(true);
    await current!.shot("run-metrics");

    const run0 = await visit(`/runs/${seeded.runIds[0]}?tab=artifacts`);
    await run0.getByRole("button", { name: /eval\// }).click();
    await run0.getByRole("button", { name: "roc.svg" }).click();
    await run0.locator("img.image-preview").waitFor();
    await run0.getByRole("button", { name: "predictions.csv" }).click();
    await expect.poll(() => run0.getByTestId("csv-preview").locator("tbody tr").count()).toBe(2);
    await run0.getByRole("button", { name: "metrics.json" }).click();
    await expect.poll(() => run0.getByTestId("text-preview").textContent()).toContain('"auc": 0.71');
    await current!.shot("run-artifacts");
    await run0.getByRole("tab", { name: "Overview" }).click();
    await run0.getByText("flights-2001-q1").waitFor();
  });

  it("shows models, sees an alias move live, and a version's signature, lineage and package", async () => {
    const page = await visit("/models");
    await page.getByRole("link", { name: seeded.model }).click();
    const alias = page.getByTestId("alias-champion");
    await expect.poll(() => alias.textContent()).toBe("version 1");
    await call(server.url, "PUT", `/api/v1/models/${seeded.model}/aliases/champion`, {
      version: 2,
      reason: "wins the gate",
    });
    await expect.poll(() => alias.textContent(), { timeout: 10_000 }).toBe("version 2");
    await expect.poll(() => page.getByTestId("alias-timeline").textContent()).toContain("wins the gate");
    expect(await page.locator("svg.timeline rect").count()).toBe(2);
    await current!.shot("model");

    await alias.click();
    await page.waitForURL(/\/versions\/2$/);
    await page.getByTestId("signature").getByText("probability").waitFor();
    await expect
      .poll(() => page.getByTestId("lineage").locator(".react-flow__node").count())
      .toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.getByTestId("package").textContent()).toContain("model.onnx");
    await current!.shot("model-version");
  });

  it("shows pipelines, a finished run's DAG with step logs, and a live run's DAG updating over SSE", async () => {
    const page = await visit("/pipelines");
    await page.getByRole("link", { name: "training" }).first().waitFor();
    await page.getByRole("link", { name: trainingRunId.slice(0, 8) }).click();
    await expect.poll(() => page.getByTestId("step-train").getAttribute("data-status")).toBe("SUCCEEDED");
    expect(await page.getByTestId("step-never").getAttribute("data-status")).toBe("SKIPPED");
    await page.getByTestId("steps").getByRole("button", { name: "train" }).click();
    await expect.poll(() => page.getByTestId("step-stdout").textContent()).toContain("trained on 12 rows");
    await current!.shot("pipeline-run");

    const view = await visit("/pipelines/chain");
    await view.getByTestId("definition-dag").waitFor();
    await view.getByLabel("slowMs").fill("1500");
    await view.getByRole("button", { name: "Run chain" }).click();
    await view.waitForURL(/\/pipelines\/runs\/[0-9a-f]+/);
    const live = view.url().split("/").pop()!;
    const c = view.getByTestId("step-c");
    await expect.poll(() => c.getAttribute("data-status"), { timeout: 20_000 }).toBe("RUNNING");
    await current!.shot("pipeline-live");
    await expect
      .poll(() => view.getByTestId("step-d").getAttribute("data-status"), { timeout: 20_000 })
      .toBe("SUCCEEDED");
    await expect.poll(() => view.locator("h1 .badge").textContent()).toBe("SUCCEEDED");
    await view.getByRole("button", { name: "Re-run" }).click();
    await view.waitForURL((u) => u.pathname.startsWith("/pipelines/runs/") && !u.pathname.endsWith(live));
    await view.getByTestId("dag").waitFor();
    const dark = await visit(`/pipelines/runs/${trainingRunId}?step=evaluate`, { colorScheme: "dark" });
    await expect.poll(() => dark.getByTestId("step-evaluate").getAttribute("data-status")).toBe("SUCCEEDED");
    await current!.shot("pipeline-run-dark");
  });

  it("serves deep links to the app and keeps API 404s JSON", async () => {
    const page = await visit(`/models/${seeded.model}/versions/1`);
    await page.getByTestId("signature").waitFor();
    const api = await fetch(`${server.url}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("ENDPOINT_NOT_FOUND");
    const missing = await visit("/no/such/page");
    await missing.getByRole("heading", { name: "Page not found" }).waitFor();
  });
});
