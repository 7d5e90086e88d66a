import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openArtifactStore } from "../artifacts/index.js";
import { openMetadataStore, TrackingService } from "../metadata/index.js";
import { groupCommit } from "./group-commit.js";
import { pipelinesFor } from "./index.js";
import { atomically, type Deps } from "./run-context.js";

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "gyre-gc-"));
  const tracking = new TrackingService(
    await openMetadataStore("memory://"),
    await openArtifactStore(`file://${dir}`),
  );
  const svc = await pipelinesFor(tracking, { workers: 1, workRoot: dir });
  let transactions = 0;
  const counted: Deps["atomic"] = (fn) => {
    transactions++;
    return atomically(tracking, svc.store)(fn);
  };
  const exp = await tracking.ensureExperiment("gc");
  const close = async () => {
    await svc.close();
    await tracking.close();
  };
  return { tracking, atomic: groupCommit(counted), exp, transactions: () => transactions, close };
}

describe("group commit", () => {
  it("runs the units handed over in one turn in one transaction", async () => {
    const { tracking, atomic, exp, transactions, close } = await setUp();
    const ids = await Promise.all(
      [1, 2, 3].map((i) =>
        atomic(async (t) => (await t.tracking.createRun({ experimentId: exp, runName: `r${i}` })).info.runId),
      ),
    );
    expect(transactions()).toBe(1);
    expect((await Promise.all(ids.map((id) => tracking.getRun(id)))).map((r) => r.info.runName)).toEqual([
      "r1",
      "r2",
      "r3",
    ]);
    await close();
  });

  it("fails a failing unit alone: its companions run again and commit", async () => {
    const { tracking, atomic, exp, transactions, close } = await setUp();
    let doomed = "";
    const results = await Promise.allSettled([
      atomic(async (t) => (await t.tracking.createRun({ experimentId: exp, runName: "a" })).info.runId),
      atomic(async (t) => {
        doomed = (await t.tracking.createRun({ experimentId: exp, runName: "b" })).info.runId;
        throw new Error("b fails");
      }),
      atomic(async (t) => (await t.tracking.createRun({ experimentId: exp, runName: "c" })).info.runId),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: "b fails" });
    // The batch, then each unit alone.
    expect(transactions()).toBe(4);
    expect(await tracking.store.getRun(doomed)).toBeNull();
    for (const r of [results[0], results[2]])
      expect((await tracking.getRun((r as PromiseFulfilledResult<string>).value)).info.lifecycleStage).toBe(
        "active",
      );
    const names = (await tracking.searchRuns({ experimentIds: [exp] })).items
      .map((r) => r.info.runName)
      .sort();
    expect(names).toEqual(["a", "c"]);
    await close();
  });
});
