import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingService } from "../src/metadata/index.js";
import {
  type PipelineRunSummary,
  type PipelineService,
  pipelinesFor,
  type StepRecord,
} from "../src/pipelines/index.js";
import { fanout, training } from "./fixtures/pipelines/pipelines.js";
import { freshTracking, tempDir } from "./harness/stores.js";

let tracking: TrackingService;
let svc: PipelineService;

beforeAll(async () => {
  tracking = await freshTracking("sqlite");
  svc = await pipelinesFor(tracking, {
    workers: 2,
    workRoot: tempDir("gyre-work-"),
    env: { PATH: process.env.PATH, GYRE_TEST_SEED: "1" },
  });
  svc.register(training, fanout);
});

afterAll(async () => {
  await svc?.close();
  await tracking?.close();
});

function byId(s: PipelineRunSummary): Record<string, StepRecord> {
  return Object.fromEntries(s.steps.map((r) => [r.stepId, r]));
}

function marksFile(): { path: string; read(): string[] } {
  const path = join(tempDir("gyre-marks-"), "marks.txt");
  return { path, read: () => readFileSync(path, "utf8").trim().split("\n").filter(Boolean).sort() };
}

async function text(runId: string, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await tracking.downloadArtifact(runId, path)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("pipeline runs", () => {
  it("runs TypeScript and Python steps that pass artifacts, with nested runs, logs and lineage", async () => {
    const marks = marksFile();
    const res = await svc.run("training", { params: { rows: 20, marks: marks.path } });
    const s = byId(res);
    expect(res.run.status).toBe("SUCCEEDED");
    expect(Object.fromEntries(res.steps.map((r) => [r.stepId, r.status]))).toEqual({
      "make-data": "SUCCEEDED",
      train: "SUCCEEDED",
      evaluate: "SUCCEEDED",
      publish: "SUCCEEDED",
      never: "SKIPPED",
    });
    expect(s.never!.error).toMatchObject({ reason: "condition" });
    expect(marks.read()).toEqual(["evaluate", "make-data", "publish", "train"]);

    const parent = await tracking.getRun(res.run.runId);
    expect(parent.info.status).toBe("FINISHED");
    expect(parent.data.params).toContainEqual({ key: "rows", value: "20" });

    const train = await tracking.getRun(s.train!.trackingRunId!);
    expect(train.info.parentRunId).toBe(res.run.runId);
    expect(train.data.params).toContainEqual({ key: "lr", value: "0.1" });
    expect(train.data.metrics.find((m) => m.key === "rows")?.value).toBe(20);
    expect(await text(train.info.runId, "logs/stdout.txt")).toContain(
      `trained on 20 rows; run ${train.info.runId}`,
    );
    expect(await text(train.info.runId, "logs/stderr.txt")).toContain("python warning");
    const model = JSON.parse(await text(train.info.runId, "outputs/model")) as { slope: number };
    expect(model.slope).toBeCloseTo(2, 9);

    const data = s["make-data"]!.outputs!.data as { digest: string; runId: string };
    const tag = (run: typeof train, key: string) => run.data.tags.find((t) => t.key === key)?.value;
    expect(tag(train, "gyre.lineage.consumed.data")).toBe(`${data.runId}/outputs/data@sha256:${data.digest}`);
    const records = await tracking.artifactRecords(train.info.runId, "outputs");
    expect(tag(train, "gyre.lineage.produced.model")).toContain(records[0]!.sha256);

    const ev = await tracking.getRun(s.evaluate!.trackingRunId!);
    expect(ev.data.metrics.map((m) => m.key).sort()).toEqual(["error", "evaluated", "slope"]);
    expect(await text(ev.info.runId, "logs/stderr.txt")).toContain("evaluated");
  });

  it("fans out over a list output and fans the results back in", async () => {
    const res = await svc.run("fanout", { params: { parts: 4 } });
    expect(res.run.status).toBe("SUCCEEDED");
    const s = byId(res);
    expect(["square[0]", "square[1]", "square[2]", "square[3]"].map((id) => s[id]?.status)).toEqual(
      Array(4).fill("SUCCEEDED"),
    );
    expect(s.square!.outputs!.result).toHaveLength(4);
    const total = await tracking.getRun(s.total!.trackingRunId!);
    expect(Object.fromEntries(total.data.metrics.map((m) => [m.key, m.value]))).toEqual({
      sum: 30,
      count: 4,
    });
    expect(total.data.tags.find((t) => t.key === "gyre.lineage.consumed.results")?.value).toMatch(
      /^4 items@sha256:/,
    );

    const empty = await svc.run("fanout", { params: { parts: 0 }, noCache: true });
    expect(byId(empty).total!.status).toBe("SUCCEEDED");
    const t0 = await tracking.getRun(byId(empty).total!.trackingRunId!);
    expect(t0.data.metrics.find((m) => m.key === "count")?.value).toBe(0);
  });

  it("serves unchanged steps from the cache and re-runs what changed", async () => {
    const marks = marksFile();
    const params = { rows: 12, marks: marks.path };
    const first = await svc.run("training", { params });
    expect(marks.read()).toHaveLength(4);

    const again = await svc.run("training", { params });
    const s = byId(again);
    expect(
      again.steps
        .filter((r) => r.status === "CACHED")
        .map((r) => r.stepId)
        .sort(),
    ).toEqual(["evaluate", "make-data", "publish", "train"]);
    expect(marks.read()).toHaveLength(4);
    expect(s.train!.cachedFrom).toBe(byId(first).train!.trackingRunId);
    const hit = await tracking.getRun(s.train!.trackingRunId!);
    expect(hit.data.tags).toContainEqual({ key: "gyre.pipeline.cache", value: "hit" });
    expect(hit.info.parentRunId).toBe(again.run.runId);

    // Re-running only `train` reproduces the same model bytes, so `evaluate` downstream is still a hit.
    const one = await svc.run("training", { params, noCacheSteps: ["train"] });
    expect(byId(one).train!.status).toBe("SUCCEEDED");
    expect(byId(one).evaluate!.status).toBe("CACHED");

    const changed = await svc.run("training", { params: { ...params, lr: 0.2 } });
    expect(byId(changed)["make-data"]!.status).toBe("CACHED");
    expect(byId(changed).train!.status).toBe("SUCCEEDED");

    const all = await svc.run("training", { params, noCache: true });
    expect(all.steps.filter((r) => r.status === "CACHED")).toEqual([]);
  });

  it("does not count a cache entry whose artifacts were deleted as a hit", async () => {
    const params = { rows: 7 };
    const first = await svc.run("training", { params });
    const train = byId(first).train!;
    const root = tracking.runArtifactRoot(await tracking.getRun(train.trackingRunId!));
    await tracking.artifacts.delete(`${root}/outputs/model`);
    const again = await svc.run("training", { params });
    expect(byId(again)["make-data"]!.status).toBe("CACHED");
    expect(byId(again).train!.status).toBe("SUCCEEDED");
    expect(byId(again).train!.cachedFrom).toBeNull();
    // The fresh result is cached again.
    expect(byId(await svc.run("training", { params })).train!.status).toBe("CACHED");
  });

  it("keys the cache on declared environment values", async () => {
    const other = await pipelinesFor(tracking, {
      executor: svc.executor,
      workRoot: tempDir("gyre-work-"),
      env: { PATH: process.env.PATH, GYRE_TEST_SEED: "2" },
    });
    const params = { rows: 5 };
    await svc.run(training, { params });
    const res = await other.run(training, { params });
    expect(byId(res)["make-data"]!.status).toBe("CACHED");
    expect(byId(res).train!.status).toBe("SUCCEEDED");
    await other.close();
  });

  it("runs, caches and resumes on PostgreSQL as on SQLite", async () => {
    const pg = await freshTracking("postgres");
    const other = await pipelinesFor(pg, { executor: svc.executor, workRoot: tempDir("gyre-work-") });
    try {
      const res = await other.run(fanout, { params: { parts: 2 } });
      expect(res.run.status).toBe("SUCCEEDED");
      expect(byId(res).total!.status).toBe("SUCCEEDED");
      const again = await other.run(fanout, { params: { parts: 2 } });
      expect(again.steps.filter((r) => r.item === null).map((r) => r.status)).toEqual([
        "CACHED",
        "CACHED",
        "CACHED",
      ]);
      expect((await other.listRuns({ pipeline: "fanout", status: "SUCCEEDED" })).length).toBe(2);
      expect((await other.resume(res.run.runId).then((h) => h.done)).run.status).toBe("SUCCEEDED");
    } finally {
      await other.close();
      await pg.close();
    }
  });
});
