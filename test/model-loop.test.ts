import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlights } from "../src/cli/demo/flights.js";
import {
  packPackage,
  type RegistryClient,
  readPackage,
  unpackPackage,
  validatePackage,
  verifyPackage,
} from "../src/registry/index.js";
import { connect, type Gyre } from "../src/sdk/index.js";
import type { RunningServer } from "../src/server/index.js";
import { type Head, predict, type Row, type TrainedModel, trainTabular } from "../src/training/index.js";
import { download, feeds, spec, toRow } from "./harness/flights.js";
import { freshServer, tempDir } from "./harness/stores.js";

/**
 * Issue 3's loop end to end against a real server: train on real flights through the SDK, register from the
 * run (the package validator loads the ONNX graph), move `champion` twice, read alias history and lineage,
 * pack/unpack/verify, and score with ONNX Runtime exactly as the trainer does.
 */
describe("train → register → alias → lineage → package → ONNX Runtime", () => {
  let server: RunningServer;
  let gyre: Gyre;
  let registry: RegistryClient;
  let train: Row[];
  let test: Row[];
  let digest: string;
  const models: { runId: string; trained: TrainedModel }[] = [];

  beforeAll(async () => {
    server = await freshServer("sqlite");
    gyre = await connect({ store: server.url });
    registry = await gyre.registry();
    const file = await loadFlights();
    digest = file.sha256.slice(0, 16);
    const rows = file.flights.map(toRow);
    train = rows.filter((_, i) => file.flights[i]!.date < "2001/02/15").slice(0, 4000);
    test = rows.filter((_, i) => file.flights[i]!.date >= "2001/03").slice(0, 1000);
    const heads: [number, Head][] = [
      [1, { kind: "linear" }],
      [2, { kind: "mlp", hidden: [16] }],
    ];
    for (const [seed, head] of heads) {
      const run = await gyre.startRun({ experiment: "model-loop", runName: `seed-${seed}` });
      await run.logInputs([
        { tags: [], dataset: { name: "flights-20k", digest, sourceType: "local", source: file.path } },
      ]);
      const trained = await trainTabular(train, spec, {
        head,
        epochs: 2,
        seed,
        testData: test,
        run,
        progress: false,
      });
      await run.end();
      models.push({ runId: run.runId, trained });
    }
  }, 120_000);
  afterAll(async () => {
    await gyre.close();
    await server.close();
  });

  it("registers READY versions with the ONNX flavor and the package's signature", async () => {
    await registry.createRegisteredModel("flights");
    for (const [i, m] of models.entries()) {
      const v = await registry.createModelVersion({
        name: "flights",
        source: `runs:/${m.runId}/model`,
        runId: m.runId,
      });
      expect(v).toMatchObject({ version: i + 1, status: "READY", flavor: "onnx", runId: m.runId });
      expect(JSON.stringify(v.signature)).toContain('"probability"');
    }
  });

  it("marks a version FAILED_REGISTRATION for a corrupt graph or a missing artifact, changing nothing else", async () => {
    const run = await gyre.startRun({ experiment: "model-loop", runName: "corrupt" });
    const good = await download(gyre.tracking, models[0]!.runId, "model/gyre-model.json");
    await run.logArtifact(good, "model/gyre-model.json");
    await run.logArtifact(Buffer.from("not an onnx graph"), "model/model.onnx");
    await run.end();
    const corrupt = await registry.createModelVersion({
      name: "flights",
      source: `runs:/${run.runId}/model`,
    });
    expect(corrupt.status).toBe("FAILED_REGISTRATION");
    expect(corrupt.statusMessage).toMatch(/^REGISTRY_PACKAGE_INVALID|^REGISTRY_MODEL_INVALID/);
    const missing = await registry.createModelVersion({
      name: "flights",
      source: `runs:/${run.runId}/nothing-here`,
    });
    expect(missing).toMatchObject({ status: "FAILED_REGISTRATION" });
    expect(missing.statusMessage).toContain("No model files");
    await expect(registry.setAlias("flights", "champion", corrupt.version)).rejects.toMatchObject({
      code: "REGISTRY_VERSION_NOT_READY",
    });
    expect((await registry.getLatestVersions("flights")).map((v) => v.version)).toContain(missing.version);
  });

  it("moves champion twice and answers which version it pointed to at any time", async () => {
    await registry.setAlias("flights", "champion", 1, { reason: "first model" });
    const afterFirst = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await registry.setAlias("flights", "champion", 2, { reason: "mlp beats linear" });
    await new Promise((r) => setTimeout(r, 5));
    const afterSecond = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    await registry.setAlias("flights", "champion", 1, { reason: "roll back" });
    expect((await registry.getModelVersionByAlias("flights", "champion")).version).toBe(1);
    const history = await registry.aliasHistory("flights", "champion");
    expect(history.events.map((e) => [e.fromVersion, e.toVersion, e.reason])).toEqual([
      [null, 1, "first model"],
      [1, 2, "mlp beats linear"],
      [2, 1, "roll back"],
    ]);
    expect((await registry.aliasHistory("flights", "champion", { at: afterFirst })).version).toBe(1);
    expect((await registry.aliasHistory("flights", "champion", { at: afterSecond })).version).toBe(2);
  });

  it("traces a version to its run, dataset digest and commit, and back from the digest", async () => {
    const graph = await registry.lineage("flights", 2);
    const kinds = graph.nodes.map((n) => n.kind).sort();
    expect(kinds).toEqual(expect.arrayContaining(["dataset", "model_version", "run"]));
    expect(graph.nodes.find((n) => n.kind === "dataset")?.id).toBe(`dataset:${digest}`);
    expect(graph.edges).toContainEqual(expect.objectContaining({ from: `run:${models[1]!.runId}` }));
    const users = await registry.versionsUsingDataset(digest);
    expect(users.map((v) => v.version).sort()).toEqual([1, 2]);
  });

  it("packs, unpacks and verifies the package, and ONNX Runtime reproduces the trainer's predictions", async () => {
    const dir = tempDir("gyre-loop-pkg-");
    const { runId, trained } = models[1]!;
    for (const f of ["model.onnx", "gyre-model.json"]) {
      await writeFile(join(dir, f), await download(gyre.tracking, runId, `model/${f}`));
    }
    expect((await verifyPackage(dir)).ok).toBe(true);
    const archive = join(tempDir("gyre-loop-tar-"), "flights-2.tar.gz");
    await packPackage(dir, archive);
    const out = join(tempDir("gyre-loop-out-"), "pkg");
    await unpackPackage(archive, out);
    expect(await verifyPackage(out)).toMatchObject({ ok: true, problems: [] });
    const { signature } = await validatePackage(out);
    const manifest = await readPackage(out);
    expect(manifest.metrics?.rocAuc).toBeGreaterThan(0.5);
    const session = await ort.InferenceSession.create(join(out, manifest.model));
    const probs = (await session.run(feeds(signature as never, test))).probability!.data as Float32Array;
    const expected = predict(trained, test);
    let max = 0;
    for (let i = 0; i < test.length; i++) max = Math.max(max, Math.abs(probs[i]! - expected[i]!));
    expect(max).toBeLessThanOrEqual(1e-5);
    await session.release();
  });

  it("accepts registration shaped exactly as MLflow's client sends it", async () => {
    const runId = models[0]!.runId;
    const res = await fetch(`${server.url}/api/2.0/mlflow/model-versions/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "flights", source: `runs:/${runId}/model`, run_id: runId }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_version: { status: string; version: string } };
    expect(body.model_version.status).toBe("READY");
    const alias = await fetch(
      `${server.url}/api/2.0/mlflow/registered-models/alias?name=flights&alias=champion`,
    );
    expect(((await alias.json()) as { model_version: { version: string } }).model_version.version).toBe("1");
  });
});
