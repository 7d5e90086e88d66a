import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, extract, list, type ReadEntry } from "tar";
import { GyreError } from "../../core/index.js";
import { hashFile } from "./files.js";
import { packageInvalid } from "./manifest.js";
import { isSafeRelativePath, MANIFEST_FILE } from "./paths.js";
import type { PackageManifest } from "./schema.js";
import { verificationError, verifyPackage } from "./verify.js";

/** A written package archive. */
export interface PackResult {
  file: string;
  size: number;
  sha256: string;
  manifest: PackageManifest;
}

/**
 * Verifies the package in `dir`, then writes the manifest and exactly the files it lists to `outFile` as a
 * gzipped tar (through a `.part` file). Entries carry no owner or mtime, so the same package always packs to
 * the same bytes. Throws REGISTRY_PACKAGE_INVALID when verification finds problems.
 */
export async function packPackage(dir: string, outFile: string): Promise<PackResult> {
  const verified = await verifyPackage(dir);
  if (!verified.ok || !verified.manifest) throw verificationError(dir, verified.problems);
  const manifest = verified.manifest;
  const part = `${outFile}.part`;
  try {
    const entries = [MANIFEST_FILE, ...manifest.files.map((f) => f.path)];
    await create({ gzip: true, file: part, cwd: dir, portable: true, noMtime: true }, entries);
    await rename(part, outFile);
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
  return { file: outFile, ...(await hashFile(outFile)), manifest };
}

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

/** Why an archive entry may not be extracted, or null when it is a plain file or directory inside the target. */
function entryProblem(entry: Pick<ReadEntry, "path" | "type">): string | null {
  if (!FILE_TYPES.has(entry.type) && entry.type !== "Directory") return `is a ${entry.type} entry`;
  const path = entry.path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (entry.path.startsWith("/") || /^[A-Za-z]:/.test(entry.path)) return "is an absolute path";
  if (path === MANIFEST_FILE && FILE_TYPES.has(entry.type)) return null;
  if (path === "" && entry.type === "Directory") return null;
  return isSafeRelativePath(path) ? null : "escapes the target directory";
}

async function listEntries(file: string): Promise<Pick<ReadEntry, "path" | "type">[]> {
  const entries: Pick<ReadEntry, "path" | "type">[] = [];
  try {
    await list({ file, strict: true, onReadEntry: (e) => entries.push({ path: e.path, type: e.type }) });
  } catch (e) {
    throw packageInvalid(`'${file}' is not a readable .tar.gz: ${(e as Error).message}`, "file", e);
  }
  return entries;
}

/**
 * Extracts the package archive `file` into `dir`, which must be empty or absent. Every entry is checked
 * first: symlinks, hard links, devices, absolute paths and paths escaping `dir` make the whole archive
 * refused (REGISTRY_PACKAGE_INVALID naming the entry) before anything is written. Does not verify hashes:
 * call `verifyPackage(dir)` next. Resolves with the extracted file paths.
 */
export async function unpackPackage(file: string, dir: string): Promise<string[]> {
  const entries = await listEntries(file);
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem)
      throw packageInvalid(`Archive '${file}' refused: entry '${entry.path}' ${problem}`, entry.path);
  }
  const files = entries.filter((e) => FILE_TYPES.has(e.type)).map((e) => e.path.replace(/^(\.\/)+/, ""));
  if (!files.includes(MANIFEST_FILE)) {
    throw packageInvalid(`Archive '${file}' is not a model package: no ${MANIFEST_FILE} at its root`, "file");
  }
  const existing = await readdir(dir).catch(() => null);
  if (existing && existing.length > 0) {
    throw new GyreError(
      "REQUEST_INVALID",
      `Cannot unpack into '${dir}': it is not empty; choose a new directory`,
      {
        field: "dir",
      },
    );
  }
  await mkdir(dir, { recursive: true });
  try {
    await extract({
      file,
      cwd: dir,
      strict: true,
      preserveOwner: false,
      filter: (_path, entry) => "type" in entry && entryProblem(entry) === null,
    });
  } catch (e) {
    if (existing === null) await rm(dir, { recursive: true, force: true });
    throw packageInvalid(`Cannot extract '${file}': ${(e as Error).message}`, "file", e);
  }
  return files;
}

/**
 * Runs `fn` on the package at `path`: a package directory as is, or a `.tar.gz` unpacked into a temporary
 * directory that is removed afterwards (so `fn` must not keep paths into it). Throws what unpacking throws.
 */
export async function withPackageDir<T>(path: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return fn(path);
  const tmp = await mkdtemp(join(tmpdir(), "gyre-package-"));
  try {
    const dir = join(tmp, "package");
    await unpackPackage(path, dir);
    return await fn(dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
