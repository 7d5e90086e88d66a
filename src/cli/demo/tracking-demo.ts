import type { GyreConfig } from "../../core/config.js";
import type { Run } from "../../metadata/index.js";
import { connect, type Gyre } from "../../sdk/index.js";
import { type RunningServer, startServer } from "../../server/index.js";
import { type Flight, FlightEncoder, loadFlights } from "./flights.js";
import { evaluate, trainLogistic } from "./logistic.js";

export const DEMO_EXPERIMENT = "flights-delay-demo";

export interface DemoOptions {
  /** Fewer configurations and epochs (for the test suite). */
  quick: boolean;
  /** Soft-delete the demo experiment first, so the sweep starts from nothing. */
  fresh: boolean;
  /** Port for the demo's server; 0 picks a free one. */
  port: number;
}

export interface DemoSummary {
  serverUrl: string;
  experimentId: string;
  sweepRunId: string;
  runs: number;
  best: { runId: string; runName: string; params: Record<string, string>; metrics: Record<string, number> };
  searchFilter: string;
  matched: number;
  stages: { name: string; seconds: number }[];
}

/** Prints a line per stage; the CLI passes a writer to stderr (stdout stays clean for --json). */
export type Progress = (line: string) => void;

const GRID = { lr: [0.5, 0.1, 0.02], l2: [0, 0.001] };

async function timed<T>(stages: DemoSummary["stages"], name: string, say: Progress, fn: () => Promise<T>) {
  say(`▶ ${name}`);
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  stages.push({ name, seconds });
  say(`  ✓ ${name} (${seconds.toFixed(1)} s)`);
  return out;
}

/** Splits flights by month: January–February train, March evaluates (time order, no shuffling). */
function split(flights: Flight[]): { train: Flight[]; test: Flight[] } {
  return {
    train: flights.filter((f) => f.date < "2001/03"),
    test: flights.filter((f) => f.date >= "2001/03"),
  };
}

/**
 * The part of gyre's loop that exists today: a tracking server over the workspace stores, a training
 * sweep on real flight data that logs through the SDK over MLflow-compatible HTTP (nested runs, params,
 * per-epoch metrics, dataset input, model artifact), then a search with OR to pick the best run.
 */
export async function runDemo(config: GyreConfig, options: DemoOptions, say: Progress): Promise<DemoSummary> {
  const stages: DemoSummary["stages"] = [];
  const server = await timed(stages, "start tracking server", say, () =>
    startServer({ ...config, logLevel: "warn", server: { ...config.server, port: options.port } }),
  );
  say(`  server at ${server.url} (store ${config.store}, artifacts ${config.artifacts})`);
  const gyre = await connect({ store: server.url });
  try {
    return await sweep(gyre, server, options, stages, say);
  } finally {
    await gyre.close();
    await server.close();
  }
}

async function sweep(
  gyre: Gyre,
  server: RunningServer,
  options: DemoOptions,
  stages: DemoSummary["stages"],
  say: Progress,
): Promise<DemoSummary> {
  if (options.fresh) await freshStart(gyre, say);
  const data = await timed(stages, "load flights (vega-datasets, Jan–Mar 2001)", say, async () => {
    const file = await loadFlights();
    const { train, test } = split(file.flights);
    const encoder = new FlightEncoder(train);
    say(`  ${file.flights.length} flights: ${train.length} train (Jan–Feb), ${test.length} test (Mar)`);
    return { file, train: encoder.encode(train), test: encoder.encode(test), width: encoder.width };
  });
  const epochs = options.quick ? 3 : 12;
  const grid = options.quick ? { lr: [0.5, 0.1], l2: [0] } : GRID;
  const parent = await gyre.startRun({ experiment: DEMO_EXPERIMENT, runName: "sweep", exitHooks: false });
  await parent.logInputs([
    {
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: {
        name: "flights-20k",
        digest: data.file.sha256.slice(0, 16),
        sourceType: "local",
        source: data.file.path,
      },
    },
  ]);
  let runs = 0;
  await timed(stages, "train sweep (logistic regression, nested runs)", say, async () => {
    for (const lr of grid.lr) {
      for (const l2 of grid.l2) {
        const params = { lr, l2, epochs, batch: 256, features: data.width };
        await gyre.withRun(
          { experiment: DEMO_EXPERIMENT, parent, params, runName: `lr=${lr} l2=${l2}` },
          async (run) => {
            const w = trainLogistic(data.train, { lr, l2, epochs, batch: 256 }, (e, loss) =>
              run.logMetric("train_loss", loss, e),
            );
            const ev = evaluate(w, data.test);
            run.logMetrics({ val_accuracy: ev.accuracy, val_auc: ev.auc, val_log_loss: ev.logLoss }, epochs);
            await run.logArtifact(Buffer.from(JSON.stringify({ weights: [...w] })), "model/weights.json");
            say(
              `  run ${++runs}: lr=${lr} l2=${l2} → val_auc ${ev.auc.toFixed(4)}, accuracy ${ev.accuracy.toFixed(4)}`,
            );
          },
        );
      }
    }
  });
  await parent.end();
  const filter = `tags.mlflow.parentRunId = '${parent.runId}' AND (metrics.val_auc > 0.6 OR params.l2 = '0')`;
  const found = await timed(stages, "search runs (filter with OR, order by val_auc)", say, () =>
    gyre.tracking.searchRuns({
      experimentIds: [parent.experimentId],
      filter,
      orderBy: ["metrics.val_auc DESC"],
      maxResults: 100,
    }),
  );
  const best = found.items[0];
  if (!best) throw new Error(`The demo's search '${filter}' matched no runs`);
  return summary(server, parent.experimentId, parent.runId, runs, best, filter, found.items.length, stages);
}

async function freshStart(gyre: Gyre, say: Progress): Promise<void> {
  const existing = await gyre.tracking.getExperimentByName(DEMO_EXPERIMENT);
  if (existing?.lifecycleStage === "active") {
    await gyre.tracking.deleteExperiment(existing.experimentId);
    say(
      `  --fresh: deleted experiment ${existing.experimentId} (restorable with \`gyre experiments restore\`)`,
    );
  }
}

function summary(
  server: RunningServer,
  experimentId: string,
  sweepRunId: string,
  runs: number,
  best: Run,
  searchFilter: string,
  matched: number,
  stages: DemoSummary["stages"],
): DemoSummary {
  return {
    serverUrl: server.url,
    experimentId,
    sweepRunId,
    runs,
    best: {
      runId: best.info.runId,
      runName: best.info.runName,
      params: Object.fromEntries(best.data.params.map((p) => [p.key, p.value])),
      metrics: Object.fromEntries(best.data.metrics.map((m) => [m.key, m.value])),
    },
    searchFilter,
    matched,
    stages,
  };
}
