/**
 * Issue 9's demo, end to end in `--quick` mode on the real flights: dataset → feature pipeline → training
 * pipeline with its gate → serving with online features → April–June replay with ground truth → drift →
 * alert → retraining pipeline → canary → promotion or roll-back; then a second run continues the workspace,
 * and `--fresh` refuses to delete a workspace the demo did not create.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DemoSummary } from "../src/cli/demo/loop-demo.js";
import { loadConfig } from "../src/core/config.js";
import { startServer } from "../src/server/index.js";
import { gyre, json } from "./harness/cli.js";
import { tempDir } from "./harness/stores.js";

const FEATURES = [
  "avg_delay_1d",
  "avg_delay_7d",
  "dep_hour",
  "flights_1d",
  "flights_7d",
  "route_distance",
  "route_flights_7d",
  "route_share_delayed_7d",
  "share_delayed_1d",
  "share_delayed_7d",
];

/** The demo reports progress on stderr; the JSON summary alone goes to stdout. */
async function demo(args: string[]): Promise<DemoSummary> {
  const r = await gyre(args);
  if (r.code !== 0) throw new Error(`gyre demo failed (${r.code}):\n${r.stderr}`);
  expect(r.stderr).toContain("✓ replay 2001-04-01 → 2001-07-01");
  return json<DemoSummary>({ ...r, stderr: "" });
}

async function checkFirstRun(s: DemoSummary): Promise<void> {
  expect(s.workspace.reused).toBe(false);
  expect(s.dataset).toEqual({ name: "flights", version: 1, rows: 3_000_000, created: true, valid: true });
  expect(s.features.views.sort()).toEqual(["airport_delays_1d", "airport_delays_7d", "route_delays_7d"]);
  expect(s.features.materializedRows).toBeGreaterThan(1000);
  expect(s.training).toMatchObject({
    status: "SUCCEEDED",
    passed: true,
    version: 1,
    alias: "champion",
    cachedSteps: [],
  });
  expect(s.training.candidateLogLoss!).toBeLessThan(s.training.championLogLoss!);
  expect(s.training.candidateRocAuc!).toBeGreaterThan(0.55);
  const r = s.replay;
  expect(r.days).toBe(31);
  expect(r.requests).toBeGreaterThan(3000);
  expect(r.answered).toBe(r.requests);
  expect(r.feedback).toBe(r.answered);
  expect(r.monitorRuns).toBeGreaterThanOrEqual(3);
  // Summer delays move the delay features away from the January–February training profile.
  expect(r.driftedFeatures).toEqual(expect.arrayContaining(["avg_delay_7d", "share_delayed_7d"]));
  expect(r.driftedFeatures.every((f) => FEATURES.includes(f))).toBe(true);
  expect(r.alerts.length).toBeGreaterThan(0);
  expect(r.alerts[0]!.triggered).toMatch(/^[0-9a-f]{32}$/);
  expect(r.retraining).toMatchObject({ status: "SUCCEEDED", against: "champion v1" });
  expect(r.retraining!.pipelineRunId).toBe(r.alerts[0]!.triggered);
  if (r.retraining!.version !== null) {
    expect(r.retraining).toMatchObject({ passed: true, version: 2, alias: "challenger" });
    expect(r.canaries).toHaveLength(1);
    expect(r.canaries[0]).toMatchObject({ version: 2, percent: 50 });
    expect(r.byVersion.map((v) => v.version).sort()).toEqual([1, 2]);
    expect(s.champion.after).toBe(r.canaries[0]!.promoted ? 2 : 1);
  } else {
    expect(r.canaries).toEqual([]);
    expect(s.champion.after).toBe(1);
  }
  expect(s.stages.map((st) => st.name)).toHaveLength(6);
}

/** What the demo left in the workspace, read through a gyre server over it. */
async function checkWorkspace(dir: string, s: DemoSummary): Promise<void> {
  const config = await loadConfig({
    cwd: dir,
    env: {},
    flags: { store: s.workspace.store, artifacts: s.workspace.artifacts, server: { port: 0 } },
  });
  const server = await startServer({ ...config, logLevel: "silent" }, { ui: false });
  try {
    const get = async (url: string) => (await server.app.inject({ method: "GET", url })).json();
    const retrain = await server.tracking.getRun(s.replay.retraining!.pipelineRunId);
    const tags = Object.fromEntries(retrain.data.tags.map((t) => [t.key, t.value]));
    expect(tags["gyre.trigger"]).toBe("monitoring.alert");
    const params = Object.fromEntries(retrain.data.params.map((p) => [p.key, p.value]));
    expect(params).toMatchObject({ train_days: "120", eval_days: "14", monitor: "flights-drift" });
    const runs = (await get("/api/v1/pipelines/runs?pipeline=flights-train")) as {
      runs: { runId: string; startedBy: string }[];
    };
    expect(runs.runs.map((r) => r.startedBy).sort()).toEqual(["alert of monitor flights-drift", "manual"]);
    // Performance once labels arrived: the decision threshold turns probabilities into classes.
    const q = "deployment=flights&feature=_performance&metric=accuracy";
    const accuracy = (await get(`/api/v1/monitoring/results?${q}`)) as { results: { value: number }[] };
    expect(accuracy.results.length).toBeGreaterThan(0);
    for (const p of accuracy.results) expect(p.value).toBeGreaterThan(0.6);
    const history = await server.registry.aliasHistory("flights", "champion");
    expect(history.version).toBe(s.champion.after);
    const datasets = (await get("/api/v1/datasets")) as { datasets: { name: string }[] };
    expect(datasets.datasets.map((d) => d.name).sort()).toEqual(["airport_daily", "flights", "route_daily"]);
  } finally {
    await server.close();
  }
}

describe("gyre demo --quick", () => {
  it("runs the whole loop on the flights, continues the workspace on a second run", async () => {
    const dir = tempDir("gyre-demo-");
    const flags = [
      "--store",
      `sqlite://${join(dir, "gyre.db")}`,
      "--artifacts",
      `file://${join(dir, "art")}`,
    ];
    const first = await demo([...flags, "demo", "--quick", "--json"]);
    await checkFirstRun(first);
    await checkWorkspace(dir, first);

    const second = await demo([...flags, "demo", "--quick", "--json"]);
    expect(second.workspace.reused).toBe(true);
    expect(second.dataset).toMatchObject({ version: 1, created: false });
    expect(second.champion.before).toBe(first.champion.after);
    expect(second.training.against).toBe(`champion v${first.champion.after}`);
    // Same data, same parameters: the training set has the same bytes and `train` is a cache hit.
    expect(second.training.cachedSteps).toEqual(["train"]);
    expect(second.replay.answered).toBe(second.replay.requests);
    // Ground truth of the second run labels only its own predictions (request ids are unique per run).
    expect(second.replay.feedback).toBe(second.replay.answered);
    if (second.training.alias === "challenger")
      expect(second.replay.canaries[0]).toMatchObject({ version: second.training.version });
  }, 420_000);

  it("--fresh refuses to delete a workspace the demo did not create", async () => {
    const dir = tempDir("gyre-demo-foreign-");
    writeFileSync(join(dir, "gyre.db"), "");
    const r = await gyre([
      "--store",
      `sqlite://${join(dir, "gyre.db")}`,
      "--artifacts",
      `file://${dir}`,
      "demo",
      "--quick",
      "--fresh",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CONFIG_INVALID.*--fresh deletes the workspace.*not created by gyre demo/s);
  });
});
