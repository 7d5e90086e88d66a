/**
 * How the flights project's steps reach the workspace: the configuration of this folder (gyre.config.ts,
 * then GYRE_* variables, so `gyre demo` and `gyre server` point steps at their stores), the feature store
 * with this project's definitions, and the registered datasets.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { isLocalArtifactStore, openArtifactStore } from "../../src/artifacts/index.js";
import { type GyreConfig, loadConfig } from "../../src/core/index.js";
import { type DataService, dataFor } from "../../src/data/index.js";
import { type FeatureStore, featuresFor } from "../../src/features/index.js";
import { openMetadataStore, TrackingService } from "../../src/metadata/index.js";
import { features } from "./features.js";

export const PROJECT_DIR = dirname(fileURLToPath(import.meta.url));

export interface Project {
  config: GyreConfig;
  tracking: TrackingService;
  data: DataService;
  features: FeatureStore;
  /** A local path of an artifact (artifact-store key), for DuckDB to read. */
  localPath(key: string): Promise<string>;
  close(): Promise<void>;
}

/** Opens the workspace's stores. `store` (a step's GYRE_TRACKING_URI) wins over the configuration when it is a database. */
export async function openProject(store?: string): Promise<Project> {
  const base = await loadConfig({ cwd: PROJECT_DIR });
  const config = store && !/^https?:/.test(store) ? { ...base, store } : base;
  const [meta, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(meta, artifacts);
  const fs = (await featuresFor(tracking, config, { projectDir: PROJECT_DIR, threads: 2 })).register(
    features,
  );
  return {
    config,
    tracking,
    data: await dataFor(tracking),
    features: fs,
    async localPath(key) {
      if (!isLocalArtifactStore(artifacts))
        throw new Error("The flights example reads training sets from a file:// artifact store");
      return artifacts.localPath(key);
    },
    async close() {
      await fs.close();
      await tracking.close();
    },
  };
}
