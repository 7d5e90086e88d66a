import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { buffer } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import type { ArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import { type PackageManifest, readPackage, unpackPackage, verifyPackage } from "../registry/index.js";

const PROXY = "mlflow-artifacts:/";

/** A model package on local disk, and how to remove the copy when it was downloaded. */
export interface LocalPackage {
  dir: string;
  manifest: PackageManifest;
  cleanup(): Promise<void>;
}

function loadFailed(what: string, why: string, cause?: unknown): GyreError {
  return new GyreError("SERVING_MODEL_LOAD_FAILED", `Cannot load ${what}: ${why}`, { field: "model", cause });
}

async function listTree(store: ArtifactStore, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await store.list(dir)) {
    if (entry.isDir) out.push(...(await listTree(store, entry.path)));
    else out.push(entry.path);
  }
  return out;
}

async function download(store: ArtifactStore, key: string, target: string): Promise<string> {
  const stat = await store.stat(key);
  if (!stat) throw new Error(`nothing at ${PROXY}${key}`);
  const files = stat.isDir ? await listTree(store, key) : [key];
  for (const file of files) {
    const rel = stat.isDir ? file.slice(key.length + 1) : file.split("/").pop()!;
    const path = join(target, ...rel.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await buffer(await store.get(file)));
  }
  return stat.isDir ? target : join(target, key.split("/").pop()!);
}

/**
 * Copies a model version's package (at `location`: `mlflow-artifacts:/…` in `store`, a `file:` URI or a local
 * path; a directory or a `.tar.gz`) under `cacheDir`, then verifies every file's hash against the manifest.
 * Throws SERVING_MODEL_LOAD_FAILED saying what is wrong; leaves nothing behind then.
 */
export async function fetchPackage(
  what: string,
  location: string,
  store: ArtifactStore | null,
  cacheDir: string,
): Promise<LocalPackage> {
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, "pkg-"));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    let path: string;
    if (location.startsWith(PROXY)) {
      if (!store) throw new Error(`no artifact store to read ${location} from`);
      path = await download(
        store,
        location.slice(PROXY.length).replace(/^\/+|\/+$/g, ""),
        join(tmp, "files"),
      );
    } else if (location.startsWith("file:") || !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(location)) {
      path = location.startsWith("file:") ? fileURLToPath(location) : location;
      if (!existsSync(path)) throw new Error(`nothing at ${location}`);
    } else {
      throw new Error(`unsupported location ${location}`);
    }
    if (path.endsWith(".tar.gz")) {
      await unpackPackage(path, join(tmp, "package"));
      path = join(tmp, "package");
    }
    const verified = await verifyPackage(path);
    if (!verified.ok || !verified.manifest) {
      const problems = verified.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
      throw new Error(`the package does not verify (${problems})`);
    }
    return { dir: path, manifest: verified.manifest ?? (await readPackage(path)), cleanup };
  } catch (e) {
    await cleanup();
    if (e instanceof GyreError && e.code === "SERVING_MODEL_LOAD_FAILED") throw e;
    throw loadFailed(what, (e as Error).message, e);
  }
}
