/**
 * The feedback loop on SQLite and PostgreSQL: a shift injected into one feature raises an alert on that
 * feature only; the alert posts a Slack-style webhook, logs, and starts the retraining pipeline exactly once
 * per cooldown with the alert recorded on the pipeline's run; late labels update the window's performance.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifactStore } from "../src/artifacts/index.js";
import { openMetadataStore, TrackingService } from "../src/metadata/index.js";
import {
  type Monitor,
  type MonitoringService,
  monitoringFor,
  parseMonitor,
  pipelineTrigger,
} from "../src/monitoring/index.js";
import { type PipelineService, pipelinesFor } from "../src/pipelines/index.js";
import { retrain } from "./fixtures/monitoring/pipelines.js";
import { flightRows, HOUR, T0, webhookSink } from "./harness/monitoring.js";
import { writePredictionLog } from "./harness/prediction-log.js";
import { BACKENDS, freshConfig, tempDir } from "./harness/stores.js";

describe.each(BACKENDS)("monitoring loop on %s", (backend) => {
  let tracking: TrackingService;
  let pipelines: PipelineService;
  let service: MonitoringService;
  let hook: Awaited<ReturnType<typeof webhookSink>>;
  let root: string;
  const logged: Record<string, unknown>[] = [];
  let clock = T0;

  beforeAll(async () => {
    const config = await freshConfig(backend);
    root = fileURLToPath(config.artifacts);
    tracking = new TrackingService(
      await openMetadataStore(config.store),
      await openArtifactStore(config.artifacts),
    );
    pipelines = await pipelinesFor(tracking, { workers: 1, workRoot: tempDir("gyre-work-") });
    pipelines.register(retrain);
    hook = await webhookSink();
    const monitor: Monitor = parseMonitor({
      name: "flights-drift",
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "window", from: T0, to: T0 + 2 * HOUR },
      performance: { prediction: "late", thresholds: { accuracy: { min: 0.9 } }, minLabels: 10 },
      alert: {
        severity: "critical",
        cooldown: "1h",
        actions: [
          { type: "webhook", url: hook.url, format: "slack" },
          { type: "log" },
          { type: "pipeline", pipeline: "retrain" },
        ],
      },
    });
    service = await monitoringFor(tracking, {
      artifacts: config.artifacts,
      monitors: [monitor],
      actions: { trigger: pipelineTrigger(pipelines, tracking), log: (e) => logged.push(e) },
      now: () => clock,
    });
    await writePredictionLog(root, [...flightRows("flights", 0, 400), ...flightRows("flights", 1, 400)]);
    await writePredictionLog(root, [
      ...flightRows("flights", 2, 400, 2),
      ...flightRows("flights", 3, 400, 2),
    ]);
  });

  afterAll(async () => {
    await service?.close();
    await pipelines?.close();
    await tracking?.close();
    await hook?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function pipelineRuns() {
    return pipelines.listRuns({ pipeline: "retrain" });
  }

  it("a shift in one feature alerts on that feature only and starts the pipeline once", async () => {
    clock = T0 + 3 * HOUR + 60_000;
    const run = await service.run("flights-drift");
    expect(run.report.window.rows).toBe(400);
    expect(run.report.driftedFeatures).toEqual(["distance"]);
    expect(run.alerts.fired.map((a) => [a.feature, a.severity])).toEqual([["distance", "critical"]]);
    const alert = run.alerts.fired[0]!;
    expect(hook.bodies).toHaveLength(1);
    expect((hook.bodies[0] as { text: string }).text).toMatch(/flights-drift.*\n• distance — drift/);
    expect(logged).toHaveLength(1);
    const pipelineAction = alert.actions.find((a) => a.type === "pipeline")!;
    expect(pipelineAction).toMatchObject({ ok: true });
    const runs = await pipelineRuns();
    expect(runs).toHaveLength(1);
    const trackingRun = await tracking.getRun(pipelineAction.runId!);
    const tags = Object.fromEntries(trackingRun.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      "gyre.trigger": "monitoring.alert",
      "gyre.monitoring.alert_id": alert.id,
      "gyre.monitoring.deployment": "flights",
    });
    const params = Object.fromEntries(trackingRun.data.params.map((p) => [p.key, p.value]));
    expect(params).toMatchObject({
      alert_id: alert.id,
      deployment: "flights",
      monitor: "flights-drift",
      features: "distance",
    });
  });

  it("the same breach within the cooldown is de-duplicated: no new alert, webhook or pipeline run", async () => {
    clock = T0 + 3 * HOUR + 30 * 60_000;
    const run = await service.run("flights-drift");
    expect(run.alerts.fired).toEqual([]);
    expect(run.alerts.ongoing.map((a) => [a.feature, a.occurrences])).toEqual([["distance", 2]]);
    expect(hook.bodies).toHaveLength(1);
    expect(await pipelineRuns()).toHaveLength(1);
    expect(await service.alerts({ state: "firing" })).toHaveLength(1);
  });

  it("after the cooldown the still-firing alert notifies and retrains once more", async () => {
    clock = T0 + 4 * HOUR + 2 * 60_000;
    const run = await service.run("flights-drift");
    expect(run.report.driftedFeatures).toEqual(["distance"]);
    expect(run.alerts.fired).toEqual([]);
    expect(hook.bodies).toHaveLength(2);
    expect(await pipelineRuns()).toHaveLength(2);
  });

  it("feedback is stored, unmatched labels are reported, late labels update the window's performance", async () => {
    clock = T0 + 4 * HOUR + 10 * 60_000;
    const hour3 = flightRows("flights", 3, 400, 2);
    const truth = (i: number) =>
      i % 5 === 0 ? 1 - Number(hour3[i]!.outputs.late) : Number(hour3[i]!.outputs.late);
    const first = hour3
      .slice(0, 100)
      .map((r, i) => ({ request_id: r.requestId, row_index: r.rowIndex, label: truth(i) }));
    const res = await service.ingestFeedback("flights", [...first, { request_id: "nope", label: 1 }]);
    expect(res).toMatchObject({ accepted: 101, matched: 100, unmatched: ["req:nope#0"] });
    const before = await service.run("flights-drift");
    expect(before.performance).toMatchObject({ labelled: 100, task: "classification" });
    expect(before.performance!.metrics.accuracy).toBeCloseTo(0.8, 10);
    expect(before.alerts.fired.map((a) => [a.feature, a.metric])).toEqual([["_performance", "accuracy"]]);

    const late = hour3.slice(100, 400).map((r) => ({
      entity_key: r.entityKey!,
      timestamp: new Date(r.ts + 1000).toISOString(),
      label: Number(r.outputs.late),
    }));
    expect(await service.ingestFeedback("flights", late)).toMatchObject({ accepted: 300, matched: 300 });
    const after = await service.run("flights-drift");
    expect(after.performance!.labelled).toBe(400);
    expect(after.performance!.metrics.accuracy).toBeCloseTo(0.95, 10);
    const stored = await service.results({
      deployment: "flights",
      feature: "_performance",
      metric: "accuracy",
    });
    expect(stored.filter((p) => p.windowStart === T0 + 3 * HOUR).map((p) => p.value)).toEqual([0.95]);
    expect(await service.feedbackStatus("flights")).toMatchObject({
      total: 401,
      matched: 400,
      unmatched: [{ key: "req:nope#0" }],
    });
  });

  it("schedules: monitors run every N minutes or every N new predictions", async () => {
    const base = {
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "window", first: 400 },
      alert: { actions: [] },
    };
    const scheduled = await monitoringFor(tracking, {
      artifacts: `file://${root}`,
      monitors: [
        parseMonitor({ ...base, name: "every-15m", schedule: { everyMinutes: 15 } }),
        parseMonitor({ ...base, name: "every-500", schedule: { everyPredictions: 500 } }),
        parseMonitor({ ...base, name: "manual" }),
      ],
      now: () => clock,
    });
    try {
      clock = T0 + 5 * HOUR;
      expect((await scheduled.tick()).map((r) => r.monitor)).toEqual(["every-15m", "every-500"]);
      clock += 10 * 60_000;
      expect(await scheduled.tick()).toEqual([]);
      await writePredictionLog(root, flightRows("flights", 4, 500));
      clock += 6 * 60_000;
      expect((await scheduled.tick()).map((r) => r.monitor)).toEqual(["every-15m", "every-500"]);
      clock += 1000;
      expect(await scheduled.tick()).toEqual([]);
    } finally {
      await scheduled.close();
    }
  });

  it("malformed feedback names the field and stores nothing", async () => {
    await expect(
      service.ingestFeedback("flights", [{ request_id: "x", label: 1 }, { label: "late" }]),
    ).rejects.toMatchObject({
      code: "MONITOR_FEEDBACK_INVALID",
      field: "items[1].request_id",
    });
    await expect(
      service.ingestFeedback("flights", [{ request_id: "x", label: Number.NaN }]),
    ).rejects.toMatchObject({
      code: "MONITOR_FEEDBACK_INVALID",
    });
    expect((await service.feedbackStatus("flights")).total).toBe(401);
  });
});
