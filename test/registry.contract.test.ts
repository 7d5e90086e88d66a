import { execFile } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GyreError } from "../src/core/errors.js";
import { openRegistry, type RegistrationValidator } from "../src/registry/index.js";
import { connect } from "../src/sdk/index.js";
import { uid } from "./harness/mlflow-rest.js";
import { freshRegistry, type RegistryFixture } from "./harness/registry.js";
import { CLIENT_KINDS, freshServer, freshStoreUri, tempDir } from "./harness/stores.js";

const WRITER = join(import.meta.dirname, "fixtures", "registry-writer.ts");

/** Accepts sources ending in "/good", refuses the rest the way the package validator will. */
const validator: RegistrationValidator = async (src) => {
  if (src.source.endsWith("/good")) {
    return { flavor: "onnx", signature: { inputs: [{ name: "x", dtype: "float32", shape: [-1, 3] }] } };
  }
  throw new GyreError("REGISTRY_VALIDATION_FAILED", `ONNX graph at ${src.artifactLocation} does not load`);
};

/** The RegistryClient contract, run by every implementation: SQLite, PostgreSQL, HTTP. */
describe.each(CLIENT_KINDS)("RegistryClient contract on %s", (kind) => {
  let fx: RegistryFixture;
  beforeAll(async () => {
    fx = await freshRegistry(kind);
  });
  afterAll(async () => {
    await fx.close();
  });

  const model = async (tags: { key: string; value: string }[] = []) =>
    (await fx.registry.createRegisteredModel(uid("model"), { description: "a model", tags })).name;

  it("creates, reads, renames, describes and tags registered models", async () => {
    const r = fx.registry;
    const name = await model([{ key: "team", value: "ranking" }]);
    const got = await r.getRegisteredModel(name);
    expect(got).toMatchObject({ name, description: "a model", tags: [{ key: "team", value: "ranking" }] });
    expect(got.aliases).toEqual([]);
    expect(got.latestVersions).toEqual([]);
    await expect(r.createRegisteredModel(name)).rejects.toMatchObject({ code: "REGISTRY_MODEL_EXISTS" });

    await r.setRegisteredModelTag(name, "stage", "dev");
    await r.deleteRegisteredModelTag(name, "team");
    await r.deleteRegisteredModelTag(name, "never-set");
    expect((await r.updateRegisteredModel(name, { description: "new" })).description).toBe("new");
    const renamed = uid("renamed");
    expect((await r.renameRegisteredModel(name, renamed)).tags).toEqual([{ key: "stage", value: "dev" }]);
    await expect(r.getRegisteredModel(name)).rejects.toMatchObject({ code: "REGISTRY_MODEL_NOT_FOUND" });
    const other = await model();
    await expect(r.renameRegisteredModel(renamed, other)).rejects.toMatchObject({
      code: "REGISTRY_MODEL_EXISTS",
    });
  });

  it("validates model names", async () => {
    for (const bad of ["", "a/b", " lead", "trail ", "it's", "x:y", "a".repeat(257)]) {
      await expect(fx.registry.createRegisteredModel(bad)).rejects.toMatchObject({
        code: "REGISTRY_INVALID_NAME",
      });
    }
    expect((await fx.registry.createRegisteredModel(`Flight delays ${uid("v")}.2`)).name).toMatch(/^Flight/);
  });

  it("numbers versions per model from 1 and never reuses a number", async () => {
    const r = fx.registry;
    const [a, b] = [await model(), await model()];
    for (const n of [1, 2, 3])
      expect((await r.createModelVersion({ name: a, source: "s3://m/a" })).version).toBe(n);
    expect((await r.createModelVersion({ name: b, source: "s3://m/b" })).version).toBe(1);
    await r.deleteModelVersion(a, 3);
    const next = await r.createModelVersion({
      name: a,
      source: "s3://m/a",
      description: "d",
      tags: [{ key: "k", value: "v" }],
    });
    expect(next).toMatchObject({ version: 4, status: "READY", currentStage: "None", description: "d" });
    expect(next.tags).toEqual([{ key: "k", value: "v" }]);
    expect((await r.getRegisteredModel(a)).latestVersions.map((v) => v.version)).toEqual([4]);
    expect(await r.getLatestVersions(a, ["None"])).toHaveLength(1);
    expect(await r.getLatestVersions(a, ["Production"])).toEqual([]);
    await expect(r.getLatestVersions(a, ["Prod"])).rejects.toMatchObject({ code: "REGISTRY_INVALID_VALUE" });
    await expect(r.createModelVersion({ name: uid("none"), source: "s3://x" })).rejects.toMatchObject({
      code: "REGISTRY_MODEL_NOT_FOUND",
    });
  });

  it("gives concurrent registrations distinct, gapless numbers", async () => {
    const name = await model();
    const created = await Promise.all(
      Array.from({ length: 24 }, (_, i) => fx.registry.createModelVersion({ name, source: `s3://m/${i}` })),
    );
    expect(created.map((v) => v.version).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
  });

  it("sets, moves and deletes aliases, recording who, when, from, to and why", async () => {
    const r = fx.registry;
    const name = await model();
    for (let i = 0; i < 3; i++) await r.createModelVersion({ name, source: "s3://m" });
    const before = Date.now();
    await sleep(5);
    await r.setAlias(name, "champion", 1, { reason: "first model", userId: "ana" });
    await sleep(5);
    const t1 = Date.now();
    await sleep(5);
    await r.setAlias(name, "champion", "2", { reason: "AUC +0.02" });
    await r.setAlias(name, "champion", 2, { reason: "no-op: same version" });
    await sleep(5);
    const t2 = Date.now();
    await sleep(5);
    await r.deleteAlias(name, "champion", { reason: "rollback to nothing" });
    await r.deleteAlias(name, "champion");

    const h = await r.aliasHistory(name, "champion");
    expect(h.version).toBeNull();
    expect(h.events.map((e) => [e.fromVersion, e.toVersion, e.reason])).toEqual([
      [null, 1, "first model"],
      [1, 2, "AUC +0.02"],
      [2, null, "rollback to nothing"],
    ]);
    expect(h.events[0]!.userId).toBe("ana");
    expect(h.events[1]!.userId).not.toBe("");
    expect((await r.aliasHistory(name, "champion", { at: before })).version).toBeNull();
    expect(await r.aliasHistory(name, "champion", { at: t1 })).toMatchObject({ version: 1, at: t1 });
    expect((await r.aliasHistory(name, "champion", { at: t2 })).version).toBe(2);
    expect((await r.aliasHistory(name, "champion", { at: t2 })).events).toHaveLength(2);
    await expect(r.getModelVersionByAlias(name, "champion")).rejects.toMatchObject({
      code: "REGISTRY_ALIAS_NOT_FOUND",
    });

    await r.setAlias(name, "challenger", 3);
    expect((await r.getModelVersionByAlias(name, "challenger")).version).toBe(3);
    expect((await r.getModelVersion(name, 3)).aliases).toEqual(["challenger"]);
    expect((await r.getRegisteredModel(name)).aliases).toEqual([{ alias: "challenger", version: 3 }]);
  });

  it("validates aliases and their targets", async () => {
    const r = fx.registry;
    const name = await model();
    await r.createModelVersion({ name, source: "s3://m" });
    for (const bad of ["latest", "LATEST", "v1", "V12", "has space", "dot.ted", "", "a".repeat(256)]) {
      await expect(r.setAlias(name, bad, 1)).rejects.toMatchObject({ code: "REGISTRY_INVALID_ALIAS" });
    }
    await r.setAlias(name, "a".repeat(255), 1);
    await r.setAlias(name, "prod-eu_2", 1);
    await expect(r.setAlias(name, "champion", 9)).rejects.toMatchObject({
      code: "REGISTRY_VERSION_NOT_FOUND",
    });
    await expect(r.setAlias(name, "champion", "x")).rejects.toMatchObject({ code: "REGISTRY_INVALID_VALUE" });
    await expect(r.setAlias(uid("none"), "champion", 1)).rejects.toMatchObject({
      code: "REGISTRY_MODEL_NOT_FOUND",
    });
  });

  it("refuses to delete a version an alias points to unless forced; keeps history after model deletion", async () => {
    const r = fx.registry;
    const name = await model();
    await r.createModelVersion({ name, source: "s3://m" });
    await r.createModelVersion({ name, source: "s3://m" });
    await r.setAlias(name, "champion", 2);
    await expect(r.deleteModelVersion(name, 2)).rejects.toMatchObject({
      code: "REGISTRY_VERSION_IN_USE",
      details: { aliases: ["champion"] },
    });
    expect((await r.getModelVersion(name, 2)).aliases).toEqual(["champion"]);
    await r.deleteModelVersion(name, 2, { force: true });
    await expect(r.getModelVersion(name, 2)).rejects.toMatchObject({ code: "REGISTRY_VERSION_NOT_FOUND" });
    const h = await r.aliasHistory(name, "champion");
    expect(h.events.map((e) => [e.fromVersion, e.toVersion])).toEqual([
      [null, 2],
      [2, null],
    ]);

    await r.setAlias(name, "fallback", 1);
    await r.deleteRegisteredModel(name);
    await expect(r.getRegisteredModel(name)).rejects.toMatchObject({ code: "REGISTRY_MODEL_NOT_FOUND" });
    expect((await r.searchModelVersions({ filter: `name = '${name}'` })).items).toEqual([]);
    const kept = await r.aliasHistory(name, "fallback");
    expect(kept.events.map((e) => [e.fromVersion, e.toVersion])).toEqual([
      [null, 1],
      [1, null],
    ]);
    await expect(r.aliasHistory(uid("never"), "champion")).rejects.toMatchObject({
      code: "REGISTRY_MODEL_NOT_FOUND",
    });
  });

  it("links a version to its run, datasets and commit, and finds versions by dataset digest", async () => {
    const { registry: r, tracking: t } = fx;
    const exp = await t.createExperiment(uid("exp"));
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const run = await t.createRun({
      experimentId: exp.experimentId,
      tags: [{ key: "mlflow.source.git.commit", value: commit }],
    });
    const digest = uid("digest");
    await t.logInputs(run.info.runId, [
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: { name: "flights-2001-01", digest, sourceType: "local", source: "data/flights.parquet" },
      },
    ]);
    const other = await t.createRun({ experimentId: exp.experimentId });
    await t.uploadArtifact(run.info.runId, "model/MLmodel", "flavors: {}\n");
    const name = await model();
    const v1 = await r.createModelVersion({ name, source: `runs:/${run.info.runId}/model` });
    await r.createModelVersion({ name, source: "s3://elsewhere", runId: other.info.runId });
    expect(v1.runId).toBe(run.info.runId);
    expect(v1.artifactLocation).toBe(`${run.info.artifactUri}/model`);
    expect(await r.getModelVersionDownloadUri(name, 1)).toBe(`${run.info.artifactUri}/model`);

    const g = await r.lineage(name, 1);
    const ids = {
      mv: `model_version:${name}/1`,
      run: `run:${run.info.runId}`,
      ds: `dataset:${digest}`,
      git: `commit:${commit}`,
    };
    expect(g.root).toBe(ids.mv);
    expect(g.nodes.map((n) => [n.id, n.kind]).sort()).toEqual(
      [
        [ids.git, "commit"],
        [ids.ds, "dataset"],
        [ids.mv, "model_version"],
        [ids.run, "run"],
      ].sort(),
    );
    expect(g.nodes.find((n) => n.kind === "dataset")?.attributes).toMatchObject({
      name: "flights-2001-01",
      digest,
      context: "training",
    });
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: ids.run, to: ids.mv, kind: "produced" },
        { from: ids.ds, to: ids.run, kind: "input_to" },
        { from: ids.git, to: ids.run, kind: "source_of" },
      ]),
    );
    expect(g.edges).toHaveLength(3);

    const using = await r.versionsUsingDataset(digest);
    expect(using.map((v) => [v.name, v.version])).toEqual([[name, 1]]);
    expect(await r.versionsUsingDataset(uid("unknown"))).toEqual([]);
    const plain = await r.lineage(name, 2);
    expect(plain.nodes.map((n) => n.kind).sort()).toEqual(["model_version", "run"]);
  });

  it("refuses a run that does not exist and creates nothing", async () => {
    const r = fx.registry;
    const name = await model();
    const missing = "f".repeat(32);
    await expect(r.createModelVersion({ name, source: "s3://m", runId: missing })).rejects.toMatchObject({
      code: "REGISTRY_RUN_NOT_FOUND",
    });
    await expect(r.createModelVersion({ name, source: `runs:/${missing}/model` })).rejects.toMatchObject({
      code: "REGISTRY_RUN_NOT_FOUND",
    });
    await expect(r.createModelVersion({ name, source: "s3://m/../../etc" })).rejects.toMatchObject({
      code: "REGISTRY_INVALID_VALUE",
    });
    expect((await r.searchModelVersions({ filter: `name = '${name}'` })).items).toEqual([]);
    expect((await r.createModelVersion({ name, source: "s3://m" })).version).toBe(1);
  });

  it("searches models and versions with MLflow filters, order_by and page tokens", async () => {
    const r = fx.registry;
    const prefix = uid("srch");
    const names = [`${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
    for (const n of names)
      await r.createRegisteredModel(n, { tags: [{ key: "team", value: n.endsWith("c") ? "x" : "y" }] });
    const page1 = await r.searchRegisteredModels({ filter: `name LIKE '${prefix}%'`, maxResults: 2 });
    expect(page1.items.map((m) => m.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const page2 = await r.searchRegisteredModels({
      filter: `name LIKE '${prefix}%'`,
      maxResults: 2,
      pageToken: page1.nextPageToken!,
    });
    expect(page2.items.map((m) => m.name)).toEqual([`${prefix}-c`]);
    expect(page2.nextPageToken).toBeNull();
    const tagged = await r.searchRegisteredModels({
      filter: `name ILIKE '${prefix.toUpperCase()}%' AND tags.team = 'x'`,
    });
    expect(tagged.items.map((m) => m.name)).toEqual([`${prefix}-c`]);
    const desc = await r.searchRegisteredModels({ filter: `name LIKE '${prefix}%'`, orderBy: ["name DESC"] });
    expect(desc.items.map((m) => m.name)).toEqual([`${prefix}-c`, `${prefix}-b`, `${prefix}-a`]);

    const name = names[0]!;
    for (let i = 0; i < 4; i++) {
      await r.createModelVersion({
        name,
        source: `s3://${prefix}/${i}`,
        tags: i % 2 ? [{ key: "odd", value: "yes" }] : [],
      });
    }
    await r.setModelVersionTag(name, 1, "note", "first");
    await r.deleteModelVersionTag(name, 1, "note");
    await r.deleteModelVersionTag(name, 1, "never-set");
    expect((await r.updateModelVersion(name, 1, { description: "v1" })).description).toBe("v1");
    const versions = await r.searchModelVersions({ filter: `name = '${name}'` });
    expect(versions.items.map((v) => v.version)).toEqual([4, 3, 2, 1]);
    const odd = await r.searchModelVersions({
      filter: `name = '${name}' AND tags.odd = 'yes'`,
      orderBy: ["version_number ASC"],
    });
    expect(odd.items.map((v) => v.version)).toEqual([2, 4]);
    const newer = await r.searchModelVersions({ filter: `name = '${name}' AND version_number > 2` });
    expect(newer.items.map((v) => v.version)).toEqual([4, 3]);
    const bySource = await r.searchModelVersions({ filter: `source_path = 's3://${prefix}/0'` });
    expect(bySource.items.map((v) => [v.name, v.version])).toEqual([[name, 1]]);
    await expect(r.searchModelVersions({ filter: "metrics.acc > 1" })).rejects.toMatchObject({
      code: "REGISTRY_SEARCH_SYNTAX",
    });
    await expect(r.searchRegisteredModels({ filter: "run_id = 'x'" })).rejects.toMatchObject({
      code: "REGISTRY_SEARCH_SYNTAX",
    });
    await expect(r.searchRegisteredModels({ maxResults: 1001 })).rejects.toMatchObject({
      code: "REGISTRY_INVALID_VALUE",
    });
    await expect(r.searchRegisteredModels({ pageToken: "nope" })).rejects.toMatchObject({
      code: "REGISTRY_PAGE_TOKEN",
    });
  });

  it("keeps versions, aliases and alias history with a renamed model", async () => {
    const r = fx.registry;
    const name = await model();
    await r.createModelVersion({ name, source: "s3://m", tags: [{ key: "k", value: "v" }] });
    await r.setAlias(name, "champion", 1, { reason: "go" });
    const renamed = uid("renamed");
    await r.renameRegisteredModel(name, renamed);
    expect((await r.getModelVersionByAlias(renamed, "champion")).tags).toEqual([{ key: "k", value: "v" }]);
    expect((await r.aliasHistory(renamed, "champion")).events.map((e) => e.reason)).toEqual(["go"]);
  });
});

