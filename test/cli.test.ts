import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTracking, type TrackingClient } from "../src/metadata/index.js";
import type { RunningServer } from "../src/server/index.js";
import { CLI_CWD, CLI_ENV, CLI_NODE_ARGS, type CliResult, gyre, json, ROOT } from "./harness/cli.js";
import { freshServer, tempDir } from "./harness/stores.js";

const NODE_ARGS = CLI_NODE_ARGS;
const ENV = CLI_ENV;
const CWD = CLI_CWD;
type Result = CliResult;

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Items<T> {
  items: T[];
}
type ExpItem = { experimentId: string; name: string; lifecycleStage: string };
type RunItem = { info: { runId: string; runName: string; lifecycleStage: string } };

describe.each(["sqlite", "http"] as const)("gyre CLI over %s", (kind) => {
  let server: RunningServer | undefined;
  let client: TrackingClient;
  let cli: (...args: string[]) => Promise<Result>;
  let expName: string;
  const runs: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };

  beforeAll(async () => {
    const dir = tempDir("gyre-cli-");
    const artifacts = `file://${join(dir, "artifacts")}`;
    server = kind === "http" ? await freshServer("sqlite") : undefined;
    const store = server?.url ?? `sqlite://${join(dir, "gyre.db")}`;
    cli = (...args) => gyre(["--store", store, "--artifacts", artifacts, ...args]);
    client = await openTracking({ store, artifacts });
    expName = unique("search");
    const exp = await client.createExperiment(expName);
    const seed = { a: [0.9, "0.01"], b: [0.5, "0.1"], c: [0.7, "0.001"] } as const;
    for (const [name, [acc, lr]] of Object.entries(seed)) {
      const run = await client.createRun({ experimentId: exp.experimentId, runName: name });
      await client.logBatch(run.info.runId, {
        metrics: [{ key: "acc", value: acc, timestamp: Date.now(), step: 3 }],
        params: [{ key: "lr", value: lr }],
      });
      runs[name as keyof typeof runs] = run.info.runId;
    }
  });
  afterAll(async () => {
    await client.close();
    await server?.close();
  });

  it("creates, lists, deletes and restores experiments", async () => {
    const name = unique("exp");
    const created = json<ExpItem & { tags: unknown[] }>(
      await cli("experiments", "create", name, "--tag", "team=cli", "--json"),
    );
    expect(created).toMatchObject({ name, lifecycleStage: "active", tags: [{ key: "team", value: "cli" }] });
    const id = created.experimentId;
    const ids = async (...flags: string[]) =>
      json<Items<ExpItem>>(await cli("experiments", "list", ...flags)).items.map((e) => e.experimentId);

    expect(await ids("--json")).toContain(id);
    const again = await cli("experiments", "create", name);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/^error \[TRACKING_EXPERIMENT_EXISTS\]/);

    const deleted = await cli("experiments", "delete", name);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`gyre experiments restore ${id}`);
    expect(await ids("--json")).not.toContain(id);
    expect(await ids("--deleted", "--json")).toContain(id);

    expect(json(await cli("--json", "experiments", "restore", id))).toMatchObject({
      lifecycleStage: "active",
    });
    const table = await cli("experiments", "list");
    expect(table.stdout).toMatch(/^ID\s+NAME\s+STAGE/);
    expect(table.stdout).toContain(name);
  });

  it("searches runs with an OR filter and shows the columns it mentions", async () => {
    const filter = "metrics.acc > 0.8 OR params.lr = '0.1'";
    const args = [
      "runs",
      "search",
      "--experiment",
      expName,
      "--filter",
      filter,
      "--order-by",
      "metrics.acc DESC",
    ];
    const page = json<Items<RunItem>>(await cli(...args, "--json"));
    expect(page.items.map((r) => r.info.runId)).toEqual([runs.a, runs.b]);

    const table = await cli(...args);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split("\n");
    expect(header).toMatch(/^RUN ID\s+NAME\s+STATUS\s+START \(UTC\)\s+metrics\.acc\s+params\.lr$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${runs.a}\\s+a\\s+RUNNING\\s+\\S+ \\S+\\s+0\\.9\\s+0\\.01$`));

    const listed = json<Items<RunItem>>(await cli("runs", "list", "--experiment", expName, "--json"));
    expect(listed.items).toHaveLength(3);
  });

  it("shows a run for people and as JSON", async () => {
    const human = await cli("runs", "show", runs.b);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Run ${runs.b}`);
    expect(human.stdout).toMatch(/experiment\s+search-\w+ \(id \d+\)/);
    expect(human.stdout).toMatch(/Params\n\s+KEY\s+VALUE\n\s+lr\s+0\.1\n/);
    expect(human.stdout).toMatch(/Metrics \(latest\)\n.*\n\s+acc\s+0\.5\s+3\s/);
    const run = json<RunItem & { data: { params: unknown[] } }>(await cli("runs", "show", runs.b, "--json"));
    expect(run.info.runName).toBe("b");
    expect(run.data.params).toEqual([{ key: "lr", value: "0.1" }]);
  });

  it("puts, lists and gets artifacts with matching sha256", async () => {
    const dir = tempDir("gyre-cli-files-");
    const local = join(dir, "weights.bin");
    const bytes = randomBytes(300_000);
    writeFileSync(local, bytes);
    const put = json<{ path: string; size: number; sha256: string }>(
      await cli("artifacts", "put", runs.c, local, "model/", "--json"),
    );
    expect(put).toMatchObject({ path: "model/weights.bin", size: bytes.length, sha256: sha256(bytes) });

    const listed = json<Items<{ path: string; sha256: string }>>(
      await cli("artifacts", "list", runs.c, "model", "--json"),
    );
    expect(listed.items).toEqual([
      expect.objectContaining({ path: "model/weights.bin", sha256: sha256(bytes) }),
    ]);

    const out = join(dir, "copy.bin");
    const got = json(await cli("artifacts", "get", runs.c, "model/weights.bin", "-o", out, "--json"));
    expect(got).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
    expect(readFileSync(out).equals(bytes)).toBe(true);
    const piped = await cli("artifacts", "get", runs.c, "model/weights.bin");
    expect(piped.code).toBe(0);
    expect(piped.bytes.equals(bytes)).toBe(true);
  });

  it("exits 4 for what is not found and 2 for invalid input, with a hint", async () => {
    const [noRun, noExp, badFilter, noArtifact, noFile] = await Promise.all([
      cli("runs", "show", "0123456789abcdef0123456789abcdef"),
      cli("runs", "list", "--experiment", unique("missing")),
      cli("runs", "search", "--experiment", expName, "--filter", "metrics.acc >>> 1"),
      cli("artifacts", "get", runs.a, "nothing-here.txt"),
      cli("artifacts", "put", runs.a, join(CWD, "no-such-file.bin")),
    ]);
    expect([noRun.code, noExp.code, badFilter.code, noArtifact.code, noFile.code]).toEqual([4, 4, 2, 4, 2]);
    expect(noRun.stderr).toMatch(/^error \[TRACKING_RUN_NOT_FOUND\]/);
    expect(noExp.stderr).toContain("list them with `gyre experiments list`");
    expect(badFilter.stderr).toMatch(/^error \[TRACKING_SEARCH_SYNTAX\].*\n {2}field: filter\n$/);
    expect(noFile.stderr).toContain("does not exist");
  });

  it("deletes a run so that lists no longer show it", async () => {
    const run = await client.createRun({
      experimentId: (await client.getExperimentByName(expName))!.experimentId,
    });
    expect(json(await cli("runs", "delete", run.info.runId, "--json"))).toMatchObject({
      lifecycleStage: "deleted",
    });
    const listed = json<Items<RunItem>>(await cli("runs", "list", "--experiment", expName, "--json"));
    expect(listed.items.map((r) => r.info.runId)).not.toContain(run.info.runId);
  });
});

