import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { definePipeline, openPipelines } from "../src/pipelines/index.js";
import { nap } from "./fixtures/pipelines/defs.js";
import { makeData } from "./fixtures/pipelines/pipelines.js";
import { tempDir } from "./harness/stores.js";

const MAIN = join(import.meta.dirname, "fixtures", "pipelines", "cli-main.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GYRE_")));

/** Writes data (logging a line), then naps long enough for `logs -f` to attach mid-run. */
const logged = definePipeline({
  name: "logged",
  build: (p) => {
    const data = p.step(makeData, { id: "data", params: { rows: 7 }, cache: false });
    p.step(nap, { id: "rest", params: { ms: 1500 }, after: [data] });
  },
});

describe("gyre pipeline logs -f", () => {
  it("follows a run driven by another process until it ends, printing status changes and step logs", async () => {
    const dir = tempDir("gyre-logs-");
    const uris = { store: `sqlite://${join(dir, "gyre.db")}`, artifacts: `file://${join(dir, "artifacts")}` };
    const svc = await openPipelines(uris, { workers: 1, workRoot: tempDir("gyre-work-") });
    try {
      svc.register(logged);
      const handle = await svc.start("logged");
      const args = [
        "pipeline",
        "logs",
        "-f",
        handle.runId,
        "--store",
        uris.store,
        "--artifacts",
        uris.artifacts,
      ];
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--import", TSX, MAIN, ...args],
          { cwd: dir, env: ENV },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }),
        );
      });
      expect(out.code, out.stderr).toBe(0);
      expect((await handle.done).run.status).toBe("SUCCEEDED");
      expect(out.stdout).toContain("==> data stdout <==");
      expect(out.stdout).toContain("wrote 7 rows");
      const lines = out.stderr.trim().split("\n");
      expect(lines.some((l) => /rest\s+SUCCEEDED/.test(l))).toBe(true);
      expect(lines.at(-1)).toMatch(/run logged\s+SUCCEEDED/);
    } finally {
      await svc.close();
    }
  });
});
