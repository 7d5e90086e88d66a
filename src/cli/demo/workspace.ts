import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GyreConfig } from "../../core/config.js";
import { GyreError } from "../../core/errors.js";
import { uriPath } from "../../core/schemes.js";

/** The example project the demo drives (its gyre.config.ts, features, pipelines, monitors, deployment). */
export const PROJECT_DIR = fileURLToPath(new URL("../../../examples/flights/", import.meta.url));

/** Marks an artifact directory as the demo's own, so `--fresh` may delete the workspace. */
const MARKER = ".gyre-demo";

/** Where the demo's workspace lives on disk: the SQLite database, the artifact directory, the online store. */
export interface Workspace {
  config: GyreConfig;
  dbFile: string;
  artifactsDir: string;
  onlineFile: string;
}

/**
 * The workspace of `config` with absolute paths (pipeline steps run in worker processes and read the same
 * stores through GYRE_* variables). The demo runs on the embedded stores: SQLite and a local directory.
 * Throws CONFIG_INVALID for other stores.
 */
export function resolveWorkspace(config: GyreConfig, cwd = process.cwd()): Workspace {
  if (!config.store.startsWith("sqlite://") || config.store.includes(":memory:"))
    throw new GyreError(
      "CONFIG_INVALID",
      `gyre demo runs on the embedded stores; got store '${config.store}' — give --store sqlite://path/gyre.db`,
      { field: "store" },
    );
  if (!config.artifacts.startsWith("file://"))
    throw new GyreError(
      "CONFIG_INVALID",
      `gyre demo keeps artifacts in a local directory; got '${config.artifacts}' — give --artifacts file://dir`,
      { field: "artifacts" },
    );
  const dbFile = uriPath(config.store, cwd);
  const artifactsDir = uriPath(config.artifacts, cwd);
  const onlineFile = config.onlineStore?.startsWith("sqlite://")
    ? uriPath(config.onlineStore, cwd)
    : join(dirname(dbFile), "online.db");
  const abs: GyreConfig = {
    ...config,
    store: `sqlite://${dbFile}`,
    artifacts: `file://${artifactsDir}`,
    onlineStore: `sqlite://${onlineFile}`,
  };
  return { config: abs, dbFile, artifactsDir, onlineFile };
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => null);
  return entries === null || entries.length === 0;
}

const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];

/**
 * `--fresh`: deletes the database, the online store and the artifact directory — only a workspace the demo
 * created (its marker is in the artifact directory) or one that does not exist yet. Throws CONFIG_INVALID otherwise.
 */
export async function freshWorkspace(ws: Workspace): Promise<boolean> {
  const marked = existsSync(join(ws.artifactsDir, MARKER));
  if (!marked && !(await isEmptyOrMissing(ws.artifactsDir)))
    throw new GyreError(
      "CONFIG_INVALID",
      `--fresh deletes the workspace, but ${ws.artifactsDir} was not created by gyre demo — point --store and --artifacts at a new directory`,
      { field: "artifacts" },
    );
  if (!marked && existsSync(ws.dbFile))
    throw new GyreError(
      "CONFIG_INVALID",
      `--fresh deletes the workspace, but ${ws.dbFile} was not created by gyre demo — point --store at a new file`,
      { field: "store" },
    );
  for (const f of [...sqliteFiles(ws.dbFile), ...sqliteFiles(ws.onlineFile)]) await rm(f, { force: true });
  await rm(ws.artifactsDir, { recursive: true, force: true });
  return marked;
}

/** Creates the workspace's directories and marks it as the demo's. */
export async function initWorkspace(ws: Workspace): Promise<{ existed: boolean }> {
  const existed = existsSync(ws.dbFile);
  const ours =
    existsSync(join(ws.artifactsDir, MARKER)) || (!existed && (await isEmptyOrMissing(ws.artifactsDir)));
  await mkdir(dirname(ws.dbFile), { recursive: true });
  await mkdir(ws.artifactsDir, { recursive: true });
  if (ours)
    await writeFile(
      join(ws.artifactsDir, MARKER),
      "created by gyre demo; `gyre demo --fresh` may delete this workspace\n",
    );
  return { existed };
}

/**
 * The replay starts at 1 April 2001 every time, so the online store (derived data: the feature pipeline
 * rebuilds it from the offline store) is emptied first — otherwise a second run would serve April traffic
 * with June's features.
 */
export async function resetOnlineStore(ws: Workspace): Promise<void> {
  for (const f of sqliteFiles(ws.onlineFile)) await rm(f, { force: true });
}

/** Pipeline steps run in worker processes and find the workspace through these variables. */
export function exportWorkspaceEnv(ws: Workspace): void {
  process.env.GYRE_STORE = ws.config.store;
  process.env.GYRE_ARTIFACTS = ws.config.artifacts;
  process.env.GYRE_ONLINE_STORE = ws.config.onlineStore;
}
