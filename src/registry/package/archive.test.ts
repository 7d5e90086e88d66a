import { mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logisticPackageOptions, tempDir } from "../../../test/fixtures/model-package.js";
import { isGyreError } from "../../core/index.js";
import { packPackage, unpackPackage, verifyPackage, writePackage } from "./index.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; field?: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (isGyreError(e)) return e;
    throw e;
  }
  throw new Error("expected a GyreError");
}

describe("packPackage / unpackPackage", () => {
  it("packs exactly the listed files; unpack → verify is ok and the bytes are the same", async () => {
    const pkg = join(dir, "pkg");
    const manifest = await writePackage(pkg, logisticPackageOptions());
    const archive = join(dir, "model.tar.gz");
    const packed = await packPackage(pkg, archive);
    expect(packed).toMatchObject({ file: archive, size: (await stat(archive)).size, manifest });
    expect(packed.sha256).toMatch(/^[0-9a-f]{64}$/);
    const out = join(dir, "out");
    expect((await unpackPackage(archive, out)).sort()).toEqual([
      "README.md",
      "gyre-model.json",
      "model.onnx",
    ]);
    expect(await verifyPackage(out)).toEqual({ ok: true, problems: [], manifest });
    expect(await readFile(join(out, "model.onnx"))).toEqual(await readFile(join(pkg, "model.onnx")));
  });

  it("packs the same package to the same bytes", async () => {
    const pkg = join(dir, "pkg");
    await writePackage(pkg, logisticPackageOptions());
    const first = await packPackage(pkg, join(dir, "a.tar.gz"));
    const second = await packPackage(pkg, join(dir, "b.tar.gz"));
    expect(second.sha256).toBe(first.sha256);
  });

  it("refuses to pack a package that fails verification, and leaves no archive", async () => {
    const pkg = join(dir, "pkg");
    await writePackage(pkg, logisticPackageOptions());
    await writeFile(join(pkg, "model.onnx"), "tampered!");
    const e = await refusal(packPackage(pkg, join(dir, "bad.tar.gz")));
    expect([e.code, e.field]).toEqual(["REGISTRY_PACKAGE_INVALID", "model.onnx"]);
    expect(await readdir(dir)).toEqual(["pkg"]);
  });

  it("refuses an archive with a ../ entry before writing anything", async () => {
    const work = join(dir, "work");
    await mkdir(work);
    await writeFile(join(work, "gyre-model.json"), "{}");
    await writeFile(join(dir, "evil"), "pwned");
    const archive = join(dir, "evil.tar.gz");
    await create({ gzip: true, file: archive, cwd: work, preservePaths: true }, [
      "gyre-model.json",
      "../evil",
    ]);
    const out = join(dir, "out");
    const e = await refusal(unpackPackage(archive, out));
    expect([e.code, e.field]).toEqual(["REGISTRY_PACKAGE_INVALID", "../evil"]);
    expect(e.message).toContain("escapes the target directory");
    await expect(stat(out)).rejects.toThrow();
  });

  it("refuses symlinks and absolute paths", async () => {
    const work = join(dir, "work");
    await mkdir(work);
    await writeFile(join(work, "gyre-model.json"), "{}");
    await symlink("/etc/passwd", join(work, "model.onnx"));
    const links = join(dir, "links.tar.gz");
    await create({ gzip: true, file: links, cwd: work }, ["gyre-model.json", "model.onnx"]);
    expect((await refusal(unpackPackage(links, join(dir, "a")))).message).toContain("SymbolicLink");
    const absolute = join(dir, "absolute.tar.gz");
    await create({ gzip: true, file: absolute, cwd: work, preservePaths: true }, [
      join(work, "gyre-model.json"),
    ]);
    const e = await refusal(unpackPackage(absolute, join(dir, "b")));
    expect(e.message).toContain("absolute path");
  });

  it("refuses a non-archive, an archive without a manifest and a non-empty target", async () => {
    const junk = join(dir, "junk.tar.gz");
    await writeFile(junk, "not a tarball at all, just text that is long enough to be read as a header");
    expect((await refusal(unpackPackage(junk, join(dir, "a")))).code).toBe("REGISTRY_PACKAGE_INVALID");
    const work = join(dir, "work");
    await mkdir(work);
    await writeFile(join(work, "model.onnx"), "x");
    const bare = join(dir, "bare.tar.gz");
    await create({ gzip: true, file: bare, cwd: work }, ["model.onnx"]);
    expect((await refusal(unpackPackage(bare, join(dir, "b")))).message).toContain("no gyre-model.json");
    const pkg = join(dir, "pkg");
    await writePackage(pkg, logisticPackageOptions());
    await packPackage(pkg, join(dir, "ok.tar.gz"));
    const e = await refusal(unpackPackage(join(dir, "ok.tar.gz"), work));
    expect([e.code, e.field]).toEqual(["REQUEST_INVALID", "dir"]);
  });
});
