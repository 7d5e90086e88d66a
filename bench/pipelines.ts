/**
 * Pipelines benchmark: orchestration overhead of the local executor (warm worker pool) on SQLite.
 *
 *   npm run bench:pipelines -- [--quick] [--dir <parent of the bench's database, artifacts and work dirs; default: tmp>]
 *
 * 1. A chain of 40 function steps that each sleep 10 ms, end to end (target ≤ 0.6 s; the ideal is the sum
 *    of the sleeps, 0.4 s, reported as the ceiling).
 * 2. Fan-out of 1,000 no-op steps over a list output, then a fan-in step collecting their 1,000 outputs
 *    (target ≤ 3 s; median of the repeats like the others, the first, coldest run kept in the JSON).
 * 3. A fully cached re-run of a 10-step chain that passes a file along (target ≤ 0.3 s).
 * Every step is a real step: a nested tracking run, persisted state transitions, outputs stored with
 * digests. This file is also the step module the workers import (its main only runs as a script).
 * Prints a table and writes bench/results/pipelines.json.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  definePipeline,
  defineStep,
  LocalExecutor,
  openPipelines,
  type PipelineDef,
  type PipelineService,
  param,
  type StepContext,
} from "../src/pipelines/index.js";
import { type Figure, figure, table, writeResults } from "./report.js";

/** Step: sleeps `ms`. */
export async function nap(ctx: StepContext): Promise<void> {
  await sleep(Number(ctx.params.ms));
}

/** Step: writes `n` one-byte files into its list output. */
export function split(ctx: StepContext): void {
  for (let i = 0; i < Number(ctx.params.n); i++) writeFileSync(join(ctx.outputs.items!, `${i}`), "x");
}

/** Step: does nothing but write its one-byte output. */
export function noop(ctx: StepContext): void {
  writeFileSync(ctx.outputs.out!, "y");
}

/** Step: counts its collected inputs. */
export function collect(ctx: StepContext): { metrics: Record<string, number> } {
  const n = (ctx.inputs.all as string[]).length;
  writeFileSync(ctx.outputs.count!, String(n));
  return { metrics: { n } };
}

/** Step: appends its id to the file it passes on. */
export function pass(ctx: StepContext): void {
  const prev = ctx.inputs.in ? readFileSync(ctx.inputs.in as string, "utf8") : "";
  writeFileSync(ctx.outputs.out!, `${prev}${ctx.stepId}\n`);
}

const self = new URL(import.meta.url);
const napStep = defineStep({
  name: "nap",
  module: self,
  export: "nap",
  params: { ms: param.number(10) },
  cache: false,
});
const splitStep = defineStep({
  name: "split",
  module: self,
  export: "split",
  outputs: { items: "file[]" },
  params: { n: param.number(1000) },
});
const noopStep = defineStep({
  name: "noop",
  module: self,
  export: "noop",
  inputs: { item: "file" },
  outputs: { out: "file" },
});
const collectStep = defineStep({
  name: "collect",
  module: self,
  export: "collect",
  inputs: { all: "file[]" },
  outputs: { count: "file" },
});
const firstStep = defineStep({ name: "first", module: self, export: "pass", outputs: { out: "file" } });
const passStep = defineStep({
  name: "pass",
  module: self,
  export: "pass",
  inputs: { in: "file" },
  outputs: { out: "file" },
});

function chainOfNaps(n: number, ms: number): PipelineDef {
  return definePipeline({
    name: `chain-${n}`,
    build(p) {
      let prev: string | null = null;
      for (let i = 0; i < n; i++)
        prev = p.step(napStep, { id: `s${i}`, params: { ms }, after: prev ? [prev] : [] }).id;
    },
  });
}

const fanOut = (n: number) =>
  definePipeline({
    name: `fanout-${n}`,
    build(p) {
      const s = p.step(splitStep, { params: { n } });
      const m = p.map(noopStep, { over: s.outputs.items, as: "item" });
      p.step(collectStep, { inputs: { all: m.outputs.out } });
    },
  });

function passChain(n: number): PipelineDef {
  return definePipeline({
    name: `cached-${n}`,
    build(p) {
      let out = p.step(firstStep, { id: "s0" }).outputs.out;
      for (let i = 1; i < n; i++) out = p.step(passStep, { id: `s${i}`, inputs: { in: out } }).outputs.out;
    },
  });
}

async function timed(
  svc: PipelineService,
  def: PipelineDef,
  noCache: boolean,
): Promise<{ ms: number; statuses: Record<string, number> }> {
  const t0 = performance.now();
  const res = await svc.run(def, { noCache });
  const ms = performance.now() - t0;
  if (res.run.status !== "SUCCEEDED")
    throw new Error(`${def.name} ended ${res.run.status}: ${res.run.error}`);
  const statuses: Record<string, number> = {};
  for (const s of res.steps) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return { ms, statuses };
}

