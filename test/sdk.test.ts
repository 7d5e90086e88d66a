import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTracking, type TrackingClient } from "../src/metadata/index.js";
import { connect, type Gyre } from "../src/sdk/index.js";
import type { RunningServer } from "../src/server/index.js";
import { freshServer, freshStoreUri, tempDir } from "./harness/stores.js";

const exec = promisify(execFile);

/** Runs the fixture training script in its own process; resolves with its run id and exit code. */
async function runScript(
  store: string,
  artifacts: string,
  mode: string,
): Promise<{ runId: string; code: number }> {
  const script = join(import.meta.dirname, "fixtures", "sdk-training-script.ts");
  try {
    const { stdout } = await exec(process.execPath, ["--import", "tsx", script, store, artifacts, mode]);
    return { runId: stdout.trim().split("\n")[0]!, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; code: number };
    return { runId: err.stdout.trim().split("\n")[0]!, code: err.code };
  }
}

function git(cwd: string, ...args: string[]) {
  return exec("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd });
}

describe.each(["sqlite", "http"] as const)("sdk over %s", (kind) => {
  let server: RunningServer | undefined;
  let store: string;
  let artifacts: string;
  let gyre: Gyre;
  let reader: TrackingClient;

  beforeAll(async () => {
    artifacts = `file://${tempDir("gyre-sdk-art-")}`;
    if (kind === "http") {
      server = await freshServer("sqlite");
      store = server.url;
    } else {
      store = await freshStoreUri("sqlite");
    }
    gyre = await connect({ store, artifacts });
    reader = await openTracking({ store, artifacts });
  });
  afterAll(async () => {
    await gyre.close();
    await reader.close();
    await server?.close();
  });

  it("queues metrics without blocking and stores every point on end", async () => {
    const run = await gyre.startRun({ experiment: "sdk", runName: "fast", params: { lr: 0.01, layers: 3 } });
    for (let step = 0; step < 5000; step++) run.logMetric("loss", 1 / (step + 1), step);
    run.logMetrics({ acc: 0.9, f1: 0.8 }, 4999);
    run.setTag("stage", "dev");
    await run.end();
    const stored = await reader.getRun(run.runId);
    expect(stored.info.status).toBe("FINISHED");
    expect(stored.info.endTime).toBeGreaterThan(0);
    expect(stored.data.params).toEqual([
      { key: "layers", value: "3" },
      { key: "lr", value: "0.01" },
    ]);
    expect(stored.data.metrics.find((m) => m.key === "loss")).toMatchObject({ step: 4999, value: 1 / 5000 });
    expect(stored.data.tags).toContainEqual({ key: "stage", value: "dev" });
    const history = await reader.getMetricHistory(run.runId, "loss");
    expect(history.items).toHaveLength(5000);
    expect(history.items.map((m) => m.step)).toEqual([...Array(5000).keys()]);
  });

  it("records git commit, branch and dirty flag of the working directory", async () => {
    const repo = tempDir("gyre-sdk-git-");
    await exec("git", ["init", "-q", "-b", "main"], { cwd: repo });
    writeFileSync(join(repo, "train.ts"), "x");
    await git(repo, "add", ".");
    await git(repo, "commit", "-qm", "init");
    const { stdout: sha } = await exec("git", ["rev-parse", "HEAD"], { cwd: repo });
    writeFileSync(join(repo, "train.ts"), "changed");
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      const run = await gyre.startRun({ experiment: "sdk" });
      await run.end();
      const tags = Object.fromEntries(
        (await reader.getRun(run.runId)).data.tags.map((t) => [t.key, t.value]),
      );
      expect(tags["mlflow.source.git.commit"]).toBe(sha.trim());
      expect(tags["mlflow.source.git.branch"]).toBe("main");
      expect(tags["gyre.source.git.dirty"]).toBe("true");
    } finally {
      process.chdir(cwd);
    }
  });

  it("marks a run FAILED when the wrapped function throws, and nests child runs", async () => {
    let childId = "";
    const parent = await gyre.startRun({ experiment: "sdk", runName: "sweep" });
    await expect(
      gyre.withRun({ experiment: "sdk", parent }, async (run) => {
        childId = run.runId;
        run.logMetric("loss", 1);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await parent.end();
    const child = await reader.getRun(childId);
    expect(child.info.status).toBe("FAILED");
    expect(child.info.parentRunId).toBe(parent.runId);
    expect(child.data.metrics).toHaveLength(1);
  });

  it("surfaces background write errors on flush instead of losing them silently", async () => {
    const run = await gyre.startRun({ experiment: "sdk", params: { lr: 0.1 } });
    run.logParam("lr", 0.2);
    await expect(run.flush()).rejects.toMatchObject({ code: "TRACKING_PARAM_CHANGED" });
    run.logMetric("ok", 1);
    await run.end();
    expect((await reader.getRun(run.runId)).data.metrics.map((m) => m.key)).toEqual(["ok"]);
  });

  it("finishes a run when the process goes idle, and fails it when the process throws", async () => {
    const idle = await runScript(store, artifacts, "idle");
    expect(idle.code).toBe(0);
    const thrown = await runScript(store, artifacts, "throw");
    expect(thrown.code).toBe(1);
    for (const [r, status] of [
      [idle, "FINISHED"],
      [thrown, "FAILED"],
    ] as const) {
      const run = await reader.getRun(r.runId);
      expect(run.info.status).toBe(status);
      expect((await reader.getMetricHistory(r.runId, "loss")).items).toHaveLength(2500);
    }
  });
});
