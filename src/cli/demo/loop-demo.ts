import type { GyreConfig } from "../../core/config.js";
import { isGyreError } from "../../core/errors.js";
import type { Run } from "../../metadata/index.js";
import type { ModelVersion, RegistryClient } from "../../registry/index.js";
import { type ActiveRun, connect, type Gyre } from "../../sdk/index.js";
import { startServer } from "../../server/index.js";
import { type Head, type Row, trainTabular } from "../../training/index.js";
import { FLIGHT_SPEC, flightRow, loadFlights } from "./flights.js";

export const DEMO_EXPERIMENT = "flights-delay-demo";
export const DEMO_MODEL = "flights-delay";
const GATE_METRIC = "eval_roc_auc";

export interface DemoOptions {
  /** Fewer rows, configurations and epochs (for the test suite). */
  quick: boolean;
  /** Soft-delete the demo experiment first, so the sweep starts from nothing. */
  fresh: boolean;
  /** Port for the demo's server; 0 picks a free one. */
  port: number;
}

/** What the quality gate decided: the candidate's metric against the champion's (or the 0.5 baseline). */
export interface GateDecision {
  metric: string;
  candidate: number;
  champion: number;
  against: string;
  promoted: boolean;
}

export interface DemoSummary {
  serverUrl: string;
  experimentId: string;
  sweepRunId: string;
  runs: number;
  best: { runId: string; runName: string; params: Record<string, string>; metrics: Record<string, number> };
  searchFilter: string;
  matched: number;
  model: { name: string; version: number; flavor: string | null; status: string };
  gate: GateDecision;
  champion: { version: number | null; moves: number };
  stages: { name: string; seconds: number }[];
}

/** Prints a line per stage; the CLI passes a writer to stderr (stdout stays clean for --json). */
export type Progress = (line: string) => void;

type Stages = DemoSummary["stages"];

async function timed<T>(stages: Stages, name: string, say: Progress, fn: () => Promise<T>): Promise<T> {
  say(`▶ ${name}`);
  const t0 = performance.now();
  const out = await fn();
  const seconds = (performance.now() - t0) / 1000;
  stages.push({ name, seconds });
  say(`  ✓ ${name} (${seconds.toFixed(1)} s)`);
  return out;
}

/**
 * The part of gyre's loop that exists today, on real flights: a server over the workspace stores; a sweep
 * of reference-trainer models (TF.js, nested runs over MLflow-compatible HTTP) trained on January–February
 * and evaluated on March; a search with OR for the best run; its ONNX package registered (the graph is
 * loaded and checked); a quality gate against the current champion; `champion` moved when it passes.
 */
export async function runDemo(config: GyreConfig, options: DemoOptions, say: Progress): Promise<DemoSummary> {
  const stages: Stages = [];
  const server = await timed(stages, "start tracking server", say, () =>
    startServer({ ...config, logLevel: "warn", server: { ...config.server, port: options.port } }),
  );
  say(`  server at ${server.url} (store ${config.store}, artifacts ${config.artifacts})`);
  const gyre = await connect({ store: server.url });
  try {
    if (options.fresh) await freshStart(gyre, say);
    const sweep = await trainSweep(gyre, options, stages, say);
    const registry = await gyre.registry();
    const registered = await timed(stages, "register the best model (ONNX package checked)", say, () =>
      register(registry, sweep.best, say),
    );
    const gate = await timed(stages, "quality gate against the champion", say, () =>
      qualityGate(gyre, registry, sweep.best, registered, say),
    );
    const history = await registry.aliasHistory(DEMO_MODEL, "champion");
    return {
      serverUrl: server.url,
      ...sweep,
      best: runSummary(sweep.best),
      model: {
        name: DEMO_MODEL,
        version: registered.version,
        flavor: registered.flavor,
        status: registered.status,
      },
      gate,
      champion: { version: history.version, moves: history.events.length },
      stages,
    };
  } finally {
    await gyre.close();
    await server.close();
  }
}

