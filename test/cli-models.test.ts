import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTracking } from "../src/metadata/index.js";
import {
  type AliasHistory,
  type LineageGraph,
  openRegistry,
  type RegistryClient,
} from "../src/registry/index.js";
import type { RunningServer } from "../src/server/index.js";
import { type CliResult, gyre, json } from "./harness/cli.js";
import { uid } from "./harness/mlflow-rest.js";
import { freshServer, tempDir } from "./harness/stores.js";

/** `gyre models …` in its own process, in-process on SQLite and against a server. */
describe.each(["sqlite", "http"] as const)("gyre models over %s", (kind) => {
  let server: RunningServer | undefined;
  let registry: RegistryClient;
  let cli: (...args: string[]) => Promise<CliResult>;
  let name: string;
  let digest: string;

  beforeAll(async () => {
    const dir = tempDir("gyre-cli-models-");
    const artifacts = `file://${join(dir, "artifacts")}`;
    server = kind === "http" ? await freshServer("sqlite") : undefined;
    const store = server?.url ?? `sqlite://${join(dir, "gyre.db")}`;
    cli = (...args) => gyre(["--store", store, "--artifacts", artifacts, ...args]);
    const tracking = await openTracking({ store, artifacts });
    registry = await openRegistry({ store, artifacts });
    const exp = await tracking.createExperiment(uid("exp"));
    const tags = [{ key: "mlflow.source.git.commit", value: "abcdef0123456789abcdef0123456789abcdef01" }];
    const run = await tracking.createRun({ experimentId: exp.experimentId, runName: "trainer", tags });
    digest = uid("digest");
    const dataset = { name: "flights-jan", digest, sourceType: "local", source: "flights.parquet" };
    await tracking.logInputs(run.info.runId, [{ tags: [], dataset }]);
    name = uid("flights");
    await registry.createRegisteredModel(name, { description: "delay classifier" });
    await tracking.uploadArtifact(run.info.runId, "model/MLmodel", "flavors: {}\n");
    await registry.createModelVersion({ name, source: `runs:/${run.info.runId}/model` });
    await registry.createModelVersion({ name, source: "s3://bucket/model" });
    await tracking.close();
  });
  afterAll(async () => {
    await registry.close();
    await server?.close();
  });

  it("lists, shows and lists versions, as tables and as JSON", async () => {
    const list = json<{ items: { name: string }[] }>(
      await cli("models", "list", "--filter", `name = '${name}'`, "--json"),
    );
    expect(list.items.map((m) => m.name)).toEqual([name]);
    const table = await cli("models", "list");
    expect(table.stdout).toMatch(/^NAME\s+LATEST\s+ALIASES/);
    expect(table.stdout).toContain(name);
    expect(json<{ description: string }>(await cli("models", "show", name, "--json")).description).toBe(
      "delay classifier",
    );
    const versions = json<{ items: { version: number }[] }>(await cli("models", "versions", name, "--json"));
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    expect((await cli("models", "versions", name)).stdout).toMatch(/^VERSION\s+STATUS/);
  });

  it("sets and moves an alias, then reads its history and where it pointed at a moment", async () => {
    const first = json<{ version: number }>(
      await cli("models", "alias", "set", name, "champion", "1", "--reason", "first", "--json"),
    );
    expect(first.version).toBe(1);
    await sleep(20);
    const between = new Date().toISOString();
    await sleep(20);
    const moved = await cli("models", "alias", "set", name, "champion", "2", "--reason", "better AUC");
    expect(moved.stdout).toBe(`Alias 'champion' of '${name}' now points to version 2 (was version 1)\n`);

    const history = json<AliasHistory>(await cli("models", "alias", "history", name, "champion", "--json"));
    expect(history.events.map((e) => [e.fromVersion, e.toVersion, e.reason])).toEqual([
      [null, 1, "first"],
      [1, 2, "better AUC"],
    ]);
    const then = json<AliasHistory>(
      await cli("models", "alias", "history", name, "champion", "--at", between, "--json"),
    );
    expect(then.version).toBe(1);
    const table = await cli("models", "alias", "history", name, "champion", "--at", between);
    expect(table.stdout).toContain("set");
    expect(table.stdout).toMatch(/UTC it pointed to version 1\.\n$/);
    expect((await registry.getModelVersionByAlias(name, "champion")).version).toBe(2);
  });

  it("prints a version's lineage", async () => {
    const graph = json<LineageGraph>(await cli("models", "lineage", name, "1", "--json"));
    expect(graph.nodes.map((n) => n.kind).sort()).toEqual(["commit", "dataset", "model_version", "run"]);
    const tree = await cli("models", "lineage", name, "1");
    expect(tree.stdout).toContain(`dataset flights-jan digest=${digest}`);
    expect(tree.stdout).toContain("← commit abcdef0123456789abcdef0123456789abcdef01");
  });

  it("exits with the error's code and says what went wrong", async () => {
    const missing = await cli("models", "show", uid("missing"));
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("REGISTRY_MODEL_NOT_FOUND");
    const reserved = await cli("models", "alias", "set", name, "latest", "1");
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain("'latest' alias name (case insensitive) is reserved.");
    const badTime = await cli("models", "alias", "history", name, "champion", "--at", "yesterday-ish");
    expect(badTime.code).toBe(2);
    expect((await cli("models", "--help")).stdout).toContain("Examples:");
  });
});
