import type { GyreConfig } from "../../core/config.js";
import { freePort } from "../../core/net.js";
import { type DataService, dataFor } from "../../data/index.js";
import { featuresFor, onlineFeatureLookup } from "../../features/index.js";
import { type RunningServer, startServer } from "../../server/index.js";
import { resolveServingConfig, startServing } from "../../serving/index.js";
import {
  DEMO_MODEL,
  type Progress,
  requireSucceeded,
  stepMetrics,
  type TrainingSummary,
  timed,
  trainingOutcome,
} from "./pipeline-runs.js";
import type { FlightsProject } from "./project.js";
import { loadFlightsProject } from "./project.js";
import { type ReplayResult, replay } from "./replay-loop.js";
import {
  exportWorkspaceEnv,
  freshWorkspace,
  initWorkspace,
  resetOnlineStore,
  resolveWorkspace,
  type Workspace,
} from "./workspace.js";

/** The replay starts here; training data ends here the first time. */
export const REPLAY_FROM = "2001-04-01";
const REPLAY_TO = "2001-07-01";

export interface DemoOptions {
  /** A sample: every third day of the replay, fewer flights and a smaller training set (the test suite's mode). */
  quick: boolean;
  /** Delete the demo's workspace first and start over. */
  fresh: boolean;
  /** Port of the gyre server (API and UI); 0 picks a free one. */
  port: number;
  /** Leave the server (and serving) running after the summary. */
  serve: boolean;
}

/** Sizes of a demo run. */
export function demoScale(quick: boolean) {
  return quick
    ? { everyDays: 3, perDay: 150, sample: 20_000, epochs: 4, canaryLabels: 500 }
    : { everyDays: 1, perDay: 400, sample: 100_000, epochs: 6, canaryLabels: 3000 };
}

export interface DemoSummary {
  workspace: { store: string; artifacts: string; onlineStore: string; reused: boolean };
  serverUrl: string;
  servingUrl: string;
  dataset: { name: string; version: number; rows: number; created: boolean; valid: boolean };
  features: { pipelineRunId: string; views: string[]; materializedRows: number; until: string };
  training: TrainingSummary;
  replay: ReplayResult;
  champion: { before: number | null; after: number | null };
  stages: { name: string; seconds: number }[];
}

async function registerDataset(data: DataService, project: FlightsProject, say: Progress) {
  const d = project.dataset;
  const r = await data.register(d.name, d.file, {
    expectations: d.expectations,
    description: "US flights, January–June 2001 (vega-datasets flights-3m)",
  });
  const v = r.version;
  say(
    `  ${d.name} v${v.version}: ${v.rows.toLocaleString("en-US")} rows, ${v.schema.length} columns, ` +
      `${v.validation.issues.length} failed expectations${r.created ? "" : " (same bytes as before: no new version)"}`,
  );
  return { name: d.name, version: v.version, rows: v.rows, created: r.created, valid: v.validation.valid };
}

async function featurePipeline(server: RunningServer, project: FlightsProject, say: Progress) {
  const summary = await server.pipelines.run("flights-features", { params: { until: REPLAY_FROM } });
  requireSucceeded(summary);
  const m = await stepMetrics(server.tracking, summary, "materialize");
  const views = project.features.filter((f) => f.kind === "featureView").map((f) => f.name);
  say(
    `  ${views.length} feature views applied; ${m.materialized_rows ?? 0} rows materialized up to ${REPLAY_FROM}`,
  );
  return {
    pipelineRunId: summary.run.runId,
    views,
    materializedRows: m.materialized_rows ?? 0,
    until: REPLAY_FROM,
  };
}

async function initialTraining(server: RunningServer, quick: boolean, say: Progress) {
  const s = demoScale(quick);
  const summary = await server.pipelines.run("flights-train", {
    params: { until: REPLAY_FROM, sample: s.sample, epochs: s.epochs },
  });
  requireSucceeded(summary);
  const t = await trainingOutcome(server, summary);
  say(
    `  gate on March: log loss ${t.candidateLogLoss?.toFixed(4)} vs ${t.against} ${t.championLogLoss?.toFixed(4)} (ROC AUC ${t.candidateRocAuc?.toFixed(4)}) → ` +
      (t.version ? `${DEMO_MODEL} v${t.version} registered as ${t.alias}` : "not registered") +
      (t.cachedSteps.length ? ` (from the cache: ${t.cachedSteps.join(", ")})` : ""),
  );
  return t;
}

async function championVersion(server: RunningServer): Promise<number | null> {
  const v = await server.registry.getModelVersionByAlias(DEMO_MODEL, "champion").catch(() => null);
  return v ? Number(v.version) : null;
}