type Sizes = { chain: number; fan: number; cached: number; repeats: number };

/** Runs `def` `n` times; the median time, with every time in run order in `all` and the first in `first`. */
async function median(svc: PipelineService, def: PipelineDef, noCache: boolean, n: number) {
  const runs = [];
  for (let i = 0; i < n; i++) runs.push(await timed(svc, def, noCache));
  const all = runs.map((r) => Math.round(r.ms));
  runs.sort((a, b) => a.ms - b.ms);
  return { ...runs[Math.floor(n / 2)]!, all, first: all[0]! };
}

async function measureChain(svc: PipelineService, size: Sizes): Promise<Figure> {
  const chain = await median(svc, chainOfNaps(size.chain, 10), true, size.repeats);
  const ideal = size.chain * 10;
  return figure({
    backend: "local",
    name: `chain of ${size.chain} × 10 ms steps`,
    unit: "ms",
    value: chain.ms,
    target: 600,
    better: "lower",
    ceiling: ideal,
    detail: {
      idealMs: ideal,
      overheadPerStepMs: (chain.ms - ideal) / size.chain,
      runsMs: chain.all,
      statuses: chain.statuses,
    },
  });
}

async function measureFan(svc: PipelineService, size: Sizes, quick: boolean): Promise<Figure> {
  const fan = await median(svc, fanOut(size.fan), true, size.repeats);
  return figure({
    backend: "local",
    name: `fan-out ${size.fan} no-op + fan-in`,
    unit: "ms",
    value: fan.ms,
    target: quick ? null : 3000,
    better: "lower",
    // runsMs in run order: the first run is the coldest (JIT still warming up on these code paths).
    detail: {
      perStepMs: fan.ms / (size.fan + 2),
      runsMs: fan.all,
      firstMs: fan.first,
      statuses: fan.statuses,
    },
  });
}

async function measureCached(svc: PipelineService, size: Sizes): Promise<Figure> {
  const def = passChain(size.cached);
  await timed(svc, def, true);
  const cached = await median(svc, def, false, size.repeats);
  if (cached.statuses.CACHED !== size.cached)
    throw new Error(`expected ${size.cached} cached steps, got ${JSON.stringify(cached.statuses)}`);
  return figure({
    backend: "local",
    name: `fully cached re-run, ${size.cached} steps`,
    unit: "ms",
    value: cached.ms,
    target: 300,
    better: "lower",
    detail: { runsMs: cached.all, statuses: cached.statuses },
  });
}

function report(figures: Figure[], meta: Record<string, unknown> & { loadavg: number[] }): void {
  writeResults("pipelines", meta, figures);
  const load = meta.loadavg.map((l) => l.toFixed(2)).join(" / ");
  process.stdout.write(`\n${table(figures)}\n\nload average (1/5/15 min): ${load}\n`);
  const runs = figures.map((f) => `${f.name}: ${JSON.stringify(f.detail?.runsMs)}`).join("; ");
  process.stdout.write(
    `medians of repeated runs (in run order, ms: ${runs}); the chain's ceiling is the sum of its sleeps (ideal). JSON: bench/results/pipelines.json\n`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: "boolean", default: false }, dir: { type: "string" } },
  });
  const quick = values.quick ?? false;
  const size: Sizes = quick
    ? { chain: 40, fan: 200, cached: 10, repeats: 1 }
    : { chain: 40, fan: 1000, cached: 10, repeats: 3 };
  const dir = join(values.dir ?? tmpdir(), `gyre-bench-pipelines-${process.pid}`);
  const workers = availableParallelism();
  const executor = new LocalExecutor({ workers });
  await executor.warm();
  const stores = { store: `sqlite://${join(dir, "gyre.db")}`, artifacts: `file://${join(dir, "artifacts")}` };
  const svc = await openPipelines(stores, { executor, workRoot: join(dir, "work") });
  const load0 = loadavg()[0]!;
  // Warm-up over both code paths measured below (a chain, a small fan-out and fan-in).
  await timed(svc, chainOfNaps(3, 1), true);
  await timed(svc, fanOut(20), true);
  const figures = [
    await measureChain(svc, size),
    await measureFan(svc, size, quick),
    await measureCached(svc, size),
  ];
  await svc.close();
  await executor.close();
  rmSync(dir, { recursive: true, force: true });
  for (const f of figures) f.detail = { ...f.detail, loadavg1Before: load0, loadavg1After: loadavg()[0] };
  const cpu = cpus()[0]?.model ?? "unknown";
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpu,
    workers,
    mode: quick ? "quick" : "full",
    dir,
    sizes: size,
    loadavg: loadavg(),
  };
  report(figures, meta);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
