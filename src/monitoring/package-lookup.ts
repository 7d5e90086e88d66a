/**
 * Reads a model version's `gyre-model.json` (profile, signature features, evaluation metrics) through the
 * registry and the artifact store, cached per model version (a registered version's files never change).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import type { ArtifactStore } from "../artifacts/index.js";
import {
  MANIFEST_FILE,
  type PackageManifest,
  parseManifest,
  type RegistryClient,
} from "../registry/index.js";
import type { PackageInfo, PackageLookup } from "./evaluate.js";

const PROXY = "mlflow-artifacts:/";

/** A PackageLookup over the registry; versions without a readable manifest give null. */
export function registryLookup(registry: RegistryClient, artifacts: ArtifactStore): PackageLookup {
  const cache = new Map<string, Promise<PackageInfo | null>>();
  return (model, version) => {
    const key = `${model}@${version}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = load(registry, artifacts, model, version).catch(() => null);
      cache.set(key, hit);
    }
    return hit;
  };
}

async function load(
  registry: RegistryClient,
  artifacts: ArtifactStore,
  model: string,
  version: string,
): Promise<PackageInfo | null> {
  const mv = await registry.getModelVersion(model, version);
  const text = await manifestText(artifacts, mv.artifactLocation);
  if (text === null) return null;
  const parsed = parseManifest(JSON.parse(text));
  if (!("manifest" in parsed)) return null;
  return infoOf(parsed.manifest);
}

/** Profile, features and metrics of a parsed manifest. */
export function infoOf(m: PackageManifest): PackageInfo {
  return {
    ...(m.profile ? { profile: m.profile } : {}),
    ...(m.signature.features ? { features: m.signature.features } : {}),
    metrics: m.metrics,
  };
}

async function manifestText(artifacts: ArtifactStore, location: string): Promise<string | null> {
  if (location.startsWith(PROXY)) {
    const key = `${location.slice(PROXY.length).replace(/^\/+/, "").replace(/\/+$/, "")}/${MANIFEST_FILE}`;
    if (!(await artifacts.stat(key))) return null;
    return (await buffer(await artifacts.get(key))).toString("utf8");
  }
  const dir = location.startsWith("file:") ? fileURLToPath(location) : location;
  const file = join(dir, MANIFEST_FILE);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}
