/**
 * The web UI's Monitoring deployment page in Chromium against a gyre server on SQLite holding the most
 * stored results the page loads at once: 10,000 values = `features` × (1 drift score + 4 data-quality
 * shares) per window × `windows` windows, plus the live distributions of a prediction log.
 *
 *   npx tsx bench/ui-monitoring.ts [--features 50] [--windows 40] [--repeat 3]
 *
 * Figures (median of `repeat` fresh page loads): navigation start → every chart drawn, painted and the
 * main thread free (target ≤ 2 s, like the runs page); ceiling: the app shell alone (a page with no data).
 * Prints a table and writes bench/results/ui-monitoring.json.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { DEFAULTS, type GyreConfig } from "../src/core/config.js";
import type { MetricPoint } from "../src/monitoring/index.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { buildUi, launchBrowser } from "../test/harness/browser.js";
import { tempDir } from "../test/harness/stores.js";
import { type Figure, figure, table, writeResults } from "./report.js";

const { values: args } = parseArgs({
  options: {
    features: { type: "string", default: "50" },
    windows: { type: "string", default: "40" },
    repeat: { type: "string", default: "3" },
  },
});
const FEATURES = Number(args.features);
const WINDOWS = Number(args.windows);
const REPEAT = Number(args.repeat);
const HOUR = 3_600_000;
const QUALITY = ["missing_share", "out_of_range_share", "unseen_share", "type_error_share"];
const AFTER_PAINT = "new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))";

/** Hourly windows ending now: a KS p-value and four quality shares per feature (none of them all zero). */
async function seed(server: RunningServer): Promise<number> {
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const points: MetricPoint[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const windowEnd = end - w * HOUR;
    const base = { deployment: "bench", monitor: "bench-drift", windowStart: windowEnd - HOUR, windowEnd };
    for (let f = 0; f < FEATURES; f++) {
      const feature = `f${String(f).padStart(3, "0")}`;
      const p = Math.abs(Math.sin(w * 7 + f));
      points.push({
        ...base,
        evaluatedTime: windowEnd,
        rows: 1000,
        feature,
        metric: "ks",
        fingerprint: "ks",
        status: "ok",
        value: p,
        statistic: 1 - p,
        pValue: p,
        threshold: 0.05,
        drifted: p < 0.05,
      });
      for (const metric of QUALITY)
        points.push({
          ...base,
          evaluatedTime: windowEnd,
          rows: 1000,
          feature,
          metric,
          fingerprint: metric,
          status: "ok",
          value: ((w + f) % 10) / 100,
          statistic: null,
          pValue: null,
          threshold: null,
          drifted: null,
        });
    }
  }
  await server.monitoring!.store.writeResults(points);
  return points.length;
}

async function fresh(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

/** Navigation start → the drift chart and all four quality charts drawn, painted and idle. */
async function deploymentPage(browser: Browser, url: string): Promise<number> {
  const page = await fresh(browser);
  await page.goto(`${url}/monitoring/bench?reference=first:1`);
  await page.waitForFunction(
    `document.querySelectorAll('[data-testid="charts-quality"] .uplot').length === 4 &&
     document.querySelectorAll('[data-testid="charts-drift"] .uplot').length === 1 &&
     document.querySelectorAll('[data-testid="drift-table"] tbody tr').length === ${FEATURES}`,
    undefined,
    { timeout: 60_000 },
  );
  const t = await page.evaluate<number>(AFTER_PAINT);
  await page.context().close();
  return t;
}

async function shell(browser: Browser, url: string): Promise<number> {
  const page = await fresh(browser);
  await page.goto(`${url}/bench/no-such-page`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  const t = await page.evaluate<number>(AFTER_PAINT);
  await page.context().close();
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = tempDir("gyre-bench-ui-monitoring-");
  const config: GyreConfig = {
    ...DEFAULTS,
    store: `sqlite://${join(dir, "gyre.db")}`,
    artifacts: `file://${join(dir, "artifacts")}`,
    server: { ...DEFAULTS.server, port: 0 },
    logLevel: "warn",
  };
  const server = await startServer(config, { ui: await buildUi() });
  const browser = await launchBrowser();
  try {
    const stored = await seed(server);
    const pages: number[] = [];
    const shells: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      shells.push(await shell(browser, server.url));
      pages.push(await deploymentPage(browser, server.url));
    }
    const figures: Figure[] = [
      figure({
        backend: "chromium",
        name: `monitoring page interactive (${stored.toLocaleString("en-US")} stored values, ${FEATURES} features × ${WINDOWS} windows)`,
        unit: "ms",
        value: median(pages),
        target: 2000,
        better: "lower",
        ceiling: median(shells),
        detail: { samples: pages, shellSamples: shells, note: "ofCeiling = value / app-shell time" },
      }),
    ];
    const meta = {
      features: FEATURES,
      windows: WINDOWS,
      stored,
      repeat: REPEAT,
      cpus: cpus().length,
      loadavg: loadavg(),
      date: new Date().toISOString(),
    };
    writeResults("ui-monitoring", meta, figures);
    process.stdout.write(`\n${table(figures)}\n\nJSON: bench/results/ui-monitoring.json\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
