import { join } from "node:path";
import { type FeatureStore, openFeatureStore } from "../../src/features/index.js";
import { tempDir } from "./stores.js";

export { readParquet, writeParquet } from "./parquet.js";

/** A feature store over a fresh SQLite metadata database, artifact directory and online store. */
export async function freshFeatureStore(
  store?: string,
  now?: () => number,
  pitJoin?: "auto" | "asof" | "interval",
): Promise<{ fs: FeatureStore; dir: string; artifactsDir: string }> {
  const dir = tempDir("gyre-features-");
  const artifactsDir = join(dir, "artifacts");
  const fs = await openFeatureStore(
    {
      store: store ?? `sqlite://${join(dir, "gyre.db")}`,
      artifacts: `file://${artifactsDir}`,
      onlineStore: `sqlite://${join(dir, "online.db")}`,
    },
    { projectDir: dir, threads: 2, ...(now ? { now } : {}), ...(pitJoin ? { pitJoin } : {}) },
  );
  return { fs, dir, artifactsDir };
}
