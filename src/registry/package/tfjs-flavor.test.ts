import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { logisticPackageOptions, tempDir } from "../../../test/fixtures/model-package.js";
import { isGyreError } from "../../core/index.js";
import { checkTfjsFlavor, type WritePackageOptions, writePackage } from "./index.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

/** model.json and weights.bin of a real TF.js layers model, as tfjs's file:// handler lays them out. */
let modelJson: Record<string, unknown>;
let weights: Uint8Array;
beforeAll(async () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [2], activation: "sigmoid" })],
  });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, ...rest } = artifacts;
      weights = new Uint8Array(weightData as ArrayBuffer);
      modelJson = { ...rest, weightsManifest: [{ paths: ["weights.bin"], weights: weightSpecs }] };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  model.dispose();
});

function tfjsPackage(files: Record<string, Uint8Array | string>): WritePackageOptions {
  const encoded = Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? new TextEncoder().encode(v) : v]),
  );
  return {
    ...logisticPackageOptions(),
    flavor: "tfjs",
    files: encoded,
    frameworks: { "@tensorflow/tfjs": tf.version.tfjs },
  };
}

async function check(options: WritePackageOptions): Promise<{ code: string; message: string } | null> {
  const pkg = join(dir, `pkg-${Math.random().toString(36).slice(2)}`);
  const manifest = await writePackage(pkg, options);
  try {
    await checkTfjsFlavor(pkg, manifest);
    return null;
  } catch (e) {
    if (isGyreError(e)) return e;
    throw e;
  }
}

describe("checkTfjsFlavor", () => {
  it("passes for a layers model saved by TF.js", async () => {
    expect(weights.byteLength).toBe(12);
    expect(
      await check(tfjsPackage({ "model.json": JSON.stringify(modelJson), "weights.bin": weights })),
    ).toBeNull();
  });

  it("fails when the weights file is short, unlisted, or model.json is not a layers model", async () => {
    const short = await check(
      tfjsPackage({ "model.json": JSON.stringify(modelJson), "weights.bin": weights.slice(4) }),
    );
    expect([short?.code, short?.message]).toEqual([
      "REGISTRY_MODEL_INVALID",
      expect.stringContaining("12 bytes"),
    ]);
    const unlisted = await check(tfjsPackage({ "model.json": JSON.stringify(modelJson) }));
    expect(unlisted?.message).toContain("'weights.bin'");
    const notJson = await check(tfjsPackage({ "model.json": "{", "weights.bin": weights }));
    expect(notJson?.message).toContain("not valid JSON");
    const noTopology = { ...modelJson, modelTopology: undefined };
    const graph = await check(
      tfjsPackage({ "model.json": JSON.stringify(noTopology), "weights.bin": weights }),
    );
    expect(graph?.message).toContain("modelTopology");
  });
});
