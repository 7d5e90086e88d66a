import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, freshClient } from "../../test/harness/stores.js";
import type { TrackingClient } from "./index.js";

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

describe.each(CLIENT_KINDS)("tracking contract on %s", (kind) => {
  let t: TrackingClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ client: t, close } = await freshClient(kind));
  });
  afterAll(async () => {
    await close();
  });

  it("has the Default experiment with id 0", async () => {
    const exp = await t.getExperiment("0");
    expect(exp).toMatchObject({ experimentId: "0", name: "Default", lifecycleStage: "active" });
  });

  it("creates experiments with unique active names, and frees names on delete", async () => {
    const a = await t.createExperiment("exp-unique", { tags: [{ key: "team", value: "ml" }] });
    expect(a.tags).toEqual([{ key: "team", value: "ml" }]);
    expect(a.artifactLocation).toBe(`mlflow-artifacts:/${a.experimentId}`);
    await expectCode(t.createExperiment("exp-unique"), "TRACKING_EXPERIMENT_EXISTS");
    await t.deleteExperiment(a.experimentId);
    expect((await t.getExperiment(a.experimentId)).lifecycleStage).toBe("deleted");
    const b = await t.createExperiment("exp-unique");
    expect(b.experimentId).not.toBe(a.experimentId);
    await expectCode(t.restoreExperiment(a.experimentId), "TRACKING_EXPERIMENT_EXISTS");
    await t.renameExperiment(b.experimentId, "exp-unique-2");
    await t.restoreExperiment(a.experimentId);
    expect((await t.getExperimentByName("exp-unique"))?.experimentId).toBe(a.experimentId);
  });

  it("refuses unknown ids with NOT_FOUND codes", async () => {
    await expectCode(t.getExperiment("987654"), "TRACKING_EXPERIMENT_NOT_FOUND");
    await expectCode(t.getExperiment("not-a-number"), "TRACKING_EXPERIMENT_NOT_FOUND");
    await expectCode(t.getRun("0123456789abcdef0123456789abcdef"), "TRACKING_RUN_NOT_FOUND");
    await expectCode(t.logMetric("nope", "m", 1), "TRACKING_RUN_NOT_FOUND");
  });

  it("logs metrics with NaN and ±Inf, keeps full history and the latest value", async () => {
    const exp = await t.createExperiment("metrics-exp");
    const run = await t.createRun({ experimentId: exp.experimentId, runName: "r1" });
    await t.logBatch(run.info.runId, {
      metrics: [
        { key: "loss", value: 1.5, timestamp: 1000, step: 0 },
        { key: "loss", value: Number.NaN, timestamp: 1001, step: 1 },
        { key: "loss", value: 0.5, timestamp: 1002, step: 2 },
        { key: "inf", value: Number.POSITIVE_INFINITY, timestamp: 1000, step: 0 },
        { key: "ninf", value: Number.NEGATIVE_INFINITY, timestamp: 1000, step: 0 },
      ],
    });
    await t.logMetric(run.info.runId, "loss", 9, { timestamp: 999, step: 1 });
    const hist = await t.getMetricHistory(run.info.runId, "loss");
    expect(hist.items.map((m) => [m.step, m.value])).toEqual([
      [0, 1.5],
      [1, 9],
      [1, Number.NaN],
      [2, 0.5],
    ]);
    const got = await t.getRun(run.info.runId);
    const latest = Object.fromEntries(got.data.metrics.map((m) => [m.key, m.value]));
    expect(latest).toEqual({ loss: 0.5, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY });
    const page1 = await t.getMetricHistory(run.info.runId, "loss", { maxResults: 3 });
    expect(page1.items).toHaveLength(3);
    const page2 = await t.getMetricHistory(run.info.runId, "loss", {
      maxResults: 3,
      pageToken: page1.nextPageToken!,
    });
    expect(page2.items.map((m) => m.value)).toEqual([0.5]);
    expect(page2.nextPageToken).toBeNull();
  });

  it("makes params immutable and log-batch atomic", async () => {
    const run = await t.createRun({ experimentId: "0" });
    const id = run.info.runId;
    await t.logParam(id, "lr", "0.1");
    await t.logParam(id, "lr", "0.1");
    await expectCode(t.logParam(id, "lr", "0.2"), "TRACKING_PARAM_CHANGED");
    await expectCode(
      t.logBatch(id, {
        metrics: [{ key: "acc", value: 0.9, timestamp: 1, step: 0 }],
        params: [{ key: "lr", value: "0.3" }],
        tags: [{ key: "t", value: "v" }],
      }),
      "TRACKING_PARAM_CHANGED",
    );
    const after = await t.getRun(id);
    expect(after.data.metrics).toEqual([]);
    expect(after.data.tags.find((x) => x.key === "t")).toBeUndefined();
    expect(after.data.params).toEqual([{ key: "lr", value: "0.1" }]);
  });

  it("enforces MLflow's log-batch limits and key rules", async () => {
    const run = await t.createRun({ experimentId: "0" });
    const metrics = Array.from({ length: 1001 }, (_, i) => ({
      key: `m${i}`,
      value: i,
      timestamp: 1,
      step: 0,
    }));
    await expectCode(t.logBatch(run.info.runId, { metrics }), "TRACKING_BATCH_TOO_LARGE");
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "x" }));
    await expectCode(t.logBatch(run.info.runId, { params }), "TRACKING_BATCH_TOO_LARGE");
    await expectCode(
      t.logBatch(run.info.runId, { metrics: metrics.slice(0, 950), tags: params.slice(0, 51) }),
      "TRACKING_BATCH_TOO_LARGE",
    );
    await expectCode(t.logMetric(run.info.runId, "../escape", 1), "TRACKING_INVALID_VALUE");
    await expectCode(t.logMetric(run.info.runId, "bad!key", 1), "TRACKING_INVALID_VALUE");
    await expectCode(t.logParam(run.info.runId, "long", "x".repeat(6001)), "TRACKING_INVALID_VALUE");
    expect((await t.getRun(run.info.runId)).data.metrics).toEqual([]);
  });

  it("handles tags, run names, nesting, update, delete and restore", async () => {
    const parent = await t.createRun({ experimentId: "0", runName: "parent" });
    const child = await t.createRun({ experimentId: "0", runName: "child", parentRunId: parent.info.runId });
    expect(child.info.parentRunId).toBe(parent.info.runId);
    expect(child.data.tags).toContainEqual({ key: "mlflow.parentRunId", value: parent.info.runId });
    await t.setTag(child.info.runId, "mlflow.runName", "renamed");
    expect((await t.getRun(child.info.runId)).info.runName).toBe("renamed");
    await t.deleteTag(child.info.runId, "mlflow.runName");
    await expectCode(t.deleteTag(child.info.runId, "missing"), "TRACKING_TAG_NOT_FOUND");
    const info = await t.updateRun(child.info.runId, { status: "FINISHED", endTime: 12345 });
    expect(info).toMatchObject({ status: "FINISHED", endTime: 12345 });
    await t.deleteRun(child.info.runId);
    await expectCode(t.logMetric(child.info.runId, "m", 1), "TRACKING_RUN_DELETED");
    await t.restoreRun(child.info.runId);
    await t.logMetric(child.info.runId, "m", 1);
  });

  it("records dataset inputs once per dataset and run", async () => {
    const run = await t.createRun({ experimentId: "0" });
    const input = {
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: { name: "flights", digest: "abc123", sourceType: "local", source: "{}", schema: '{"a":1}' },
    };
    await t.logInputs(run.info.runId, [input]);
    await t.logInputs(run.info.runId, [input]);
    const got = await t.getRun(run.info.runId);
    expect(got.inputs.datasetInputs).toHaveLength(1);
    expect(got.inputs.datasetInputs[0]).toMatchObject(input);
  });

  it("stores artifacts under the run root with sha256 and refuses escapes", async () => {
    const run = await t.createRun({ experimentId: "0" });
    const rec = await t.uploadArtifact(run.info.runId, "model/notes.txt", Readable.from(["hello ", "world"]));
    expect(rec.sha256).toBe("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
    expect(rec.size).toBe(11);
    expect(await text(await t.downloadArtifact(run.info.runId, "model/notes.txt"))).toBe("hello world");
    expect(await t.listArtifacts(run.info.runId)).toEqual([{ path: "model", isDir: true }]);
    expect(await t.listArtifacts(run.info.runId, "model")).toEqual([
      { path: "model/notes.txt", isDir: false, size: 11 },
    ]);
    expect(await t.artifactRecords(run.info.runId)).toMatchObject([{ path: "model/notes.txt", size: 11 }]);
    await expectCode(t.uploadArtifact(run.info.runId, "../../etc/x", "no"), "ARTIFACT_PATH_INVALID");
    await expectCode(t.uploadArtifact(run.info.runId, "/etc/x", "no"), "ARTIFACT_PATH_INVALID");
    await expectCode(t.downloadArtifact(run.info.runId, "%2e%2e/%2e%2e/x"), "ARTIFACT_PATH_INVALID");
    await expectCode(t.downloadArtifact(run.info.runId, "missing.txt"), "ARTIFACT_NOT_FOUND");
  });
});
