import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingService } from "../src/metadata/index.js";
import {
  definePipeline,
  defineStep,
  type PipelineRunSummary,
  type PipelineService,
  param,
  pipelinesFor,
  type StepRecord,
} from "../src/pipelines/index.js";
import { freshTracking, tempDir } from "./harness/stores.js";

const steps = new URL("./fixtures/pipelines/steps.ts", import.meta.url);
const out = { out: "file" } as const;
const flaky = defineStep({
  name: "flaky",
  module: steps,
  export: "flaky",
  outputs: out,
  params: { counter: param.string(), failures: param.number(1) },
  retries: 2,
  backoff: { initialMs: 20 },
  cache: false,
});
const spin = defineStep({ name: "spin", module: steps, export: "spin", outputs: out, timeoutMs: 300 });
const die = defineStep({ name: "die", module: steps, export: "die", outputs: out });
const forgetful = defineStep({ name: "forgetful", module: steps, export: "forgetful", outputs: out });
const nap = defineStep({
  name: "nap",
  module: steps,
  export: "nap",
  outputs: out,
  params: { ms: param.number(10) },
  cache: false,
});
const pass = defineStep({
  name: "pass",
  module: steps,
  export: "pass",
  inputs: { in: "file" },
  outputs: out,
  cache: false,
});
const sleepCmd = defineStep({ name: "sleep", command: "sleep 5", outputs: out, timeoutMs: 300 });
const exit3 = defineStep({
  name: "exit3",
  command: ["python3", "-c", "import sys; print('bad input', file=sys.stderr); sys.exit(3)"],
  outputs: out,
});

let tracking: TrackingService;
let svc: PipelineService;

beforeAll(async () => {
  tracking = await freshTracking("sqlite");
  svc = await pipelinesFor(tracking, {
    workers: 2,
    workRoot: tempDir("gyre-work-"),
    env: { PATH: process.env.PATH },
  });
});

afterAll(async () => {
  await svc?.close();
  await tracking?.close();
});

function byId(s: PipelineRunSummary): Record<string, StepRecord> {
  return Object.fromEntries(s.steps.map((r) => [r.stepId, r]));
}

/** One failing step `bad` (with a downstream `after`), next to an independent `ok` branch. */
function around(bad: typeof spin) {
  return definePipeline({
    name: `around-${bad.spec.name}`,
    build(p) {
      const b = p.step(bad, { id: "bad" });
      p.step(pass, { id: "after", inputs: { in: b.outputs.out } });
      p.step(nap, { id: "ok", params: { ms: 5 } });
    },
  });
}

async function text(runId: string, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await tracking.downloadArtifact(runId, path)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("pipeline failure semantics", () => {
  it("retries a retryable failure with backoff, then succeeds", async () => {
    const counter = join(tempDir(), "count");
    const p = definePipeline({
      name: "retry",
      build: (b) => void b.step(flaky, { params: { counter, failures: 2 } }),
    });
    const res = await svc.run(p);
    const s = byId(res).flaky!;
    expect(res.run.status).toBe("SUCCEEDED");
    expect(s.attempt).toBe(3);
    const stderr = await text(s.trackingRunId!, "logs/stderr.txt");
    expect(stderr).toContain("--- attempt 1 ---");
    expect(stderr).toContain("flaky failure #2");
  });

  it("gives up when retries run out, and skips downstream steps", async () => {
    const counter = join(tempDir(), "count");
    const p = definePipeline({
      name: "retry-out",
      build(b) {
        const f = b.step(flaky, { params: { counter, failures: 9 }, retries: 1 });
        b.step(pass, { inputs: { in: f.outputs.out } });
      },
    });
    const res = await svc.run(p);
    const s = byId(res);
    expect(res.run.status).toBe("FAILED");
    expect(s.flaky).toMatchObject({
      status: "FAILED",
      attempt: 2,
      error: { reason: "error", message: "flaky failure #2" },
    });
    expect(s.pass).toMatchObject({ status: "SKIPPED", error: { reason: "upstream" }, trackingRunId: null });
    expect(res.run.error).toBe("Step 'flaky' failed: flaky failure #2");
    expect((await tracking.getRun(s.flaky!.trackingRunId!)).info.status).toBe("FAILED");
  });

  it("times out a function step by killing its worker, and keeps other branches going", async () => {
    const res = await svc.run(around(spin));
    const s = byId(res);
    expect(s.bad).toMatchObject({
      status: "FAILED",
      error: { reason: "timeout", message: "Timed out after 300 ms" },
    });
    expect(s.after!.status).toBe("SKIPPED");
    expect(s.ok!.status).toBe("SUCCEEDED");
    expect(s.bad!.outputs).toBeNull();
  });

  it("times out a command step, killing its process group", async () => {
    const started = Date.now();
    const res = await svc.run(around(sleepCmd));
    expect(byId(res).bad).toMatchObject({ status: "FAILED", error: { reason: "timeout" } });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("fails a step whose worker dies, a non-zero exit and a missing declared output", async () => {
    const died = byId(await svc.run(around(die))).bad!;
    expect(died).toMatchObject({ status: "FAILED", error: { reason: "worker-died" } });
    expect(died.error!.message).toContain("exit code 3");

    const exited = byId(await svc.run(around(exit3))).bad!;
    expect(exited).toMatchObject({ status: "FAILED", error: { reason: "exit" } });
    expect(await text(exited.trackingRunId!, "logs/stderr.txt")).toContain("bad input");

    const forgot = byId(await svc.run(around(forgetful))).bad!;
    expect(forgot).toMatchObject({ status: "FAILED", error: { reason: "output-missing", retryable: false } });
    expect(forgot.error!.message).toContain("'out'");
  });

  it("does not retry a step that throws a fatal (non-retryable) error", async () => {
    const dir = tempDir();
    const mod = join(dir, "fatal-step.ts");
    const errors = new URL("../src/pipelines/index.ts", import.meta.url).pathname;
    await import("node:fs").then((fs) =>
      fs.writeFileSync(
        mod,
        `import { fatal } from ${JSON.stringify(errors)};\nexport default () => { throw fatal("schema is wrong"); };\n`,
      ),
    );
    const step = defineStep({ name: "strict", module: mod, outputs: out, retries: 3 });
    const res = await svc.run(definePipeline({ name: "fatal-ts", build: (b) => void b.step(step) }));
    expect(byId(res).strict).toMatchObject({
      status: "FAILED",
      attempt: 1,
      error: { code: "PIPELINE_STEP_FATAL", retryable: false },
    });
  });

  it("cancels a run, killing its running step", async () => {
    const long = defineStep({ name: "long", command: "sleep 30", outputs: out });
    const p = definePipeline({
      name: "cancel-me",
      build(b) {
        const l = b.step(long);
        b.step(pass, { inputs: { in: l.outputs.out } });
      },
    });
    const handle = await svc.start(p);
    await waitFor(async () => (await svc.status(handle.runId)).steps.some((s) => s.status === "RUNNING"));
    const started = Date.now();
    await svc.cancel(handle.runId);
    const res = await handle.done;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.run.status).toBe("CANCELLED");
    expect(byId(res).long!.status).toBe("CANCELLED");
    expect(byId(res).pass!.status).toBe("CANCELLED");
    expect((await tracking.getRun(handle.runId)).info.status).toBe("KILLED");
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}
