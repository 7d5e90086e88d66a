import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { buffer } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import type { ArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import { MANIFEST_FILE, validatePackage } from "./package/index.js";
import type { RegistrationValidator, ValidatedModel } from "./types.js";

const PROXY = "mlflow-artifacts:/";

/** Every file under `dir` in the artifact store, as store keys (depth-first, sorted). */
async function listTree(store: ArtifactStore, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await store.list(dir)) {
    if (entry.isDir) out.push(...(await listTree(store, entry.path)));
    else out.push(entry.path);
  }
  return out;
}

/** Copies the files under store key `key` (a directory or one `.tar.gz`) into a fresh temp directory. */
async function download(
  store: ArtifactStore,
  key: string,
): Promise<{ path: string; files: number; cleanup: () => Promise<void> }> {
  const tmp = await mkdtemp(join(tmpdir(), "gyre-register-"));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  const stat = await store.stat(key);
  const files = stat?.isDir ? await listTree(store, key) : stat ? [key] : [];
  for (const file of files) {
    const rel = stat?.isDir ? file.slice(key.length + 1) : file.split("/").pop()!;
    const target = join(tmp, ...rel.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await buffer(await store.get(file)));
  }
  const path = stat && !stat.isDir ? join(tmp, key.split("/").pop()!) : tmp;
  return { path, files: files.length, cleanup };
}

function noFiles(location: string): GyreError {
  return new GyreError(
    "REGISTRY_MODEL_INVALID",
    `No model files at ${location}. Log the model package into the run first (e.g. run.logArtifact) and register from runs:/<run_id>/<path>.`,
    { field: "source" },
  );
}

/**
 * The registration validator for gyre model packages: fetches the version's files from the artifact store
 * (`mlflow-artifacts:/…`) or a local path, and when they hold a `gyre-model.json` checks hashes, schema and
 * that the graph loads with inputs/outputs matching the signature (validatePackage). Files without a
 * manifest (e.g. an MLflow-format model) are accepted with an unknown flavor; no files at all is an error.
 */
export function packageValidator(store: ArtifactStore): RegistrationValidator {
  return async (source): Promise<ValidatedModel> => {
    const location = source.artifactLocation;
    if (location.startsWith(PROXY)) {
      const fetched = await download(
        store,
        location.slice(PROXY.length).replace(/^\/+/, "").replace(/\/+$/, ""),
      );
      try {
        if (fetched.files === 0) throw noFiles(location);
        return await validateLocal(fetched.path);
      } finally {
        await fetched.cleanup();
      }
    }
    if (location.startsWith("file:") || !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(location)) {
      return validateLocal(location.startsWith("file:") ? fileURLToPath(location) : location);
    }
    return { flavor: null, signature: null };
  };
}

async function validateLocal(path: string): Promise<ValidatedModel> {
  if (!existsSync(path)) throw noFiles(path);
  if (!path.endsWith(".tar.gz") && !existsSync(join(path, MANIFEST_FILE)))
    return { flavor: null, signature: null };
  const { flavor, signature } = await validatePackage(path);
  return { flavor, signature };
}