/**
 * Serving for the replay: the data plane looks features up in the online store through a feature store whose
 * clock is the replay's (TTLs are judged in 2001, not today), and logs every prediction for monitoring.
 */
async function startDataPlane(
  server: RunningServer,
  ws: Workspace,
  project: FlightsProject,
  clock: { now: number },
  port: number,
) {
  const features = (
    await featuresFor(server.tracking, ws.config, {
      projectDir: project.dir,
      now: () => clock.now,
      threads: 2,
    })
  ).register(project.features);
  const serving = await startServing({
    config: { ...ws.config, logLevel: "error" },
    serving: resolveServingConfig({
      port,
      workers: 1,
      pollIntervalMs: 250,
      predictionLog: { flushIntervalMs: 250 },
    }),
    features: onlineFeatureLookup(features),
  });
  const existing = await serving.service.get(project.deployment.name).catch(() => null);
  if (existing)
    await serving.service.setTraffic(project.deployment.name, {
      model: project.deployment.model!,
      canary: null,
    });
  else await serving.service.create(project.deployment);
  await serving.sync();
  return { features, serving };
}

/**
 * The whole loop on the flights project (examples/flights): workspace → dataset registered and validated →
 * feature pipeline → training pipeline with its gate → serving flights@champion → April–June replayed as
 * traffic with ground truth → monitoring → alert → retraining → canary → promotion. Stages are timed.
 */
export async function runDemo(
  config: GyreConfig,
  options: DemoOptions,
  say: Progress,
): Promise<{ summary: DemoSummary; stop(): Promise<void> }> {
  const stages: DemoSummary["stages"] = [];
  const ws = resolveWorkspace(config);
  const { existed, project } = await timed(stages, "initialise the workspace", say, async () => {
    if (options.fresh) {
      const deleted = await freshWorkspace(ws);
      if (deleted) say(`  --fresh: deleted the demo workspace (${ws.dbFile}, ${ws.artifactsDir})`);
    }
    const init = await initWorkspace(ws);
    await resetOnlineStore(ws);
    exportWorkspaceEnv(ws);
    say(`  ${init.existed ? "continuing" : "new"} workspace: ${ws.config.store}, ${ws.config.artifacts}`);
    return { existed: init.existed, project: await loadFlightsProject() };
  });
  // The data plane's port is chosen now so that the server's Deployments page can read its live figures.
  const servingPort = await freePort();
  const server = await startServer(
    { ...ws.config, logLevel: "error", server: { ...ws.config.server, port: options.port } },
    {
      pipelines: project.pipelines,
      features: project.features,
      featuresDir: project.dir,
      monitors: project.monitors,
      servingUrls: [`http://127.0.0.1:${servingPort}`],
    },
  );
  say(`  gyre server (API and UI) at ${server.url}`);
  let plane: Awaited<ReturnType<typeof startDataPlane>> | null = null;
  try {
    const data = await dataFor(server.tracking);
    const dataset = await timed(stages, "register and validate the raw data (dataset flights)", say, () =>
      registerDataset(data, project, say),
    );
    const features = await timed(stages, "feature pipeline: aggregate, apply, materialize", say, () =>
      featurePipeline(server, project, say),
    );
    const before = await championVersion(server);
    const training = await timed(stages, "training pipeline: Jan–Feb → gate on March → register", say, () =>
      initialTraining(server, options.quick, say),
    );
    const clock = { now: Date.parse(REPLAY_FROM) };
    plane = await timed(stages, `serve ${project.deployment.model}`, say, async () => {
      const p = await startDataPlane(server, ws, project, clock, servingPort);
      say(
        `  serving at ${p.serving.url}: deployment ${project.deployment.name} → v${await championVersion(server)}`,
      );
      return p;
    });
    const result = await replay(
      {
        server,
        serving: plane.serving,
        features: plane.features,
        project,
        clock,
        scale: demoScale(options.quick),
      },
      { from: REPLAY_FROM, to: REPLAY_TO },
      stages,
      say,
      training.alias === "challenger" ? training : null,
    );
    const summary: DemoSummary = {
      workspace: {
        store: ws.config.store,
        artifacts: ws.config.artifacts,
        onlineStore: ws.config.onlineStore ?? "",
        reused: existed,
      },
      serverUrl: server.url,
      servingUrl: plane.serving.url,
      dataset,
      features,
      training,
      replay: result,
      champion: { before, after: await championVersion(server) },
      stages,
    };
    const running = plane;
    const stop = async () => {
      await running.serving.close();
      await running.features.close();
      await server.close();
    };
    if (options.serve) return { summary, stop };
    await stop();
    return { summary, stop: async () => undefined };
  } catch (e) {
    await plane?.serving.close().catch(() => undefined);
    await plane?.features.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    throw e;
  }
}
