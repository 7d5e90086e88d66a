import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type LogBatch, openTracking, type TrackingClient } from "../src/metadata/index.js";
import { BACKENDS, freshStoreUri, tempDir } from "./harness/stores.js";

const SERVER_SCRIPT = join(import.meta.dirname, "fixtures", "server-main.ts");
const POINTS = 200;
const CLIENTS = 6;
const RUNS = 3;
const KILLS = 3;

interface ServerProcess {
  url: string;
  proc: ChildProcess;
}

/** Starts the fixture server in its own process on `store`; resolves once it listens. */
function startServerProcess(store: string, artifacts: string): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", SERVER_SCRIPT, store, artifacts], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    proc.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const first = stdout.split("\n")[0]!;
      if (first.length < stdout.length) resolve({ url: (JSON.parse(first) as { url: string }).url, proc });
    });
    proc.once("exit", (code) => reject(new Error(`server exited with ${code} before listening:\n${stderr}`)));
  });
}

/** Batch b: POINTS points of "m" at steps b*POINTS … (b+1)*POINTS-1, plus a tag and a param naming it. */
function crashBatch(b: number): LogBatch {
  const metrics = Array.from({ length: POINTS }, (_, i) => ({
    key: "m",
    value: i,
    timestamp: 1_700_000_000_000 + b,
    step: b * POINTS + i,
  }));
  return { metrics, tags: [{ key: `batch.${b}`, value: "1" }], params: [{ key: `p${b}`, value: String(b) }] };
}

/**
 * Streams batches from CLIENTS concurrent clients until the server dies. Every batch number is handed out
 * once (`sent`); those that got HTTP 200 go to `acked`. An error while the server is alive is a failure.
 */
async function streamUntilKilled(
  client: TrackingClient,
  runIds: string[],
  state: { next: number; sent: Set<number>; acked: Set<number> },
  isKilled: () => boolean,
): Promise<void> {
  const worker = async () => {
    while (!isKilled()) {
      const b = state.next++;
      state.sent.add(b);
      try {
        await client.logBatch(runIds[b % RUNS]!, crashBatch(b));
        state.acked.add(b);
      } catch (e) {
        if (!isKilled()) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
}

/**
 * Asserts that every sent batch is either fully present (all POINTS points, its tag and its param) or
 * fully absent, that every acknowledged batch is present, and that nothing unsent is present.
 */
async function expectAllOrNothing(
  client: TrackingClient,
  runIds: string[],
  sent: Set<number>,
  acked: Set<number>,
): Promise<void> {
  const points = new Map<number, number>();
  const tagged = new Set<number>();
  const withParam = new Set<number>();
  for (const runId of runIds) {
    for (const m of (await client.getMetricHistory(runId, "m")).items) {
      const b = Math.floor(m.step / POINTS);
      points.set(b, (points.get(b) ?? 0) + 1);
    }
    const run = await client.getRun(runId);
    for (const t of run.data.tags) if (t.key.startsWith("batch.")) tagged.add(Number(t.key.slice(6)));
    for (const p of run.data.params) withParam.add(Number(p.key.slice(1)));
  }
  const present = [...points.keys()].sort((x, y) => x - y);
  expect(
    present.filter((b) => !sent.has(b)),
    "batches present that were never sent",
  ).toEqual([]);
  expect(
    present.filter((b) => points.get(b) !== POINTS),
    "batches with only part of their points",
  ).toEqual([]);
  expect(
    [...tagged].sort((x, y) => x - y),
    "batches whose tag and points disagree",
  ).toEqual(present);
  expect(
    [...withParam].sort((x, y) => x - y),
    "batches whose param and points disagree",
  ).toEqual(present);
  expect(
    [...acked].filter((b) => !points.has(b)),
    "acknowledged batches missing",
  ).toEqual([]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills the server process with `signal` and resolves once it is gone. */
async function stop(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  const exited = once(server.proc, "exit");
  server.proc.kill(signal);
  await exited;
}

describe.each(BACKENDS)("%s: kill -9 of the server during a stream of log-batch calls", (backend) => {
  it("keeps every acknowledged batch in full and no batch in part, across restarts", async () => {
    const store = await freshStoreUri(backend);
    const artifacts = `file://${tempDir("gyre-artifacts-")}`;
    let server = await startServerProcess(store, artifacts);
    let client = await openTracking({ store: server.url, artifacts });
    try {
      const exp = await client.createExperiment("crash");
      const runIds: string[] = [];
      for (let r = 0; r < RUNS; r++)
        runIds.push((await client.createRun({ experimentId: exp.experimentId })).info.runId);
      const state = { next: 0, sent: new Set<number>(), acked: new Set<number>() };

      for (let kill = 0; kill < KILLS; kill++) {
        let killed = false;
        let streaming = true;
        const stream = streamUntilKilled(client, runIds, state, () => killed).finally(() => {
          streaming = false;
        });
        // Kill once a random number of further batches is acknowledged, plus a random sub-batch delay.
        const target = state.acked.size + 20 + Math.floor(Math.random() * 120);
        while (streaming && state.acked.size < target) await sleep(2);
        await sleep(Math.random() * 10);
        killed = true;
        await stop(server, "SIGKILL");
        await stream;
        await client.close();

        server = await startServerProcess(store, artifacts);
        client = await openTracking({ store: server.url, artifacts });
        await expectAllOrNothing(client, runIds, state.sent, state.acked);
      }
      expect(state.acked.size).toBeGreaterThan(0);
    } finally {
      await client.close();
      await stop(server, "SIGTERM");
    }
  });
});
