import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logisticPackageOptions, tempDir } from "../../../test/fixtures/model-package.js";
import { onnxModel } from "../../../test/fixtures/onnx-graphs.js";
import { isGyreError } from "../../core/index.js";
import { checkOnnxFlavor, type ModelSignature, type WritePackageOptions, writePackage } from "./index.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function check(
  options: WritePackageOptions,
): Promise<{ code: string; field?: string; message: string } | null> {
  const pkg = join(dir, `pkg-${Math.random().toString(36).slice(2)}`);
  const manifest = await writePackage(pkg, options);
  try {
    await checkOnnxFlavor(pkg, manifest);
    return null;
  } catch (e) {
    if (isGyreError(e)) return e;
    throw e;
  }
}

function withSignature(edit: (s: ModelSignature) => void): WritePackageOptions {
  const options = logisticPackageOptions();
  const signature = structuredClone(options.signature);
  edit(signature);
  return { ...options, signature };
}

/** A graph with a string and a float input, as a tabular model with raw features has. */
const tabular = onnxModel(
  [
    { name: "distance", dtype: "float32", dims: ["N", 1] },
    { name: "origin", dtype: "string", dims: ["N", 1] },
  ],
  [{ name: "label", dtype: "string", dims: ["N", 1] }],
  [{ opType: "Identity", input: ["origin"], output: ["label"] }],
);

describe("checkOnnxFlavor", () => {
  it("passes when names, dtypes and shapes match the graph", async () => {
    expect(await check(logisticPackageOptions())).toBeNull();
    const signature: ModelSignature = {
      inputs: [
        { name: "origin", dtype: "string", shape: [-1, 1] },
        { name: "distance", dtype: "float32", shape: [-1, 1] },
      ],
      outputs: [{ name: "label", dtype: "string", shape: [-1, 1] }],
    };
    expect(
      await check({ ...logisticPackageOptions(), files: { "model.onnx": tabular }, signature }),
    ).toBeNull();
  });

  it("names a signature input the graph does not have", async () => {
    const e = await check(withSignature((s) => (s.inputs[0]!.name = "features")));
    expect([e?.code, e?.field]).toEqual(["REGISTRY_SIGNATURE_MISMATCH", "signature.inputs[0].name"]);
    expect(e?.message).toContain("'features'");
    expect(e?.message).toContain("'x'");
  });

  it("names a graph input or output the signature lacks", async () => {
    const e = await check(
      withSignature((s) => s.outputs.push({ name: "logit", dtype: "float32", shape: [-1] })),
    );
    expect([e?.code, e?.field]).toEqual(["REGISTRY_SIGNATURE_MISMATCH", "signature.outputs[1].name"]);
    const signature: ModelSignature = {
      inputs: [{ name: "origin", dtype: "string", shape: [-1, 1] }],
      outputs: [{ name: "label", dtype: "string", shape: [-1, 1] }],
    };
    const missing = await check({ ...logisticPackageOptions(), files: { "model.onnx": tabular }, signature });
    expect([missing?.code, missing?.field]).toEqual(["REGISTRY_SIGNATURE_MISMATCH", "signature.inputs"]);
    expect(missing?.message).toContain("'distance'");
  });

  it("names a dtype or shape that differs from the graph's", async () => {
    const dtype = await check(withSignature((s) => (s.inputs[0]!.dtype = "float64")));
    expect([dtype?.code, dtype?.field]).toEqual(["REGISTRY_SIGNATURE_MISMATCH", "signature.inputs[0].dtype"]);
    const width = await check(withSignature((s) => (s.inputs[0]!.shape = [-1, 3])));
    expect([width?.field, width?.message]).toEqual([
      "signature.inputs[0].shape",
      expect.stringContaining("[-1, 2]"),
    ]);
    const rank = await check(withSignature((s) => (s.outputs[0]!.shape = [-1])));
    expect(rank?.field).toBe("signature.outputs[0].shape");
    expect(await check(withSignature((s) => (s.inputs[0]!.shape = [8, 2])))).toBeNull();
  });

  it("reports corrupt bytes as REGISTRY_MODEL_INVALID", async () => {
    const options = {
      ...logisticPackageOptions(),
      files: { "model.onnx": new Uint8Array([8, 1, 0xff, 0xff, 7]) },
    };
    const e = await check(options);
    expect([e?.code, e?.field]).toEqual(["REGISTRY_MODEL_INVALID", "model"]);
    expect(e?.message).toContain("ONNX Runtime cannot load 'model.onnx'");
  });
});
