import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "./harness/stores.js";

const MAIN = join(import.meta.dirname, "fixtures", "pipelines", "cli-main.ts");
const EXAMPLE = join(import.meta.dirname, "..", "examples", "flights-pipeline");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GYRE_")));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function gyre(args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", TSX, MAIN, ...args], { cwd, env: ENV }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr });
    });
  });
}

type Summary = { run: { runId: string; status: string }; steps: Array<{ stepId: string; status: string }> };

describe("gyre pipeline (CLI) on the flight-delays example", () => {
  it("lists, runs, re-runs from cache, shows status and logs, adds a schedule", async () => {
    const dir = tempDir("gyre-cli-");
    const stores = [
      "--store",
      `sqlite://${join(dir, "gyre.db")}`,
      "--artifacts",
      `file://${join(dir, "artifacts")}`,
    ];

    const list = await gyre(["pipeline", "list", ...stores, "--json"], EXAMPLE);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: "flight-delays" }]);

    const run = await gyre(
      ["pipeline", "run", "flight-delays", "--param", "rows=3000", ...stores, "--json"],
      EXAMPLE,
    );
    expect(run.code, run.stderr).toBe(0);
    const first = JSON.parse(run.stdout) as Summary;
    const status = Object.fromEntries(first.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({
      extract: "SUCCEEDED",
      validate: "SUCCEEDED",
      train: "SUCCEEDED",
      evaluate: "SUCCEEDED",
      report: "SUCCEEDED",
    });
    expect(["SUCCEEDED", "SKIPPED"]).toContain(status.publish);
    expect(first.steps.filter((s) => s.stepId.startsWith("airport-stats["))).toHaveLength(5);

    const again = await gyre(
      ["pipeline", "run", "flight-delays", "--param", "rows=3000", ...stores],
      EXAMPLE,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("train");
    expect(again.stdout).toMatch(/train\s+CACHED/);

    const shown = await gyre(["pipeline", "status", first.run.runId, ...stores, "--json"], dir);
    expect((JSON.parse(shown.stdout) as Summary).run.status).toBe("SUCCEEDED");
    const logs = await gyre(["pipeline", "logs", first.run.runId, "train", ...stores], dir);
    expect(logs.stdout).toContain("==> train stdout <==");
    expect(logs.stdout).toContain("fitted on");

    const add = await gyre(
      [
        "pipeline",
        "schedule",
        "add",
        "nightly",
        "flight-delays",
        "--cron",
        "0 2 * * *",
        "--timezone",
        "Europe/Berlin",
        ...stores,
        "--json",
      ],
      EXAMPLE,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({
      name: "nightly",
      timezone: "Europe/Berlin",
      catchup: "latest",
    });
    const schedules = await gyre(["pipeline", "schedule", "list", ...stores], dir);
    expect(schedules.stdout).toMatch(/nightly\s+flight-delays\s+0 2 \* \* \*\s+Europe\/Berlin\s+yes/);

    const trig = await gyre(
      [
        "pipeline",
        "trigger",
        "add",
        "on-drift",
        "flight-delays",
        "--on",
        "alert:flights",
        "--min-severity",
        "warning",
        ...stores,
        "--json",
      ],
      EXAMPLE,
    );
    expect(trig.code, trig.stderr).toBe(0);
    expect(JSON.parse(trig.stdout)).toMatchObject({
      on: { kind: "alert", deployment: "flights", minSeverity: "warning" },
    });
    const triggers = await gyre(["pipeline", "trigger", "list", ...stores], dir);
    expect(triggers.stdout).toMatch(/on-drift\s+flight-delays\s+alert:flights:≥warning\s+yes/);
    const badSeverity = await gyre(
      [
        "pipeline",
        "trigger",
        "add",
        "x",
        "flight-delays",
        "--on",
        "alert",
        "--min-severity",
        "huge",
        ...stores,
      ],
      EXAMPLE,
    );
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toContain("PIPELINE_TRIGGER_INVALID");

    const missing = await gyre(["pipeline", "status", "0123456789abcdef0123456789abcdef", ...stores], dir);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("PIPELINE_RUN_NOT_FOUND");
  });
});