describe.each(CLIENT_KINDS)("registration validation on %s", (kind) => {
  let fx: RegistryFixture;
  beforeAll(async () => {
    fx = await freshRegistry(kind, { validator });
  });
  afterAll(async () => {
    await fx.close();
  });

  it("marks a version READY with flavor and signature, or FAILED_REGISTRATION with the reason, changing nothing else", async () => {
    const r = fx.registry;
    const name = (await r.createRegisteredModel(uid("validated"))).name;
    const good = await r.createModelVersion({ name, source: "s3://m/good" });
    expect(good).toMatchObject({ version: 1, status: "READY", statusMessage: null, flavor: "onnx" });
    expect(good.signature).toEqual({ inputs: [{ name: "x", dtype: "float32", shape: [-1, 3] }] });
    await r.setAlias(name, "champion", 1);

    const bad = await r.createModelVersion({ name, source: "s3://m/corrupt" });
    expect(bad).toMatchObject({ version: 2, status: "FAILED_REGISTRATION", flavor: null, signature: null });
    expect(bad.statusMessage).toBe("REGISTRY_VALIDATION_FAILED: ONNX graph at s3://m/corrupt does not load");
    expect((await r.getModelVersion(name, 2)).status).toBe("FAILED_REGISTRATION");
    expect((await r.getModelVersionByAlias(name, "champion")).version).toBe(1);
    expect((await r.aliasHistory(name, "champion")).events).toHaveLength(1);
    await expect(r.setAlias(name, "champion", 2)).rejects.toMatchObject({
      code: "REGISTRY_VERSION_NOT_READY",
    });
    expect((await r.searchModelVersions({ filter: `name = '${name}'` })).items.map((v) => v.status)).toEqual([
      "FAILED_REGISTRATION",
      "READY",
    ]);
  });
});

