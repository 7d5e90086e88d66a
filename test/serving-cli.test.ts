import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_CWD, CLI_ENV, CLI_NODE_ARGS, gyre, json } from "./harness/cli.js";
import { flightsPackages, registeredFlights } from "./harness/serving.js";
import { tempDir } from "./harness/stores.js";

/**
 * The CLI as users run it: `gyre deployments` against the metadata database, `gyre serve --workers 2` as a
 * node:cluster with metrics aggregated across workers and a graceful stop on SIGTERM, and `gyre predict`.
 */
describe("gyre serve, deployments, predict", () => {
  let fixture: Awaited<ReturnType<typeof registeredFlights>>;
  let stores: string[];
  let request: string;
  let records: Record<string, unknown>[];

  beforeAll(async () => {
    const { packages, rows } = await flightsPackages([{ kind: "linear" }]);
    fixture = await registeredFlights("sqlite", "flights", [packages[0]!.dir]);
    await fixture.registry.setAlias("flights", "champion", 1);
    stores = ["--store", fixture.config.store, "--artifacts", fixture.config.artifacts];
    records = rows
      .slice(0, 3)
      .map(({ delayed: _d, ...r }) => ({ ...r, destination: packages[0]!.destinations[0] }));
    request = join(tempDir("gyre-predict-"), "request.json");
    writeFileSync(request, JSON.stringify({ dataframe_records: records }));
  });
  afterAll(() => fixture?.close());

  it("creates, lists, changes and deletes deployments", async () => {
    const created = json(
      await gyre([
        "deployments",
        "create",
        "flights",
        "--model",
        "flights@champion",
        "--canary",
        "flights/1",
        "--percent",
        "10",
        ...stores,
        "--json",
      ]),
    );
    expect(created).toMatchObject({
      name: "flights",
      origin: "store",
      spec: { canary: { model: "flights/1", percent: 10 } },
    });
    const changed = json(
      await gyre([
        "deployments",
        "set-traffic",
        "flights",
        "--no-canary",
        "--shadow",
        "flights/1",
        "--shadow-rate",
        "0.5",
        ...stores,
        "--json",
      ]),
    );
    expect(changed).toMatchObject({
      spec: { name: "flights", model: "flights@champion", shadow: { model: "flights/1", sampleRate: 0.5 } },
    });
    expect((changed.spec as Record<string, unknown>).canary).toBeUndefined();
    const table = await gyre(["deployments", "list", ...stores]);
    expect(table.stdout).toContain("primary flights@champion 100% · shadow flights/1 (50% mirrored)");
    const missing = await gyre(["deployments", "create", "ghost", "--model", "nope@champion", ...stores]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("SERVING_DEPLOYMENT_INVALID");
    const help = await gyre(["deployments", "create", "--help"]);
    expect(help.stdout).toContain("Examples:");
  });

  it("serves with two workers, answers gyre predict, aggregates metrics and stops gracefully", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      [...CLI_NODE_ARGS, "serve", "--port", "0", "--workers", "2", ...stores, "--json"],
      {
        cwd: CLI_CWD,
        env: CLI_ENV,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d.toString();
    });
    try {
      const [line] = (await once(child.stdout!, "data")) as [Buffer];
      const { url, workers } = JSON.parse(line.toString()) as { url: string; workers: number };
      expect(workers).toBe(2);
      const answer = json<{ predictions: { probability: number }[] }>(
        await gyre(["predict", "flights", "--input", request, "--url", url, "--json"]),
      );
      expect(answer.predictions).toHaveLength(3);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`${url}/deployments/flights/invocations`, {
            method: "POST",
            headers: { "content-type": "application/json", connection: "close" },
            body: JSON.stringify({ dataframe_records: records }),
          }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const total = [
        ...metrics.matchAll(/gyre_serving_requests_total\{deployment="flights",[^}]*\} (\d+)/g),
      ].reduce((a, m) => a + Number(m[1]), 0);
      // The primary answer plus 40, whichever worker took them; shadow copies are counted under their own variant.
      const shadow = [
        ...metrics.matchAll(
          /gyre_serving_requests_total\{deployment="flights",[^}]*variant="shadow"[^}]*\} (\d+)/g,
        ),
      ].reduce((a, m) => a + Number(m[1]), 0);
      expect(total - shadow).toBe(41);
      // Both workers serve v1; the aggregated info gauge stays 1 (not one per worker).
      expect(metrics).toMatch(
        /gyre_serving_variant_info\{deployment="flights",variant="primary",[^}]*\} 1\n/,
      );
      const unknown = await gyre(["predict", "nope", "--input", request, "--url", url]);
      expect([unknown.code, unknown.stderr]).toEqual([4, expect.stringContaining("not served")]);
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number];
      expect(code).toBe(0);
      expect(stderr).toContain("draining");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("says where to start the server when it cannot reach it", async () => {
    const r = await gyre(["predict", "flights", "--input", request, "--url", "http://127.0.0.1:9"]);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain("start it with `gyre serve`");
  });
});
