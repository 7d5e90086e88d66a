/**
 * Monitoring benchmark.
 *
 * 1. Drift: PSI + KS + chi-squared over 120 columns (100 numeric, 20 categorical) of 100k reference vs 100k
 *    current rows, from raw values (sorting and counting included). Target ≤ 1 s. The same computations
 *    with numpy/scipy in a python3 subprocess (bench/monitoring_scipy.py; skipped with a message when python3
 *    or scipy is missing) on the same data: gyre must be ≥ 3× faster and agree to 1e-6.
 * 2. Prediction log: rows/s written as Parquet partitions in the serving contract's layout, and rows/s the
 *    monitor reads back through DuckDB (bench/monitoring-log.ts).
 *
 *   npm run bench:monitoring -- [--rows 100000] [--numeric 100] [--categorical 20] [--log-rows 200000]
 *
 * Prints a table and writes bench/results/monitoring.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  categoricalColumn,
  computeDrift,
  type DriftMetricConfig,
  driftMetricConfig,
  numericDrift,
  sortPoolStatus,
} from "../src/monitoring/index.js";
import { categoryCodes, normals, prng } from "./monitoring-data.js";
import { benchLog } from "./monitoring-log.js";
import { type Figure, figure, table, writeResults } from "./report.js";

const DRIFT_TARGET_S = 1;
const SPEEDUP_TARGET = 3;
const CATEGORIES = 12;
const BINS = 10;

interface Data {
  refNum: Float64Array[];
  curNum: Float64Array[];
  refCat: Int32Array[];
  curCat: Int32Array[];
}

function makeData(rows: number, numeric: number, categorical: number): Data {
  const rand = prng(7);
  const shift = (j: number) => (j % 10 === 0 ? 0.05 : 0);
  return {
    refNum: Array.from({ length: numeric }, () => normals(rand, rows, 0)),
    curNum: Array.from({ length: numeric }, (_, j) => normals(rand, rows, shift(j))),
    refCat: Array.from({ length: categorical }, () => categoryCodes(rand, rows, CATEGORIES, 0)),
    curCat: Array.from({ length: categorical }, (_, j) =>
      categoryCodes(rand, rows, CATEGORIES, j % 5 === 0 ? 0.3 : 0),
    ),
  };
}

/** The prediction log holds strings: categorical columns are counted from string values, as in production. */
function toStrings(codes: Int32Array): string[] {
  const names = Array.from({ length: CATEGORIES }, (_, i) => `cat-${i}`);
  return Array.from(codes, (c) => names[c]!);
}

type Values = { numeric: number[][]; categorical: number[][] };

/**
 * Numeric features go to the sort pool (numericDrift): each column sorted once (shared by KS and PSI), pairs
 * spread over all cores; categories are counted from strings in this thread while the workers run.
 */
async function gyreDrift(
  data: Data,
  refStr: string[][],
  curStr: string[][],
): Promise<{ seconds: number; cpuSeconds: number; values: Values }> {
  const ks: DriftMetricConfig = driftMetricConfig("ks");
  const psi = driftMetricConfig({ method: "psi", bins: BINS });
  const chi2 = driftMetricConfig("chi2");
  const values: Values = { numeric: [], categorical: [] };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const pairs = data.refNum.map((reference, j) => ({
    reference,
    current: data.curNum[j]!,
    configs: [ks, psi],
  }));
  const measuring = numericDrift(pairs);
  const counted = refStr.map((ref, j) => [categoricalColumn(ref), categoricalColumn(curStr[j]!)] as const);
  for (const { drift } of await measuring) {
    const [k, p] = drift;
    values.numeric.push([k!.statistic!, k!.pValue!, p!.score!]);
  }
  for (const [ref, cur] of counted) {
    const r = { kind: "categorical", column: ref } as const;
    const c = { kind: "categorical", column: cur } as const;
    const t = computeDrift(chi2, r, c);
    values.categorical.push([t.statistic!, t.pValue!, computeDrift(psi, r, c).score!]);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, values };
}

interface Scipy {
  seconds: number;
  numeric: number[][];
  categorical: number[][];
  versions: Record<string, string>;
}

