/**
 * Web UI benchmark in Chromium (Debian's `chromium`, via playwright-core) against a gyre server on SQLite:
 * one experiment of 10,000 runs × 20 metrics (+ 5 params), and one run with a 100,000-point metric.
 *
 *   npm run bench:ui -- [--runs 10000] [--metrics 20] [--points 100000] [--repeat 3] [--fresh]
 *
 * Seeding takes about a minute on 2 cores; the seeded store is kept in the temp directory and reused by
 * later runs with the same sizes (`--fresh` seeds again).
 *
 * Figures (median of `repeat` fresh page loads, times from the browser's own performance marks):
 * - runs page time-to-interactive: navigation start → first rows painted and the main thread free
 *   (`gyre:runs-interactive`); target ≤ 2 s. Ceiling: the app shell alone (a page with no data).
 * - scrolling: the grid scrolled through every run at 400 px per frame while pages of runs load;
 *   p95 frame time (target ≤ 50 ms) and the share of frames over 50 ms.
 * - 100,000-point chart: the history's arrival (resource timing `responseEnd`) → uPlot's draw
 *   (`gyre:chart:<metric>`): JSON parse, smoothing pass and drawing; target ≤ 1 s.
 * Prints a table and writes bench/results/ui.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { DEFAULTS, type GyreConfig } from "../src/core/config.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { buildUi, launchBrowser } from "../test/harness/browser.js";
import { type Figure, figure, table, writeResults } from "./report.js";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    metrics: { type: "string", default: "20" },
    points: { type: "string", default: "100000" },
    repeat: { type: "string", default: "3" },
    fresh: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const METRICS = Number(args.metrics);
const POINTS = Number(args.points);
const REPEAT = Number(args.repeat);
const BACKEND = "chromium";
/** Scroll speed: 400 px per frame ≈ 24,000 px/s at 60 Hz, i.e. a fast fling through 12 rows a frame. */
const SCROLL_PX = 400;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Seeds through the tracking service of the server (one transaction per run, batched like log-batch). */
async function seed(
  server: RunningServer,
): Promise<{ experimentId: string; bigRunId: string; seconds: number }> {
  const t0 = performance.now();
  const t = server.tracking;
  const experimentId = (await t.createExperiment(`ui-bench-${Date.now()}`)).experimentId;
  const now = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const run = await t.createRun({ experimentId, runName: `run-${i}`, startTime: now - i * 1000 });
    await t.logBatch(run.info.runId, {
      metrics: Array.from({ length: METRICS }, (_, m) => ({
        key: `metric_${String(m).padStart(2, "0")}`,
        value: Math.sin(i * (m + 1)) + m,
        timestamp: now,
        step: 0,
      })),
      params: Array.from({ length: 5 }, (_, p) => ({ key: `param_${p}`, value: String((i * (p + 3)) % 17) })),
    });
  }
  const big = await t.createRun({ experimentId, runName: "long-training" });
  for (let from = 0; from < POINTS; from += 1000) {
    const metrics = Array.from({ length: Math.min(1000, POINTS - from) }, (_, k) => {
      const step = from + k;
      return {
        key: "loss",
        value: 1 / (1 + step / 1000) + 0.05 * Math.sin(step),
        timestamp: now + step,
        step,
      };
    });
    await t.logBatch(big.info.runId, { metrics });
  }
  return { experimentId, bigRunId: big.info.runId, seconds: (performance.now() - t0) / 1000 };
}

