import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logisticPackageOptions, tempDir } from "../../../test/fixtures/model-package.js";
import { type GyreError, isGyreError } from "../../core/index.js";
import { readPackage, verifyPackage, writePackage } from "./index.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function rejection(promise: Promise<unknown>): Promise<GyreError> {
  try {
    await promise;
  } catch (e) {
    if (isGyreError(e)) return e;
    throw e;
  }
  throw new Error("expected a GyreError");
}

// biome-ignore lint/suspicious/noExplicitAny: tests break the manifest on purpose, in ways its type forbids
type LooseJson = Record<string, any>;

async function editManifest(edit: (m: LooseJson) => void): Promise<void> {
  const path = join(dir, "gyre-model.json");
  const manifest = JSON.parse(await readFile(path, "utf8"));
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

describe("writePackage / readPackage", () => {
  it("round-trips the manifest, with size and sha256 of every file sorted by path", async () => {
    const written = await writePackage(dir, logisticPackageOptions());
    expect(written.files.map((f) => f.path)).toEqual(["README.md", "model.onnx"]);
    // sha256sum of "# flights-delay\n"
    expect(written.files[0]).toEqual({
      path: "README.md",
      size: 16,
      sha256: "439f39716ec63c886b951e6af566ddcc147b300a2774303474da43019c32b8ae",
    });
    expect(written).toMatchObject({
      formatVersion: 1,
      name: "flights-delay",
      flavor: "onnx",
      model: "model.onnx",
    });
    expect(written.createdAt).toBe("2026-03-01T12:00:00.000Z");
    expect(await readPackage(dir)).toEqual(written);
    expect(await verifyPackage(dir)).toEqual({ ok: true, problems: [], manifest: written });
  });

  it("copies files given by local path, in nested folders, and packages a file already in place", async () => {
    const source = join(dir, "src.bin");
    await writeFile(source, "weights");
    await mkdir(join(dir, "pkg"));
    await writeFile(join(dir, "pkg", "model.onnx"), "in place");
    const pkg = join(dir, "pkg");
    const options = logisticPackageOptions();
    const manifest = await writePackage(pkg, {
      ...options,
      files: { "model.onnx": join(pkg, "model.onnx"), "weights/w.bin": source },
    });
    expect(manifest.files.map((f) => [f.path, f.size])).toEqual([
      ["model.onnx", 8],
      ["weights/w.bin", 7],
    ]);
    expect(await readFile(join(pkg, "weights", "w.bin"), "utf8")).toBe("weights");
    expect((await verifyPackage(pkg)).ok).toBe(true);
  });

  it("refuses options that make an invalid manifest before writing anything, naming the field", async () => {
    const options = logisticPackageOptions();
    const pkg = join(dir, "pkg");
    const cases: [Parameters<typeof writePackage>[1], string][] = [
      [{ ...options, files: { "../model.onnx": new Uint8Array(1) } }, 'files["../model.onnx"]'],
      [{ ...options, files: { "a.onnx": new Uint8Array(1), "b.onnx": new Uint8Array(1) } }, "model"],
      [{ ...options, model: "missing.onnx" }, "model"],
      [
        {
          ...options,
          signature: {
            ...options.signature,
            inputs: [{ name: "x", dtype: "float16" as "float32", shape: [] }],
          },
        },
        "signature.inputs[0].dtype",
      ],
      [{ ...options, metrics: { auc: Number.NaN } }, "metrics.auc"],
    ];
    for (const [bad, field] of cases) {
      const e = await rejection(writePackage(pkg, bad));
      expect([e.code, e.field]).toEqual(["REGISTRY_PACKAGE_INVALID", field]);
    }
    await expect(readFile(join(pkg, "model.onnx"))).rejects.toThrow();
  });

  it("names the JSON path of the first bad field and lists every issue", async () => {
    await writePackage(dir, logisticPackageOptions());
    await editManifest((m) => {
      m.signature.outputs[0].shape = [-1, 0];
      m.files[1].sha256 = "XYZ";
      m.extra = true;
    });
    const e = await rejection(readPackage(dir));
    expect(e.code).toBe("REGISTRY_PACKAGE_INVALID");
    expect(e.field).toBe("files[1].sha256");
    expect(e.message).toContain("gyre-model.json");
    expect(e.message).toContain("files[1].sha256");
    const issues = (e.details!.issues as { field: string }[]).map((i) => i.field);
    expect(issues.sort()).toEqual(["extra", "files[1].sha256", "signature.outputs[0].shape[1]"]);
  });

  it("explains a missing manifest, invalid JSON, a newer format version and cross-field rules", async () => {
    expect((await rejection(readPackage(dir))).message).toContain("there is no gyre-model.json");
    await writePackage(dir, logisticPackageOptions());
    await editManifest((m) => {
      m.formatVersion = 2;
    });
    const newer = await rejection(readPackage(dir));
    expect([newer.field, newer.message]).toEqual(["formatVersion", expect.stringContaining("format 1 only")]);
    await editManifest((m) => {
      m.formatVersion = 1;
      m.signature.inputs.push({ name: "x", dtype: "float32", shape: [1] });
    });
    expect((await rejection(readPackage(dir))).field).toBe("signature.inputs[1].name");
    await writeFile(join(dir, "gyre-model.json"), "{ not json");
    const notJson = await rejection(readPackage(dir));
    expect([notJson.code, notJson.field]).toEqual(["REGISTRY_PACKAGE_INVALID", "gyre-model.json"]);
  });
});

describe("verifyPackage", () => {
  beforeEach(() => writePackage(dir, logisticPackageOptions()).then(() => undefined));

  it("reports a tampered file by sha256 and a truncated one by size", async () => {
    await writeFile(join(dir, "README.md"), "# flights-delaY\n");
    await writeFile(join(dir, "model.onnx"), "short");
    const result = await verifyPackage(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.path, p.problem])).toEqual([
      ["README.md", "sha256"],
      ["model.onnx", "size"],
    ]);
  });

  it("reports missing files, unexpected files and symlinks", async () => {
    await rm(join(dir, "README.md"));
    await mkdir(join(dir, "extra"));
    await writeFile(join(dir, "extra", "notes.txt"), "x");
    await symlink("/etc/passwd", join(dir, "link"));
    const result = await verifyPackage(dir);
    expect(result.problems.map((p) => [p.path, p.problem])).toEqual([
      ["README.md", "missing"],
      ["extra/notes.txt", "unexpected"],
      ["link", "unexpected"],
    ]);
  });

  it("reports schema problems by field, and a missing manifest", async () => {
    await editManifest((m) => {
      m.flavor = "pytorch";
    });
    const result = await verifyPackage(dir);
    expect(result.ok).toBe(false);
    expect(result.manifest).toBeUndefined();
    expect(result.problems.map((p) => [p.path, p.problem])).toEqual([["flavor", "schema"]]);
    await rm(join(dir, "gyre-model.json"));
    expect((await verifyPackage(dir)).problems.map((p) => [p.path, p.problem])).toEqual([
      ["gyre-model.json", "missing"],
    ]);
  });
});
