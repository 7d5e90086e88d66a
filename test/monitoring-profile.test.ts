/**
 * The model version's training profile as the reference: a real model package (ONNX graph, signature,
 * profile, metrics) registered in the registry, its profile read back through the artifact store, and drift
 * computed against its binned histograms and category frequencies.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackingService } from "../src/metadata/index.js";
import { evaluateWindow, PredictionLogReader, registryLookup } from "../src/monitoring/index.js";
import { computeProfile, type RegistryService, registryFor, writePackage } from "../src/registry/index.js";
import { logisticPackageOptions } from "./fixtures/model-package.js";
import { flightRows, HOUR, T0 } from "./harness/monitoring.js";
import { writePredictionLog } from "./harness/prediction-log.js";
import { freshTracking, tempDir } from "./harness/stores.js";

let tracking: TrackingService;
let registry: RegistryService;
let reader: PredictionLogReader;
let root: string;

beforeAll(async () => {
  tracking = await freshTracking("sqlite");
  registry = await registryFor(tracking);
  const training = [...flightRows("flights", 0, 500), ...flightRows("flights", 1, 500)].map((r) => r.inputs);
  const features = [
    { name: "distance", type: "numeric" as const },
    { name: "origin", type: "categorical" as const },
  ];
  const options = logisticPackageOptions();
  const pkg = join(tempDir("gyre-pkg-"), "model");
  await writePackage(pkg, {
    ...options,
    signature: { ...options.signature, features },
    profile: computeProfile(training as Record<string, unknown>[], features),
  });
  await registry.createRegisteredModel("flights");
  await registry.createModelVersion({ name: "flights", source: pkg });
  root = tempDir("gyre-log-");
  await writePredictionLog(root, [...flightRows("flights", 2, 400), ...flightRows("flights", 3, 400, 2.5)]);
  reader = await PredictionLogReader.open(root);
});

afterAll(async () => {
  reader?.close();
  await registry?.close();
  await tracking?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("drift against the training profile", () => {
  it("flags the shifted feature using the profile's histograms and reports undeclared inputs", async () => {
    const lookup = registryLookup(registry, tracking.artifacts);
    const options = {
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "profile" },
      metrics: [{ method: "psi" }, { method: "jensenshannon" }],
    } as const;
    const shifted = await evaluateWindow(reader, lookup, { ...options, now: T0 + 4 * HOUR });
    expect(shifted.reference).toMatchObject({
      source: "profile",
      rows: 1000,
      model: "flights",
      version: "1",
    });
    expect(shifted.driftedFeatures).toEqual(["distance"]);
    const distance = shifted.features.find((f) => f.feature === "distance")!;
    expect(distance.drift.every((d) => d.binned && d.status === "ok")).toBe(true);
    expect(distance.quality.outOfRange).toBeGreaterThan(50);
    expect(shifted.unknownKeys).toEqual([{ key: "hour_of_day", count: 400 }]);
    const output = shifted.features.find((f) => f.feature === "prediction.late")!;
    expect(output.drift[0]).toMatchObject({ status: "not_applicable", score: null });
    expect(output.drift[0]!.reason).toMatch(/training profile has no distribution of model outputs/);

    const calm = await evaluateWindow(reader, lookup, { ...options, now: T0 + 3 * HOUR });
    expect(calm.driftedFeatures).toEqual([]);
    expect(await lookup("flights", "1")).toMatchObject({ metrics: { auc: 0.71, log_loss: 0.52 } });
  });

  it("a version without a package profile is a clear error, not a crash", async () => {
    await expect(
      evaluateWindow(reader, async () => null, {
        deployment: "flights",
        window: { type: "time", size: "1h" },
        reference: { type: "profile" },
        now: T0 + 4 * HOUR,
      }),
    ).rejects.toMatchObject({ code: "MONITOR_REFERENCE_UNAVAILABLE", field: "reference" });
  });
});