async function fresh(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

/*
 * In-page code is passed as source text: it runs in Chromium, not in Node (no DOM types here, and no
 * helpers the TypeScript loader would inject into a function's source).
 */
const AFTER_PAINT = "new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))";

async function markTime(page: Page, name: string): Promise<number> {
  const q = JSON.stringify(name);
  await page.waitForFunction(`performance.getEntriesByName(${q}).length > 0`, undefined, { timeout: 60_000 });
  return page.evaluate<number>(`performance.getEntriesByName(${q})[0].startTime`);
}

/** App shell only: the not-found view, painted and idle (the floor any page can reach). */
async function shell(browser: Browser, url: string): Promise<number> {
  const page = await fresh(browser);
  await page.goto(`${url}/bench/no-such-page`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  const t = await page.evaluate<number>(AFTER_PAINT);
  await page.context().close();
  return t;
}

async function runsPage(browser: Browser, url: string, experimentId: string) {
  const page = await fresh(browser);
  await page.goto(`${url}/experiments/${experimentId}`);
  const tti = await markTime(page, "gyre:runs-interactive");
  return { page, tti };
}

/** Scrolls the grid to the bottom at `px` per animation frame, stopping once the bottom stays the bottom. */
const SCROLL = (px: number) => `new Promise((resolve) => {
  const grid = document.querySelector('[data-testid="runs-grid"]');
  const count = document.querySelector('[data-testid="run-count"]');
  const frames = [];
  let last = performance.now();
  let moved = true;
  let still = 0;
  const tick = (now) => {
    // Only frames that followed a scroll step count; frames spent waiting at the bottom for a page do not.
    if (moved) frames.push(now - last);
    last = now;
    const before = grid.scrollTop;
    grid.scrollTop += ${px};
    moved = grid.scrollTop !== before;
    still = moved ? 0 : still + 1;
    const more = count.textContent.includes("+");
    if ((more || still < 10) && still < 1200 && frames.length < 20000) requestAnimationFrame(tick);
    else resolve({ frames: frames.slice(1), rows: grid.querySelectorAll("tbody tr").length, loaded: count.textContent });
  };
  requestAnimationFrame(tick);
})`;

interface Scrolled {
  frames: number[];
  rows: number;
  loaded: string;
}

const HISTORY_TIMING = `(() => {
  const e = performance.getEntriesByType("resource").find((r) => r.name.includes("/metrics/loss/history"));
  return e ? { start: e.startTime, end: e.responseEnd } : null;
})()`;

async function chart(browser: Browser, url: string, runId: string) {
  const page = await fresh(browser);
  await page.goto(`${url}/runs/${runId}?tab=metrics`);
  const drawn = await markTime(page, "gyre:chart:loss");
  const fetched = await page.evaluate<{ start: number; end: number } | null>(HISTORY_TIMING);
  await page.context().close();
  if (!fetched) throw new Error("history request not seen");
  return { render: drawn - fetched.end, fetch: fetched.end - fetched.start };
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `gyre-bench-ui-${RUNS}x${METRICS}x${POINTS}`);
  const marker = join(dir, "seeded.json");
  if (args.fresh || !existsSync(marker)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config: GyreConfig = {
    ...DEFAULTS,
    store: `sqlite://${join(dir, "gyre.db")}`,
    artifacts: `file://${join(dir, "artifacts")}`,
    server: { ...DEFAULTS.server, port: 0 },
    logLevel: "warn",
  };
  const uiDir = await buildUi();
  const server = await startServer(config, { ui: uiDir });
  const browser = await launchBrowser();
  try {
    let s: Awaited<ReturnType<typeof seed>>;
    if (existsSync(marker)) {
      s = JSON.parse(readFileSync(marker, "utf8")) as typeof s;
      process.stdout.write(`reusing the store seeded earlier in ${dir} (--fresh seeds again)\n`);
    } else {
      process.stdout.write(`seeding ${RUNS} runs × ${METRICS} metrics and a ${POINTS}-point metric…\n`);
      s = await seed(server);
      writeFileSync(marker, JSON.stringify(s));
      process.stdout.write(`seeded in ${s.seconds.toFixed(1)} s\n`);
    }
    process.stdout.write(`measuring in Chromium (${REPEAT}×)…\n`);
    const shells: number[] = [];
    const ttis: number[] = [];
    const renders: number[] = [];
    const fetches: number[] = [];
    let scrolled: Scrolled = { frames: [], rows: 0, loaded: "" };
    for (let i = 0; i < REPEAT; i++) {
      shells.push(await shell(browser, server.url));
      const { page, tti } = await runsPage(browser, server.url, s.experimentId);
      ttis.push(tti);
      if (i === 0) scrolled = await page.evaluate<Scrolled>(SCROLL(SCROLL_PX));
      await page.context().close();
      const c = await chart(browser, server.url, s.bigRunId);
      renders.push(c.render);
      fetches.push(c.fetch);
    }
    // Every run once: a page fetched twice while scrolling would show more runs than there are.
    if (scrolled.loaded !== `${RUNS + 1} runs`)
      throw new Error(
        `after scrolling to the end the table shows "${scrolled.loaded}", not ${RUNS + 1} runs`,
      );
    const frames = [...scrolled.frames].sort((a, b) => a - b);
    const p95 = frames[Math.floor(frames.length * 0.95)] ?? 0;
    const slow = frames.filter((f) => f > 50).length / Math.max(1, frames.length);
    const shellMs = median(shells);
    const tti = median(ttis);
    const figures: Figure[] = [
      figure({
        backend: BACKEND,
        name: `runs page interactive (${RUNS} runs × ${METRICS} metrics)`,
        unit: "ms",
        value: tti,
        target: 2000,
        better: "lower",
        ceiling: shellMs,
        detail: { samples: ttis, shellSamples: shells, note: "ofCeiling = value / app-shell time" },
      }),
      figure({
        backend: BACKEND,
        name: "app shell interactive (no data)",
        unit: "ms",
        value: shellMs,
        target: null,
        better: "lower",
      }),
      figure({
        backend: BACKEND,
        name: `scroll frame p95 (to the end of ${scrolled.loaded})`,
        unit: "ms",
        value: p95,
        target: 50,
        better: "lower",
        detail: {
          frames: frames.length,
          median: median(frames),
          max: frames[frames.length - 1],
          rowsInDom: scrolled.rows,
        },
      }),
      figure({
        backend: BACKEND,
        name: "scroll frames over 50 ms",
        unit: "%",
        value: slow * 100,
        target: null,
        better: "lower",
      }),
      figure({
        backend: BACKEND,
        name: `${POINTS.toLocaleString("en-US")}-point chart render`,
        unit: "ms",
        value: median(renders),
        target: 1000,
        better: "lower",
        detail: { samples: renders },
      }),
      figure({
        backend: BACKEND,
        name: `${POINTS.toLocaleString("en-US")}-point history fetch (API)`,
        unit: "ms",
        value: median(fetches),
        target: null,
        better: "lower",
        detail: { samples: fetches },
      }),
    ];
    const meta = {
      runs: RUNS,
      metrics: METRICS,
      points: POINTS,
      repeat: REPEAT,
      seedSeconds: s.seconds,
      cpus: cpus().length,
      loadavg: loadavg(),
      date: new Date().toISOString(),
    };
    writeResults("ui", meta, figures);
    process.stdout.write(
      `\n${table(figures)}\n\nload average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\n`,
    );
    process.stdout.write("JSON: bench/results/ui.json\n");
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