function scipyDrift(data: Data, dir: string, rows: number): Scipy | string {
  const file = join(dir, "columns.bin");
  const parts = [...data.refNum, ...data.curNum, ...data.refCat, ...data.curCat].map(
    (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
  );
  writeFileSync(file, Buffer.concat(parts));
  const script = new URL("./monitoring_scipy.py", import.meta.url).pathname;
  const args = [
    script,
    file,
    ...[data.refNum.length, data.refCat.length, rows, CATEGORIES, BINS].map(String),
  ];
  for (const python of ["python3", "/usr/bin/python3"]) {
    const run = spawnSync(python, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status === 0) return JSON.parse(run.stdout) as Scipy;
    if (run.error === undefined && /ModuleNotFoundError/.test(run.stderr)) continue;
    if (run.error === undefined) return `${python} failed: ${run.stderr.trim().split("\n").pop()}`;
  }
  return "python3 with numpy and scipy not found (apt-get install python3-scipy)";
}

function maxDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((row, i) => {
    row.forEach((v, k) => {
      d = Math.max(d, Math.abs(v - b[i]![k]!));
    });
  });
  return d;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      rows: { type: "string", default: "100000" },
      numeric: { type: "string", default: "100" },
      categorical: { type: "string", default: "20" },
      "log-rows": { type: "string", default: "200000" },
    },
  });
  const rows = Number(args.rows);
  const dir = mkdtempSync(join(tmpdir(), "gyre-bench-monitoring-"));
  const figures: Figure[] = [];
  const detail: Record<string, unknown> = {};
  try {
    log(`generating ${args.numeric} numeric + ${args.categorical} categorical columns × ${rows} rows × 2`);
    const data = makeData(rows, Number(args.numeric), Number(args.categorical));
    const refStr = data.refCat.map(toStrings);
    const curStr = data.curCat.map(toStrings);
    await gyreDrift(makeData(20000, 8, 2), refStr.slice(0, 2), curStr.slice(0, 2));
    const pool = sortPoolStatus();
    detail.sortWorkers = pool.workers;
    log(`gyre: PSI + KS + chi² over all columns (sorting on this thread + ${pool.workers} worker thread(s))`);
    if (pool.unavailable) log(`sort workers unavailable: ${pool.unavailable}`);
    const gyre = await gyreDrift(data, refStr, curStr);
    const cols = data.refNum.length + data.refCat.length;
    const name = `PSI + KS + chi² over ${cols} columns, ${rows} vs ${rows} rows`;
    figures.push(
      figure({
        backend: "gyre",
        name,
        unit: "ms",
        value: gyre.seconds * 1000,
        target: DRIFT_TARGET_S * 1000,
        better: "lower",
      }),
    );
    figures.push(
      figure({
        backend: "gyre",
        name: "CPU time of the above, all threads (less sensitive to load)",
        unit: "ms",
        value: gyre.cpuSeconds * 1000,
        target: null,
        better: "lower",
      }),
    );
    log("scipy: the same computations");
    const py = scipyDrift(data, dir, rows);
    if (typeof py === "string") {
      log(`skipping the scipy comparison: ${py}`);
      detail.scipy = py;
    } else {
      const diff = Math.max(
        maxDiff(gyre.values.numeric, py.numeric),
        maxDiff(gyre.values.categorical, py.categorical),
      );
      detail.scipy = { versions: py.versions, maxAbsDiff: diff };
      figures.push(
        figure({
          backend: "scipy",
          name,
          unit: "ms",
          value: py.seconds * 1000,
          target: null,
          better: "lower",
        }),
      );
      log(
        `speed-up ${(py.seconds / gyre.seconds).toFixed(2)}×, max |gyre − scipy| = ${diff.toExponential(2)}`,
      );
      figures.push(
        figure({
          backend: "gyre",
          name: "speed-up over numpy/scipy",
          unit: "×",
          value: py.seconds / gyre.seconds,
          target: SPEEDUP_TARGET,
          better: "higher",
          detail: { maxAbsDiff: diff },
        }),
      );
      figures.push(
        figure({
          backend: "gyre",
          name: "max |gyre − scipy| over all values, in 1e-9",
          unit: "e-9",
          value: diff * 1e9,
          target: 1000,
          better: "lower",
        }),
      );
    }
    figures.push(...(await benchLog(dir, Number(args["log-rows"]), log)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    rows,
    loadavg: loadavg(),
    ...detail,
  };
  writeResults("monitoring", meta, figures);
  process.stdout.write(
    `\n${table(figures)}\n\nload average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\n`,
  );
  process.stdout.write("JSON: bench/results/monitoring.json\n");
}

await main();
