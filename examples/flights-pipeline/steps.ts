/**
 * Function steps of the flight-delays pipeline. Each reads its staged inputs, writes its declared outputs
 * and may return metrics; gyre runs them in pooled worker processes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { StepContext } from "../../src/pipelines/index.js";

interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
}

const HEADER = "date,hour,distance,origin,delay";

function readCsv(path: string): string[][] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
}

/** Extract: the first `rows` flights of the vega-datasets sample in time order: 80 % train, the later 20 % test. */
export function extract(ctx: StepContext): { metrics: Record<string, number> } {
  // The package exports only its JS entry (build/index.js); the data files sit beside build/.
  const entry = createRequire(import.meta.url).resolve("vega-datasets");
  const file = join(dirname(entry), "..", "data", String(ctx.params.source));
  const flights = (JSON.parse(readFileSync(file, "utf8")) as Flight[]).slice(0, Number(ctx.params.rows));
  flights.sort((a, b) => a.date.localeCompare(b.date));
  const line = (f: Flight) => [f.date, Number(f.date.slice(11, 13)), f.distance, f.origin, f.delay].join(",");
  const cut = Math.floor(flights.length * 0.8);
  const early = flights.slice(0, cut);
  const late = flights.slice(cut);
  writeFileSync(ctx.outputs.train!, [HEADER, ...early.map(line)].join("\n"));
  writeFileSync(ctx.outputs.test!, [HEADER, ...late.map(line)].join("\n"));
  return { metrics: { train_rows: early.length, test_rows: late.length } };
}

/** Validate: refuses (without retries) data with missing or absurd values; reports a small profile. */
export async function validate(ctx: StepContext): Promise<void> {
  const { fatal } = await import("../../src/pipelines/index.js");
  const rows = readCsv(ctx.inputs.data as string);
  const bad = rows.filter((r) => r.length !== 5 || r.some((c) => c === "") || Math.abs(Number(r[4])) > 1440);
  if (rows.length === 0 || bad.length > 0) throw fatal(`${bad.length} of ${rows.length} rows are invalid`);
  const delays = rows.map((r) => Number(r[4]));
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  writeFileSync(ctx.outputs.profile!, JSON.stringify({ rows: rows.length, mean_delay: mean }));
}

/** Evaluate: root mean squared error of the model on the test set, against predicting the training mean. */
export function evaluate(ctx: StepContext): void {
  const model = JSON.parse(readFileSync(ctx.inputs.model as string, "utf8")) as {
    coef: number[];
    mean: number;
  };
  const [b0, b1, b2] = model.coef as [number, number, number];
  const rows = readCsv(ctx.inputs.test as string);
  let se = 0;
  let baseline = 0;
  for (const r of rows) {
    const y = Number(r[4]);
    se += (b0 + b1 * Number(r[2]) + b2 * Number(r[1]) - y) ** 2;
    baseline += (model.mean - y) ** 2;
  }
  const rmse = Math.sqrt(se / rows.length);
  const baselineRmse = Math.sqrt(baseline / rows.length);
  writeFileSync(
    ctx.outputs.metrics!,
    JSON.stringify({ rmse, baseline_rmse: baselineRmse, improvement: baselineRmse - rmse }),
  );
}

/** Split by airport: one CSV per origin among the `top` busiest (a list output to fan out over). */
export function byOrigin(ctx: StepContext): void {
  const rows = readCsv(ctx.inputs.data as string);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r[3]!, (counts.get(r[3]!) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(ctx.params.top));
  for (const [origin] of top) {
    const mine = rows.filter((r) => r[3] === origin).map((r) => r.join(","));
    writeFileSync(join(ctx.outputs.airports!, `${origin}.csv`), [HEADER, ...mine].join("\n"));
  }
}

/** Per-airport statistics (one fan-out instance per airport). */
export function airportStats(ctx: StepContext): void {
  const path = ctx.inputs.airport as string;
  const rows = readCsv(path);
  const delays = rows.map((r) => Number(r[4]));
  const late = delays.filter((d) => d > 15).length / delays.length;
  writeFileSync(
    ctx.outputs.stats!,
    JSON.stringify({ origin: rows[0]?.[3], flights: rows.length, late_share: late }),
  );
}

/** Fan-in: the airport with the largest share of late departures. */
export function report(ctx: StepContext): void {
  const stats = (ctx.inputs.stats as string[]).map(
    (p) => JSON.parse(readFileSync(p, "utf8")) as { origin: string; late_share: number },
  );
  const worst = stats.reduce((a, b) => (b.late_share > a.late_share ? b : a));
  console.log(`latest airport: ${worst.origin} (${(worst.late_share * 100).toFixed(1)} % late)`);
  writeFileSync(
    ctx.outputs.summary!,
    JSON.stringify({ airports: stats.length, worst_late_share: worst.late_share }),
  );
}
