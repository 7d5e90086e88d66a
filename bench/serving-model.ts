/** The flights model for `bench/serving.ts`: trained, packaged, registered as flights@champion in a fresh SQLite store. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openArtifactStore } from "../src/artifacts/index.js";
import { FLIGHT_SPEC, flightRow, loadFlights } from "../src/cli/demo/flights.js";
import { openMetadataStore, TrackingService } from "../src/metadata/index.js";
import { registryFor, writePackage } from "../src/registry/index.js";
import { exportOnnx, trainTabular } from "../src/training/index.js";

export interface BenchModel {
  config: { store: string; artifacts: string };
  modelPath: string;
  /** One request row: raw feature values. */
  row: Record<string, string | number>;
  v2Body: string;
  invocationsBody: string;
}

/** Trains an MLP (hidden 32) on 3,000 flights, packages its ONNX export and registers it under `dir`. */
export async function prepareModel(dir: string): Promise<BenchModel> {
  const { flights } = await loadFlights();
  const rows = flights.slice(0, 3000).map(flightRow);
  const trained = await trainTabular(rows, FLIGHT_SPEC, {
    head: { kind: "mlp", hidden: [32] },
    epochs: 2,
    seed: 1,
    progress: false,
  });
  const { bytes, signature } = exportOnnx(trained);
  const pkg = join(dir, "package");
  mkdirSync(pkg, { recursive: true });
  await writePackage(pkg, {
    flavor: "onnx",
    files: { "model.onnx": bytes },
    signature: {
      inputs: signature.inputs,
      outputs: signature.outputs,
      features: signature.features.map((f) => ({ name: f.name, type: f.type })),
    },
  });
  const config = { store: `sqlite://${join(dir, "gyre.db")}`, artifacts: `file://${join(dir, "artifacts")}` };
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  const registry = await registryFor(tracking);
  try {
    await registry.createRegisteredModel("flights");
    await registry.createModelVersion({ name: "flights", source: pkg });
    await registry.setAlias("flights", "champion", 1);
  } finally {
    await registry.close();
    await tracking.close();
  }
  const row = { distance: 1000, hour: 9, origin: "SEA", destination: "LAX" };
  const v2Body = JSON.stringify({
    inputs: [
      { name: "distance", shape: [1, 1], datatype: "FP32", data: [row.distance] },
      { name: "hour", shape: [1, 1], datatype: "FP32", data: [row.hour] },
      { name: "origin", shape: [1, 1], datatype: "BYTES", data: [row.origin] },
      { name: "destination", shape: [1, 1], datatype: "BYTES", data: [row.destination] },
    ],
  });
  return {
    config,
    modelPath: join(pkg, "model.onnx"),
    row,
    v2Body,
    invocationsBody: JSON.stringify({ dataframe_records: [row] }),
  };
}
