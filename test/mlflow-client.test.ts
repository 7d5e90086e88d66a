import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/index.js";
import { freshServer } from "./harness/stores.js";

const exec = promisify(execFile);
const SCRIPT = join(import.meta.dirname, "fixtures", "mlflow_rest_client.py");
const PYTHONS = ["python3", "/usr/bin/python3"];

/** The first Python 3 that can `import requests`; the test fails (never skips) without one. */
async function findPython(): Promise<string> {
  for (const python of PYTHONS) {
    try {
      await exec(python, ["-c", "import requests"]);
      return python;
    } catch {
      // try the next interpreter
    }
  }
  throw new Error(
    `None of ${PYTHONS.join(", ")} can import 'requests'. Install it: apt-get install python3-requests (or pip install requests).`,
  );
}

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Python MLflow REST client against `uri`, given on the command line or in MLFLOW_TRACKING_URI. */
async function runScript(python: string, uri: string, via: "argv" | "env"): Promise<ScriptResult> {
  const args = via === "argv" ? [SCRIPT, uri] : [SCRIPT];
  const env = { ...process.env, MLFLOW_TRACKING_URI: via === "env" ? uri : "" };
  try {
    const { stdout, stderr } = await exec(python, args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** Found once; every test awaits it, so a missing interpreter fails each test by name. */
let pythonLookup: Promise<string> | undefined;
const python = () => {
  pythonLookup ??= findPython();
  return pythonLookup;
};

describe.each([
  ["sqlite", "argv"],
  ["postgres", "env"],
] as const)("Python MLflow REST client against gyre on %s (tracking URI via %s)", (backend, via) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  it("runs the whole tracking and artifact scenario and exits 0", async () => {
    const res = await runScript(await python(), server.url, via);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^ok create experiment \d+$/),
      expect.stringMatching(/^ok create run [0-9a-f]{32}$/),
      "ok log-batch",
      "ok search runs",
      "ok metric history",
      "ok artifacts",
      "ok finish run",
      "PASS",
    ]);
    expect(res.code).toBe(0);

    const runId = /ok create run ([0-9a-f]{32})/.exec(res.stdout)![1]!;
    const run = await server.tracking.getRun(runId);
    expect(run.info.status).toBe("FINISHED");
    expect(run.data.params).toEqual([
      { key: "layers", value: "3" },
      { key: "lr", value: "0.01" },
    ]);
    expect(Number.isNaN(run.data.metrics.find((m) => m.key === "grad_norm")?.value)).toBe(true);
    expect(await server.tracking.artifactRecords(runId)).toEqual([
      expect.objectContaining({ path: "data/sample.csv", size: 16 + 256 }),
    ]);
  });
});

describe("Python MLflow REST client against a server that deviates from the spec", () => {
  let fake: Server;
  let url: string;
  beforeAll(async () => {
    // Answers 200 to everything but never returns an experiment id: the script must notice.
    fake = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end('{"experiment_id": 7}');
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    const addr = fake.address();
    url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.close(resolve));
  });

  it("exits non-zero and says which step failed", async () => {
    const res = await runScript(await python(), url, "argv");
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("FAIL create experiment: experiment_id 7");
    expect(res.stdout).not.toContain("PASS");
  });

  it("exits 2 with usage help when no tracking URI is given", async () => {
    const res = await runScript(await python(), "", "env");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("MLFLOW_TRACKING_URI");
  });
});