describe("concurrent registration from several processes on one SQLite file", () => {
  it("never hands out the same number twice", async () => {
    const store = await freshStoreUri("sqlite");
    const artifacts = `file://${tempDir("gyre-artifacts-")}`;
    const setup = await openRegistry({ store, artifacts });
    const name = (await setup.createRegisteredModel(uid("shared"))).name;
    await setup.close();
    const spec = JSON.stringify({ store, artifacts, name, count: 15 });
    const run = () =>
      new Promise<number[]>((resolve, reject) => {
        execFile(process.execPath, ["--import", "tsx", WRITER, spec], (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as number[]),
        );
      });
    const got = (await Promise.all([run(), run(), run()])).flat().sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
  });
});

describe.each(["sqlite", "http"] as const)("the SDK's registry over %s", (kind) => {
  it("registers a version from a run started with the SDK, on the same connection or server", async () => {
    const server = kind === "http" ? await freshServer("sqlite") : undefined;
    const store = server?.url ?? (await freshStoreUri("sqlite"));
    const gyre = await connect({ store, artifacts: `file://${tempDir("gyre-artifacts-")}`, cwd: tempDir() });
    try {
      const run = await gyre.startRun({ experiment: uid("sdk"), git: false, exitHooks: false });
      await run.logArtifact(Buffer.from("flavors: {}\n"), "model/MLmodel");
      await run.end("FINISHED");
      const registry = await gyre.registry();
      expect(await gyre.registry()).toBe(registry);
      const name = (await registry.createRegisteredModel(uid("sdk-model"))).name;
      const v = await registry.createModelVersion({ name, source: `runs:/${run.runId}/model` });
      expect(v).toMatchObject({ version: 1, runId: run.runId, status: "READY" });
    } finally {
      await gyre.close();
      await server?.close();
    }
  });
});
