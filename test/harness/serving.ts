import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openArtifactStore } from "../../src/artifacts/index.js";
import { loadFlights } from "../../src/cli/demo/flights.js";
import { DEFAULTS, type GyreConfig } from "../../src/core/config.js";
import { openMetadataStore, TrackingService } from "../../src/metadata/index.js";
import type { RegistryClient } from "../../src/registry/index.js";
import { registryFor, writePackage } from "../../src/registry/index.js";
import { exportOnnx, type Head, type Row, trainTabular } from "../../src/training/index.js";
import { spec, toRow } from "./flights.js";
import { type Backend, freshStoreUri, tempDir } from "./stores.js";

/** A trained flights model as a package directory, ready to register. */
export interface FlightsPackage {
  dir: string;
  /** Categories the model knows for `destination` (closed in the package's signature). */
  destinations: string[];
}

/**
 * Trains small flights models (a few thousand rows, two epochs) and writes each as a gyre model package:
 * ONNX graph with preprocessing inside, signature with `origin` open and `destination` a closed category set.
 */
export async function flightsPackages(heads: Head[]): Promise<{ packages: FlightsPackage[]; rows: Row[] }> {
  const file = await loadFlights();
  const rows = file.flights.slice(0, 3000).map(toRow);
  const packages: FlightsPackage[] = [];
  for (const [i, head] of heads.entries()) {
    const trained = await trainTabular(rows, spec, { head, epochs: 2, seed: i + 1, progress: false });
    const { bytes, signature } = exportOnnx(trained);
    const features = signature.features.map((f) =>
      f.name === "destination" ? f : { name: f.name, type: f.type },
    );
    const dir = join(tempDir("gyre-serving-pkg-"), "model");
    mkdirSync(dir);
    await writePackage(dir, {
      flavor: "onnx",
      files: { "model.onnx": bytes },
      signature: { inputs: signature.inputs, outputs: signature.outputs, features },
      name: "flights",
    });
    packages.push({
      dir,
      destinations: signature.features.find((f) => f.name === "destination")?.categories ?? [],
    });
  }
  return { packages, rows };
}

/** A fresh metadata store with model `name` registered from `dirs` (versions 1..n), and the config to serve it. */
export async function registeredFlights(
  backend: Backend,
  name: string,
  dirs: string[],
): Promise<{ config: GyreConfig; registry: RegistryClient; close(): Promise<void> }> {
  const config: GyreConfig = {
    ...DEFAULTS,
    store: await freshStoreUri(backend),
    artifacts: `file://${tempDir("gyre-serving-artifacts-")}`,
    logLevel: "warn",
  };
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  const registry = await registryFor(tracking, { defaultUser: "tester" });
  await registry.createRegisteredModel(name);
  for (const dir of dirs) {
    const v = await registry.createModelVersion({ name, source: dir });
    if (v.status !== "READY") throw new Error(`fixture version not READY: ${v.statusMessage}`);
  }
  return {
    config,
    registry,
    async close() {
      await registry.close();
      await tracking.close();
    },
  };
}