async function trainSweep(gyre: Gyre, options: DemoOptions, stages: Stages, say: Progress) {
  const data = await timed(stages, "load flights (vega-datasets, Jan–Mar 2001)", say, async () => {
    const file = await loadFlights();
    const rows = file.flights.map(flightRow);
    const train = rows.filter((_, i) => file.flights[i]!.date < "2001/03");
    const test = rows.filter((_, i) => file.flights[i]!.date >= "2001/03");
    say(`  ${rows.length} flights: ${train.length} train (Jan–Feb), ${test.length} test (Mar)`);
    return { file, train: options.quick ? train.slice(0, 6000) : train, test };
  });
  const heads: Head[] = options.quick
    ? [{ kind: "linear" }, { kind: "mlp", hidden: [16] }]
    : [{ kind: "linear" }, { kind: "mlp", hidden: [32] }, { kind: "mlp", hidden: [32, 16] }];
  const parent = await gyre.startRun({ experiment: DEMO_EXPERIMENT, runName: "sweep", exitHooks: false });
  const inputs = [
    {
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: {
        name: "flights-20k",
        digest: data.file.sha256.slice(0, 16),
        sourceType: "local",
        source: data.file.path,
      },
    },
  ];
  await parent.logInputs(inputs);
  await timed(stages, "train sweep (reference trainer, nested runs)", say, async () => {
    for (const [i, head] of heads.entries()) {
      const name = head.kind === "mlp" ? `mlp ${head.hidden.join("x")}` : "linear";
      await gyre.withRun({ experiment: DEMO_EXPERIMENT, parent, runName: name }, async (run) => {
        await run.logInputs(inputs);
        const trained = await train(data.train, data.test, head, options.quick, run);
        const metrics = trained.evaluation?.metrics;
        const auc = metrics && "rocAuc" in metrics ? metrics.rocAuc : Number.NaN;
        say(`  run ${i + 1}/${heads.length}: ${name} → ROC AUC on March ${auc.toFixed(4)}`);
      });
    }
  });
  await parent.end();
  const searchFilter = `tags.mlflow.parentRunId = '${parent.runId}' AND (metrics.${GATE_METRIC} > 0.6 OR params.head = 'linear')`;
  const found = await timed(stages, "search runs (filter with OR, order by ROC AUC)", say, () =>
    gyre.tracking.searchRuns({
      experimentIds: [parent.experimentId],
      filter: searchFilter,
      orderBy: [`metrics.${GATE_METRIC} DESC`],
    }),
  );
  const best = found.items[0];
  if (!best) throw new Error(`The demo's search '${searchFilter}' matched no runs`);
  return {
    experimentId: parent.experimentId,
    sweepRunId: parent.runId,
    runs: heads.length,
    searchFilter,
    matched: found.items.length,
    best,
  };
}

function train(rows: Row[], test: Row[], head: Head, quick: boolean, run: ActiveRun) {
  return trainTabular(rows, FLIGHT_SPEC, {
    head,
    epochs: quick ? 2 : 8,
    patience: 2,
    seed: 42,
    testData: test,
    run,
    progress: process.stderr.isTTY === true,
  });
}

async function register(registry: RegistryClient, best: Run, say: Progress): Promise<ModelVersion> {
  try {
    await registry.createRegisteredModel(DEMO_MODEL, { description: "Flight delayed > 15 min (demo)" });
  } catch (e) {
    if (!isGyreError(e) || e.code !== "REGISTRY_MODEL_EXISTS") throw e;
  }
  const version = await registry.createModelVersion({
    name: DEMO_MODEL,
    source: `runs:/${best.info.runId}/model`,
    runId: best.info.runId,
  });
  say(`  ${DEMO_MODEL} v${version.version}: ${version.status} (flavor ${version.flavor})`);
  if (version.status !== "READY") throw new Error(`Registration failed: ${version.statusMessage}`);
  return version;
}

async function qualityGate(
  gyre: Gyre,
  registry: RegistryClient,
  best: Run,
  candidate: ModelVersion,
  say: Progress,
): Promise<GateDecision> {
  const score = (run: Run) => run.data.metrics.find((m) => m.key === GATE_METRIC)?.value ?? Number.NaN;
  const current = await registry.getModelVersionByAlias(DEMO_MODEL, "champion").catch(() => null);
  const championRun = current?.runId ? await gyre.tracking.getRun(current.runId) : null;
  const champion = championRun ? score(championRun) : 0.5;
  const against = current ? `champion v${current.version}` : "baseline (coin flip, 0.5)";
  const gate = { metric: GATE_METRIC, candidate: score(best), champion, against, promoted: false };
  gate.promoted = gate.candidate > gate.champion;
  say(`  ${GATE_METRIC}: candidate ${gate.candidate.toFixed(4)} vs ${against} ${champion.toFixed(4)}`);
  if (gate.promoted) {
    const reason = `demo gate: ${GATE_METRIC} ${gate.candidate.toFixed(4)} > ${champion.toFixed(4)} (${against})`;
    await registry.setAlias(DEMO_MODEL, "champion", candidate.version, { reason });
    say(`  champion → v${candidate.version}`);
  } else {
    say(`  champion stays v${current?.version}`);
  }
  return gate;
}

async function freshStart(gyre: Gyre, say: Progress): Promise<void> {
  const existing = await gyre.tracking.getExperimentByName(DEMO_EXPERIMENT);
  if (existing?.lifecycleStage === "active") {
    await gyre.tracking.deleteExperiment(existing.experimentId);
    say(
      `  --fresh: deleted experiment ${existing.experimentId} (restorable with \`gyre experiments restore\`)`,
    );
  }
  const registry = await gyre.registry();
  const model = await registry.getRegisteredModel(DEMO_MODEL).catch(() => null);
  if (model) {
    await registry.deleteRegisteredModel(DEMO_MODEL);
    say(`  --fresh: deleted registered model ${DEMO_MODEL} (its alias history is kept)`);
  }
}

function runSummary(run: Run): DemoSummary["best"] {
  return {
    runId: run.info.runId,
    runName: run.info.runName,
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
  };
}
