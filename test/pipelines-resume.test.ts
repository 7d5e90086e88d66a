import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  definePipeline,
  defineStep,
  openPipelines,
  type PipelineRunSummary,
  type PipelineService,
  type StepRecord,
} from "../src/pipelines/index.js";
import { chain, start } from "./fixtures/pipelines/pipelines.js";
import { freshStoreUri, tempDir } from "./harness/stores.js";

const MAIN = join(import.meta.dirname, "fixtures", "pipelines", "orchestrator-main.ts");

let uris: { store: string; artifacts: string };
let svc: PipelineService;
const workRoot = tempDir("gyre-work-");

beforeAll(async () => {
  uris = { store: await freshStoreUri("sqlite"), artifacts: `file://${tempDir("gyre-artifacts-")}` };
  svc = await openPipelines(uris, { workers: 1, workRoot, env: { PATH: process.env.PATH } });
});

afterAll(async () => {
  await svc?.close();
});

function byId(s: PipelineRunSummary): Record<string, StepRecord> {
  return Object.fromEntries(s.steps.map((r) => [r.stepId, r]));
}

function lines(path: string): string[] {
  return readFileSync(path, "utf8").trim().split("\n");
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("crash safety and resume", () => {
  it("resumes after kill -9 of the orchestrator without re-running completed steps", async () => {
    const marks = join(tempDir(), "marks.txt");
    const params = JSON.stringify({ slowMs: 1500, marks });
    const child = spawn(
      process.execPath,
      ["--import", "tsx", MAIN, uris.store, uris.artifacts, workRoot, params],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const [line] = (await once(child.stdout!, "data")) as [Buffer];
    const { runId } = JSON.parse(line.toString().split("\n")[0]!) as { runId: string };
    await waitFor(async () => byId(await svc.status(runId)).c?.status === "RUNNING");
    const before = byId(await svc.status(runId));
    child.kill("SIGKILL");
    await once(child, "exit");
    expect((await svc.status(runId)).run.status).toBe("RUNNING");

    const res = await (await svc.resume(runId)).done;
    const s = byId(res);
    expect(res.run.status).toBe("SUCCEEDED");
    expect(lines(marks).sort()).toEqual(["a", "b", "c", "c", "d"]);
    expect(s.a!.trackingRunId).toBe(before.a!.trackingRunId);
    expect(s.b!.trackingRunId).toBe(before.b!.trackingRunId);
    expect(s.c!.trackingRunId).toBe(before.c!.trackingRunId);
    const out = await svc.tracking.downloadArtifact(s.d!.trackingRunId!, "outputs/out");
    let text = "";
    for await (const c of out) text += c.toString();
    expect(text).toBe("a\nb\nc\nd\n");
  });

  it("refuses to resume a run that a live orchestrator is driving", async () => {
    const handle = await svc.start(chain, { params: { slowMs: 300 } });
    await expect(svc.resume(handle.runId)).rejects.toMatchObject({ code: "PIPELINE_RUN_ACTIVE" });
    await handle.done;
  });

  it("retries from the failed step after its code is fixed", async () => {
    const marks = join(tempDir(), "marks.txt");
    const mod = join(tempDir(), "fixme.ts");
    const body = (fixed: boolean) =>
      `import { appendFileSync, readFileSync, writeFileSync } from "node:fs";\n` +
      `export default (ctx: any) => {\n  appendFileSync(${JSON.stringify(marks)}, "fixme\\n");\n` +
      (fixed ? "" : `  throw new Error("bug in fixme");\n`) +
      `  writeFileSync(ctx.outputs.out, readFileSync(ctx.inputs.in, "utf8") + "fixed\\n");\n};\n`;
    writeFileSync(mod, body(false));
    const fixme = defineStep({
      name: "fixme",
      module: mod,
      inputs: { in: "file" },
      outputs: { out: "file" },
    });
    const p = definePipeline({
      name: "fixable",
      build(b) {
        const a = b.step(start, { id: "a", params: { marks } });
        b.step(fixme, { inputs: { in: a.outputs.out } });
      },
    });
    const failed = await svc.run(p);
    expect(failed.run.status).toBe("FAILED");
    expect(byId(failed).fixme!.error!.message).toBe("bug in fixme");

    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(mod, body(true));
    const res = await (await svc.resume(failed.run.runId)).done;
    expect(res.run.error).toBeNull();
    expect(res.run.status).toBe("SUCCEEDED");
    expect(lines(marks)).toEqual(["a", "fixme", "fixme"]);
    expect(byId(res).a!.trackingRunId).toBe(byId(failed).a!.trackingRunId);
  });
});
