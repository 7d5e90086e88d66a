/**
 * The web UI's Deployments pages and the live-stats route in Chromium against a gyre server on SQLite and a
 * real serving data plane (ONNX Runtime) holding `deployments` deployments, each with a 20% canary and
 * traffic on both versions, so that the data plane's /metrics carries every series the page reads.
 *
 *   npx tsx bench/ui-deployments.ts [--deployments 20] [--repeat 3] [--calls 200]
 *
 * Figures: (1) one live-stats reading (scrape the data plane's /metrics over HTTP + parse + rates), median
 * of `calls`; ceiling: fetching the same /metrics text alone. (2) One deployment's figures and series from
 * 600 retained readings (ten minutes at one per second). (3) GET /api/v1/deployments/:name/live, what a
 * deployment's event stream computes every 2 s (at most one scrape per second, shared). (4, 5) navigation start → the list / a deployment's page with its split, live table and
 * timeline drawn, painted and idle (target ≤ 2 s, like the other pages); ceiling: the app shell alone.
 * Prints a table and writes bench/results/ui-deployments.json.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import { DEFAULTS, type GyreConfig } from "../src/core/config.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { LiveStats, type RunningServing, resolveServingConfig, startServing } from "../src/serving/index.js";
import { buildUi, launchBrowser } from "../test/harness/browser.js";
import { tempDir } from "../test/harness/stores.js";
import { MODEL, registerVersions, setAlias } from "../test/harness/ui-deployments-seed.js";
import { call } from "../test/harness/ui-seed.js";
import { type Figure, figure, table, writeResults } from "./report.js";

const { values: args } = parseArgs({
  options: {
    deployments: { type: "string", default: "20" },
    repeat: { type: "string", default: "3" },
    calls: { type: "string", default: "200" },
  },
});
const DEPLOYMENTS = Number(args.deployments);
const REPEAT = Number(args.repeat);
const CALLS = Number(args.calls);
const RETAINED = 600;
const AFTER_PAINT = "new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))";

const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `bench-${String(i).padStart(3, "0")}`);

/** Deployments with a canary on the data plane, and 20 predictions to each so every series exists. */
async function seed(server: RunningServer, plane: RunningServing): Promise<void> {
  await registerVersions(server.url, 2);
  await setAlias(server.url, "champion", 1, "bench");
  await setAlias(server.url, "challenger", 2, "bench");
  for (const name of names) {
    await call(plane.url, "POST", "/api/v1/deployments", {
      name,
      model: `${MODEL}@champion`,
      canary: { model: `${MODEL}@challenger`, percent: 20 },
    });
  }
  const body = JSON.stringify({ inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [0.3, 0.7] }] });
  await Promise.all(
    names.map(async (name) => {
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${plane.url}/v2/models/${name}/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        if (!res.ok) throw new Error(`predict ${name}: ${res.status} ${await res.text()}`);
      }
    }),
  );
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function fresh(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

async function pageTime(browser: Browser, url: string, ready: string): Promise<number> {
  const page = await fresh(browser);
  await page.goto(url);
  await page.waitForFunction(ready, undefined, { timeout: 60_000 });
  const t = await page.evaluate<number>(AFTER_PAINT);
  await page.context().close();
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

async function measure(browser: Browser, server: RunningServer, plane: RunningServing): Promise<Figure[]> {
  const stats = new LiveStats({ urls: [plane.url], minIntervalMs: 0 });
  stats.deployment(names[0]!); // asked for once: its series are kept from now on
  const scrape = await timed(CALLS, () => stats.refresh());
  const raw = await timed(CALLS, async () => (await fetch(`${plane.url}/metrics`)).text());
  // Ten minutes of readings at the most frequent rate (one per second) are what a long-open page retains.
  await timed(RETAINED - CALLS, () => stats.refresh());
  const history = await timed(50, async () => stats.deployment(names[0]!));
  const route = await timed(CALLS, () => call(server.url, "GET", `/api/v1/deployments/${names[0]}/live`));
  const shells: number[] = [];
  const lists: number[] = [];
  const details: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    shells.push(
      await pageTime(
        browser,
        `${server.url}/bench/no-such-page`,
        "document.querySelector('main h1') !== null",
      ),
    );
    lists.push(
      await pageTime(
        browser,
        `${server.url}/deployments`,
        `document.querySelectorAll('[data-testid="deployments"] tbody tr').length === ${DEPLOYMENTS}`,
      ),
    );
    details.push(
      await pageTime(
        browser,
        `${server.url}/deployments/${names[0]}`,
        `document.querySelectorAll('.split-seg').length === 2 &&
         document.querySelectorAll('[data-testid="live-table"] tbody tr').length === 2 &&
         document.querySelectorAll('[data-testid="timeline-events"] tbody tr').length > 0`,
      ),
    );
  }
  const browserFigure = (name: string, samples: number[]) =>
    figure({
      backend: "chromium",
      name,
      unit: "ms",
      value: median(samples),
      target: 2000,
      better: "lower",
      ceiling: median(shells),
      detail: { samples, shellSamples: shells, note: "ofCeiling = value / app-shell time" },
    });
  return [
    figure({
      backend: "http",
      name: `live-stats reading (scrape + parse + rates, ${DEPLOYMENTS} deployments × 2 versions)`,
      unit: "ms",
      value: median(scrape),
      target: 50,
      better: "lower",
      ceiling: median(raw),
      detail: { p99: p99(scrape), rawP99: p99(raw), note: "ceiling: fetching the /metrics text alone" },
    }),
    figure({
      backend: "memory",
      name: `live figures + series of one deployment from ${RETAINED} retained readings`,
      unit: "ms",
      value: median(history),
      target: 50,
      better: "lower",
      detail: {
        p99: p99(history),
        points: stats.deployment(names[0]!).series.map((x) => x.points.length),
      },
    }),
    figure({
      backend: "sqlite",
      name: "GET /api/v1/deployments/:name/live (what the event stream sends every 2 s)",
      unit: "ms",
      value: median(route),
      target: 50,
      better: "lower",
      detail: { p99: p99(route) },
    }),
    browserFigure(`deployments list interactive (${DEPLOYMENTS} deployments)`, lists),
    browserFigure("deployment page interactive (split, live table, timeline)", details),
  ];
}

async function main(): Promise<void> {
  const dir = tempDir("gyre-bench-ui-deployments-");
  const config: GyreConfig = {
    ...DEFAULTS,
    store: `sqlite://${join(dir, "gyre.db")}`,
    artifacts: `file://${join(dir, "artifacts")}`,
    server: { ...DEFAULTS.server, port: 0 },
    logLevel: "warn",
  };
  const [ui, plane] = await Promise.all([
    buildUi(),
    startServing({
      config,
      serving: resolveServingConfig({ port: 0, workers: 1, predictionLog: { enabled: false } }),
    }),
  ]);
  const server = await startServer(config, { ui, servingUrls: [plane.url] });
  const browser = await launchBrowser();
  try {
    await seed(server, plane);
    const figures = await measure(browser, server, plane);
    const meta = {
      deployments: DEPLOYMENTS,
      repeat: REPEAT,
      calls: CALLS,
      cpus: cpus().length,
      loadavg: loadavg(),
      date: new Date().toISOString(),
    };
    writeResults("ui-deployments", meta, figures);
    process.stdout.write(`\n${table(figures)}\n\nJSON: bench/results/ui-deployments.json\n`);
  } finally {
    await browser.close();
    await server.close();
    await plane.close();
  }
}

await main();
