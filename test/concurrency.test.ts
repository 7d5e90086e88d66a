import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GyreConfig } from "../src/core/config.js";
import { openTracking, type Tag, type TrackingClient } from "../src/metadata/index.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import type { WriterReport, WriterSpec, WriterTargets } from "./fixtures/tracking-writer.js";
import { expectedContent, type Target } from "./fixtures/writer-batches.js";
import { freshConfig } from "./harness/stores.js";

const WRITERS = 16;
const BATCHES = 40;
const RUNS_EVERY = 10;
const WRITER_SCRIPT = join(import.meta.dirname, "fixtures", "tracking-writer.ts");

/**
 * Runs one writer process per spec. All of them load first, then get "go" at once so that they open
 * the store at the same moment; once all have opened it, `targets()` prepares what they write to.
 * Resolves with every writer's report.
 */
async function runWriters(
  specs: WriterSpec[],
  targets: () => Promise<WriterTargets>,
): Promise<WriterReport[]> {
  const procs = specs.map((spec) => {
    const proc = spawn(process.execPath, ["--import", "tsx", WRITER_SCRIPT, JSON.stringify(spec)], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    proc.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const failure = () =>
      new Error(`writer ${spec.writer} exited with ${proc.exitCode}:\n${stdout}\n${stderr}`);
    // "close", not "exit": only then has all of the writer's stdout arrived.
    const closed = new Promise<void>((resolve) => proc.once("close", () => resolve()));
    const printed = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (stdout.split("\n").includes(line)) resolve();
        };
        proc.stdout.on("data", check);
        check();
        void closed.then(() => reject(failure()));
      });
    const done = closed.then(() => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (proc.exitCode !== 0 || !last.startsWith("{")) throw failure();
      return JSON.parse(last) as WriterReport;
    });
    return { proc, ready: printed("ready"), opened: printed("opened"), done };
  });
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) p.proc.stdin.write("go\n");
  await Promise.all(procs.map((p) => p.opened));
  const line = `${JSON.stringify(await targets())}\n`;
  for (const p of procs) p.proc.stdin.end(line);
  return Promise.all(procs.map((p) => p.done));
}

function byKey(x: Tag, y: Tag): number {
  return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
}

/** Asserts that the run holds exactly what the acknowledged batches wrote: every point, param and tag. */
async function expectRunHolds(
  reader: TrackingClient,
  runId: string,
  target: Target,
  acked: { writer: number; batches: number[] }[],
): Promise<void> {
  const want = expectedContent(target, acked);
  const run = await reader.getRun(runId);
  expect([...run.data.params].sort(byKey)).toEqual(want.params);
  const tags = run.data.tags.filter((t) => !t.key.startsWith("mlflow.") && t.key !== "last").sort(byKey);
  expect(tags).toEqual(want.tags);
  const history = (await reader.getMetricHistory(runId, "loss")).items;
  expect(history.map((m) => m.step)).toEqual(want.steps);
  expect(history.every((m) => m.value === m.step)).toBe(true);
  const latest = run.data.metrics.find((m) => m.key === "loss");
  expect(latest?.step).toBe(want.steps.at(-1));
  if (target === "shared") {
    const last = run.data.tags.find((t) => t.key === "last")?.value;
    expect(want.tags.map((t) => t.key)).toContain(last);
  }
}

function specs(stores: string[], artifacts: string): WriterSpec[] {
  return Array.from({ length: WRITERS }, (_, w) => ({
    store: stores[w % stores.length]!,
    artifacts,
    writer: w,
    batches: BATCHES,
    runsEvery: RUNS_EVERY,
  }));
}

/** How the 16 writers reach a fresh store: directly, through one server over SQLite, or half and half. */
const KINDS = ["sqlite", "http", "sqlite+http", "postgres"] as const;

describe.each(KINDS)("%s: 16 parallel writers", (kind) => {
  let server: RunningServer | undefined;
  let config: GyreConfig;
  let writerStores: string[];

  beforeAll(async () => {
    config = await freshConfig(kind === "postgres" ? "postgres" : "sqlite");
    if (kind !== "sqlite" && kind !== "postgres") server = await startServer(config);
    writerStores =
      kind === "http" ? [server!.url] : kind === "sqlite+http" ? [config.store, server!.url] : [config.store];
  });
  afterAll(async () => {
    await server?.close();
  });

  it("open the store at once, then lose no acknowledged point, param, tag or run, and see no error", async () => {
    let reader: TrackingClient | undefined;
    let sharedRunId = "";
    let experimentId = "";
    try {
      // The writers have opened (and, on a fresh file, migrated) the store before anyone else touches it.
      const reports = await runWriters(specs(writerStores, config.artifacts), async () => {
        reader = await openTracking({ store: server?.url ?? config.store, artifacts: config.artifacts });
        experimentId = (await reader.createExperiment(`concurrency-${kind}`)).experimentId;
        sharedRunId = (await reader.createRun({ experimentId, runName: "shared" })).info.runId;
        return { experimentId, sharedRunId };
      });

      expect(reports.flatMap((r) => r.errors)).toEqual([]);
      const all = Array.from({ length: BATCHES }, (_, b) => b);
      for (const r of reports) {
        expect(r.ackedShared).toEqual(all);
        expect(r.ackedOwn).toEqual(all);
      }
      const shared = reports.map((r, writer) => ({ writer, batches: r.ackedShared }));
      await expectRunHolds(reader!, sharedRunId, "shared", shared);
      for (const [writer, r] of reports.entries())
        await expectRunHolds(reader!, r.ownRunId!, "own", [{ writer, batches: r.ackedOwn }]);

      const runs = await reader!.searchRuns({ experimentIds: [experimentId], maxResults: 5000 });
      const created = [sharedRunId, ...reports.flatMap((r) => [r.ownRunId!, ...r.extraRunIds])];
      expect(runs.items.map((r) => r.info.runId).sort()).toEqual(created.sort());
      expect(created).toHaveLength(1 + WRITERS * (1 + BATCHES / RUNS_EVERY));
    } finally {
      await reader?.close();
    }
  });
});
