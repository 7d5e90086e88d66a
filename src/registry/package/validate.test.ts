import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logisticPackageOptions, tempDir } from "../../../test/fixtures/model-package.js";
import { logisticModel } from "../../../test/fixtures/onnx-graphs.js";
import { isGyreError } from "../../core/index.js";
import { packPackage, unpackPackage, validatePackage, writePackage } from "./index.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function failure(
  pkg: string,
): Promise<{ code: string; field?: string; message: string; details?: unknown }> {
  try {
    await validatePackage(pkg);
  } catch (e) {
    if (isGyreError(e)) return e;
    throw e;
  }
  throw new Error("expected validatePackage to fail");
}

describe("validatePackage", () => {
  it("returns flavor, signature and manifest of a valid package directory or .tar.gz", async () => {
    const pkg = join(dir, "pkg");
    const manifest = await writePackage(pkg, logisticPackageOptions());
    expect(await validatePackage(pkg)).toEqual({ flavor: "onnx", signature: manifest.signature, manifest });
    await packPackage(pkg, join(dir, "m.tar.gz"));
    expect((await validatePackage(join(dir, "m.tar.gz"))).manifest).toEqual(manifest);
    await unpackPackage(join(dir, "m.tar.gz"), join(dir, "out"));
    expect((await validatePackage(join(dir, "out"))).manifest).toEqual(manifest);
  });

  it("fails with REGISTRY_PACKAGE_INVALID on a schema problem or a tampered file, listing the problems", async () => {
    const pkg = join(dir, "pkg");
    await writePackage(pkg, logisticPackageOptions());
    await writeFile(join(pkg, "README.md"), "# tampered!!!!!\n");
    const tampered = await failure(pkg);
    expect([tampered.code, tampered.field]).toEqual(["REGISTRY_PACKAGE_INVALID", "README.md"]);
    expect(tampered.details).toEqual({ problems: [expect.objectContaining({ problem: "sha256" })] });
    const empty = await failure(join(dir, "nothing-here"));
    expect([empty.code, empty.field]).toEqual(["REGISTRY_PACKAGE_INVALID", "gyre-model.json"]);
  });

  it("fails with REGISTRY_SIGNATURE_MISMATCH or REGISTRY_MODEL_INVALID from the flavor check", async () => {
    const options = logisticPackageOptions();
    await writePackage(join(dir, "renamed"), {
      ...options,
      files: { "model.onnx": logisticModel("features") },
    });
    const renamed = await failure(join(dir, "renamed"));
    expect([renamed.code, renamed.field]).toEqual([
      "REGISTRY_SIGNATURE_MISMATCH",
      "signature.inputs[0].name",
    ]);
    await writePackage(join(dir, "corrupt"), {
      ...options,
      files: { "model.onnx": logisticModel().slice(0, 40) },
    });
    expect((await failure(join(dir, "corrupt"))).code).toBe("REGISTRY_MODEL_INVALID");
  });
});
