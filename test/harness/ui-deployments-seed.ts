/**
 * Deployments for the web UI's tests, through public HTTP APIs only: a registered model with two versions
 * from a real ONNX package (main server), a deployment with a 20% canary created on a real serving data plane
 * (its management API), an alias move, and predictions sent to the data plane.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writePackage } from "../../src/registry/package/index.js";
import { logisticPackageOptions, tempDir } from "../fixtures/model-package.js";
import { call, putArtifact } from "./ui-seed.js";

export const MODEL = "delay";
export const DEPLOYMENT = "delay-api";

/** Registers `versions` versions of MODEL from the logistic ONNX package, each from its own run. */
export async function registerVersions(base: string, versions: number): Promise<void> {
  const exp = await call<{ experimentId: string }>(base, "POST", "/api/v1/experiments", {
    name: "delay-train",
  });
  await call(base, "POST", "/api/v1/models", { name: MODEL, description: "Delay classifier" });
  const { dir, cleanup } = await tempDir();
  try {
    await writePackage(dir, logisticPackageOptions());
    for (let i = 0; i < versions; i++) {
      const run = await call<{ info: { runId: string } }>(base, "POST", "/api/v1/runs", {
        experimentId: exp.experimentId,
        runName: `train-${i + 1}`,
      });
      const runId = run.info.runId;
      for (const name of await readdir(dir))
        await putArtifact(base, runId, `model/${name}`, await readFile(join(dir, name)));
      await call(base, "POST", `/api/v1/models/${MODEL}/versions`, { source: `runs:/${runId}/model`, runId });
    }
  } finally {
    await cleanup();
  }
}

/** Points `alias` of MODEL at `version` with a reason (recorded in the alias history). */
export function setAlias(base: string, alias: string, version: number, reason: string): Promise<unknown> {
  return call(base, "PUT", `/api/v1/models/${MODEL}/aliases/${alias}`, { version, reason });
}

/** Creates DEPLOYMENT on the data plane (champion), then starts a 20% canary of the challenger. */
export async function createDeployment(plane: string): Promise<void> {
  await call(plane, "POST", "/api/v1/deployments", { name: DEPLOYMENT, model: `${MODEL}@champion` });
  await call(plane, "PATCH", `/api/v1/deployments/${DEPLOYMENT}/traffic`, {
    canary: { model: `${MODEL}@challenger`, percent: 20 },
  });
}

/** Sends `n` single-row OIP v2 predictions to DEPLOYMENT; returns how many each version answered. */
export async function predict(plane: string, n: number): Promise<Map<string, number>> {
  const answered = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${plane}/v2/models/${DEPLOYMENT}/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [{ name: "x", shape: [1, 2], datatype: "FP32", data: [(i % 10) / 10, 1 - (i % 7) / 7] }],
      }),
    });
    if (!res.ok) throw new Error(`predict: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { model_version?: string };
    const v = body.model_version ?? "?";
    answered.set(v, (answered.get(v) ?? 0) + 1);
  }
  return answered;
}