/** The `{url, store, artifacts}` line among the server's stdout lines (its JSON logs have no `url`). */
async function serverInfo(stdout: Readable): Promise<{ url: string; store: string } | undefined> {
  for await (const line of createInterface({ input: stdout })) {
    const parsed = JSON.parse(line) as { url?: string; store: string };
    if (parsed.url) return { url: parsed.url, store: parsed.store };
  }
  return undefined;
}

describe("gyre CLI", () => {
  it("has an Examples section in every command's --help", async () => {
    const commands = [
      [],
      ["server"],
      ["experiments", "list"],
      ["runs", "search"],
      ["artifacts", "put"],
      ["demo"],
    ];
    const results = await Promise.all(commands.map((c) => gyre([...c, "--help"])));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("\nExamples:\n  $ gyre");
    }
    expect(results[4]!.stdout).toContain("--json");
  });

  it("reports usage mistakes with exit code 2", async () => {
    const r = await gyre(["experiments", "list", "--max-results", "lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected a whole number");
  });

  it("starts a server with --json, answers /health and stops on SIGTERM", async () => {
    const dir = tempDir("gyre-cli-server-");
    const args = ["--store", `sqlite://${join(dir, "gyre.db")}`, "--artifacts", `file://${join(dir, "art")}`];
    const argv = [...NODE_ARGS, ...args, "server", "--port", "0", "--json"];
    const child = spawn(process.execPath, argv, { cwd: CWD, env: ENV });
    try {
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const info = await serverInfo(child.stdout);
      if (!info) throw new Error(`gyre server did not start: ${stderr}`);
      expect(info.store).toBe(args[1]);
      const health = await fetch(`${info.url}/health`);
      expect(await health.text()).toBe("OK");
      const pipelines = await fetch(`${info.url}/api/v1/pipelines`);
      expect(await pipelines.json()).toEqual({ pipelines: [] });
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toContain("stopping gyre server");
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("runs through the bin/gyre.js launcher over the build in dist/ (npm run build)", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, "bin", "gyre.js"), "--version"],
        { cwd: CWD, env: ENV },
        (_e, o, e) => resolve({ stdout: o, stderr: e }),
      );
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
