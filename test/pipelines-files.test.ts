import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLocalArtifactStore, joinArtifactPath } from "../src/artifacts/index.js";
import { metadataTransactionOf, type TrackingService } from "../src/metadata/index.js";
import {
  type PipelineDef,
  type PipelineService,
  pipelinesFor,
  type StepRecord,
} from "../src/pipelines/index.js";
import { handoff, inspectInput } from "./fixtures/pipelines/file-steps.js";
import { BACKENDS, freshTracking, tempDir } from "./harness/stores.js";

describe("step files", () => {
  let tracking: TrackingService;
  let svc: PipelineService;
  const workRoot = tempDir("gyre-work-");

  beforeAll(async () => {
    tracking = await freshTracking("sqlite");
    svc = await pipelinesFor(tracking, { workers: 1, workRoot });
  });

  afterAll(async () => {
    await svc?.close();
    await tracking?.close();
  });

  async function metric(runId: string, key: string): Promise<number | undefined> {
    return (await tracking.getRun(runId)).data.metrics.find((m) => m.key === key)?.value;
  }

  async function storedPath(rec: StepRecord, port: string): Promise<string> {
    const store = tracking.artifacts;
    if (!isLocalArtifactStore(store)) throw new Error("expected a local artifact store");
    const ref = rec.outputs![port] as { runId: string; path: string };
    const root = tracking.runArtifactRoot(await tracking.getRun(ref.runId));
    return store.localPath(joinArtifactPath(root, ref.path));
  }

  it("stores outputs by hard link, read-only; stages inputs as links; makes work dirs on use; cleans up", async () => {
    const res = await svc.run(handoff);
    expect(res.run.status).toBe("SUCCEEDED");
    const [produce, inspect] = res.steps as [StepRecord, StepRecord];
    const stored = statSync(await storedPath(produce, "out"));
    // The file the step wrote became the stored artifact: same inode, no copy, and no longer writable.
    expect(await metric(produce.trackingRunId!, "outIno")).toBe(stored.ino);
    expect(stored.mode & 0o222).toBe(0);
    // The next step's input is the stored file itself, read-only.
    expect(await metric(inspect.trackingRunId!, "inIno")).toBe(stored.ino);
    expect(await metric(inspect.trackingRunId!, "inWritable")).toBe(0);
    // No work dir exists until a step reads ctx.workDir; then it is there to use.
    expect(await metric(inspect.trackingRunId!, "workBefore")).toBe(0);
    expect(await metric(inspect.trackingRunId!, "workUsable")).toBe(1);
    // The run's scratch directory is gone once the run ended; the digests are of what was written.
    expect(existsSync(join(workRoot, res.run.runId))).toBe(false);
    expect(readdirSync(workRoot)).toEqual([]);
    const records = await tracking.store.listArtifactRecords(produce.trackingRunId!, "outputs");
    expect(records).toMatchObject([{ path: "outputs/out", size: "made by produce\n".length }]);
  });

  it("stages a pipeline input (stored by copy, writable) read-only too, and leaves the user's file alone", async () => {
    const mine = join(tempDir("gyre-mine-"), "data.txt");
    writeFileSync(mine, "user data");
    // A def with declared inputs does not fit `PipelineDef` (its builder parameter is contravariant).
    const res = await svc.run(inspectInput as unknown as PipelineDef, { inputs: { data: mine } });
    expect(res.run.status).toBe("SUCCEEDED");
    const [inspect] = res.steps as [StepRecord];
    expect(await metric(inspect.trackingRunId!, "inWritable")).toBe(0);
    expect(await metric(inspect.trackingRunId!, "inIno")).not.toBe(statSync(mine).ino);
    expect(statSync(mine).mode & 0o200).not.toBe(0);
  });
});

describe("worker preload", () => {
  it("has every worker import a run's step modules when the run starts", async () => {
    const marks = join(tempDir("gyre-marks-"), "imports.txt");
    process.env.GYRE_TEST_IMPORT_MARKS = marks;
    const tracking = await freshTracking("sqlite");
    const svc = await pipelinesFor(tracking, { workers: 2, workRoot: tempDir("gyre-work-") });
    try {
      const { single } = await import("./fixtures/pipelines/preload-steps.js");
      expect((await svc.run(single)).run.status).toBe("SUCCEEDED");
      const workers = () =>
        new Set(
          readFileSync(marks, "utf8")
            .split("\n")
            .filter((p) => p && p !== String(process.pid)),
        ).size;
      // One step ran on one worker; the other imported the module too, in the background.
      await expect.poll(workers, { timeout: 15_000 }).toBe(2);
    } finally {
      delete process.env.GYRE_TEST_IMPORT_MARKS;
      await svc.close();
      await tracking.close();
    }
  });
});

describe.each(BACKENDS)("one transaction across tracking and pipeline tables (%s)", (backend) => {
  let tracking: TrackingService;
  let svc: PipelineService;

  beforeAll(async () => {
    tracking = await freshTracking(backend);
    svc = await pipelinesFor(tracking, { workers: 1, workRoot: tempDir("gyre-work-") });
  });

  afterAll(async () => {
    await svc?.close();
    await tracking?.close();
  });

  it("commits both stores' writes together, and rolls both back when the work fails", async () => {
    const tx = metadataTransactionOf(tracking.store)!;
    const pipelineStore = svc.store as typeof svc.store & { within(trx: unknown): typeof svc.store };
    const exp = await tracking.ensureExperiment(`tx-${backend}`);
    const parent = await tracking.createRun({ experimentId: exp });
    const step = (stepId: string): StepRecord => ({
      runId: parent.info.runId,
      stepId,
      planStep: stepId,
      item: null,
      status: "RUNNING",
      attempt: 1,
      trackingRunId: null,
      cacheKey: null,
      cachedFrom: null,
      outputs: null,
      error: null,
      startedTime: 1,
      endedTime: null,
    });
    const now = Date.now();
    await svc.store.createRun(
      {
        runId: parent.info.runId,
        pipeline: "p",
        experimentId: exp,
        plan: { name: "p", params: {}, inputs: {}, steps: [] } as never,
        params: {},
        options: { noCache: false, noCacheSteps: [], inputs: {} },
        status: "RUNNING",
        error: null,
        owner: null,
        heartbeat: null,
        cancelRequested: false,
        createdTime: now,
        updatedTime: now,
        endedTime: null,
        schedule: null,
      },
      [],
    );
    let doomed = "";
    await expect(
      tx(async (meta, trx) => {
        doomed = (await meta.createRun({ runId: "f".repeat(32), runName: "doomed", experimentId: exp })).info
          .runId;
        await pipelineStore.within(trx).saveSteps([step("doomed")]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await tracking.store.getRun(doomed)).toBeNull();
    expect(await svc.store.listSteps(parent.info.runId)).toEqual([]);

    const kept = await tx(async (meta, trx) => {
      const run = await meta.createRun({ runId: "e".repeat(32), runName: "kept", experimentId: exp });
      await pipelineStore.within(trx).saveSteps([{ ...step("kept"), trackingRunId: run.info.runId }]);
      return run.info.runId;
    });
    expect((await tracking.getRun(kept)).info.runName).toBe("kept");
    expect(await svc.store.listSteps(parent.info.runId)).toMatchObject([
      { stepId: "kept", trackingRunId: kept },
    ]);
  });
});
