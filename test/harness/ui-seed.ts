/**
 * Real data for the web UI's browser tests, written through the public HTTP API only: an experiment of
 * runs with params, metric histories, tags, a dataset input, nested runs and artifacts of every preview
 * kind; a registered model with two versions from real model packages and a `champion` alias.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writePackage } from "../../src/registry/package/index.js";
import { logisticPackageOptions, tempDir } from "../fixtures/model-package.js";

/** JSON request against a gyre server; throws with the server's message on a non-2xx answer. */
export async function call<T = unknown>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Uploads one artifact file (raw body). */
export async function putArtifact(base: string, runId: string, path: string, body: string | Uint8Array) {
  const res = await fetch(`${base}/api/v1/runs/${runId}/artifacts/${path}`, { method: "PUT", body });
  if (!res.ok) throw new Error(`PUT artifact ${path}: ${res.status} ${await res.text()}`);
}

export interface Seeded {
  experimentId: string;
  runIds: string[];
  parentId: string;
  model: string;
}

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#4e79a7"/><text x="10" y="35" fill="#fff">ROC</text></svg>`;

async function seedRun(base: string, experimentId: string, i: number, parentRunId?: string): Promise<string> {
  const optimizer = i % 2 === 0 ? "adam" : "sgd";
  const run = await call<{ info: { runId: string } }>(base, "POST", "/api/v1/runs", {
    experimentId,
    runName: parentRunId ? `child-${i}` : `sweep-${i}`,
    startTime: Date.now() - (20 - i) * 60_000,
    parentRunId,
    tags: [{ key: "stage", value: i < 3 ? "prod" : "dev" }],
  });
  const runId = run.info.runId;
  const t0 = Date.now() - 30_000;
  const metrics = Array.from({ length: 30 }, (_, step) => [
    { key: "loss", value: 1 / (1 + step * (0.1 + i * 0.02)), timestamp: t0 + step * 1000, step },
    { key: "val_auc", value: 0.5 + 0.4 * (1 - Math.exp(-step / (5 + i))), timestamp: t0 + step * 1000, step },
  ]).flat();
  await call(base, "POST", `/api/v1/runs/${runId}/log-batch`, {
    metrics,
    params: [
      { key: "lr", value: String(0.001 * (i + 1)) },
      { key: "optimizer", value: optimizer },
      { key: "layers", value: String(1 + (i % 3)) },
    ],
  });
  await call(base, "PATCH", `/api/v1/runs/${runId}`, {
    status: "FINISHED",
    endTime: Date.now() - (19 - i) * 60_000,
  });
  return runId;
}

async function seedArtifacts(base: string, runId: string): Promise<void> {
  await putArtifact(base, runId, "eval/roc.svg", SVG);
  await putArtifact(
    base,
    runId,
    "eval/predictions.csv",
    "origin,distance,delay\nATL,300,0.12\nORD,1200,0.41\n",
  );
  await putArtifact(base, runId, "eval/metrics.json", JSON.stringify({ auc: 0.71, logLoss: 0.52 }));
  await putArtifact(base, runId, "notes.txt", "Trained on January–February 2001.\n");
}

async function seedDataset(base: string, runId: string): Promise<void> {
  await call(base, "POST", `/api/v1/runs/${runId}/inputs`, {
    datasetInputs: [
      {
        tags: [{ key: "mlflow.data.context", value: "training" }],
        dataset: {
          name: "flights-2001-q1",
          digest: "d1g3st01",
          sourceType: "local",
          source: "flights-3m.parquet",
        },
      },
    ],
  });
}

/** Writes the test model package, uploads it as the run's `model/` artifacts and registers a version. */
async function registerPackage(base: string, model: string, runId: string): Promise<void> {
  const { dir, cleanup } = await tempDir();
  try {
    await writePackage(dir, logisticPackageOptions());
    for (const name of await readdir(dir))
      await putArtifact(base, runId, `model/${name}`, await readFile(join(dir, name)));
  } finally {
    await cleanup();
  }
  await call(base, "POST", `/api/v1/models/${model}/versions`, { source: `runs:/${runId}/model`, runId });
}

/** Seeds everything the UI pages show; `runs` sweep runs plus one parent with two children. */
export async function seedUi(base: string, runs = 8): Promise<Seeded> {
  const exp = await call<{ experimentId: string }>(base, "POST", "/api/v1/experiments", {
    name: "flights-ui",
  });
  const experimentId = exp.experimentId;
  const runIds: string[] = [];
  for (let i = 0; i < runs; i++) runIds.push(await seedRun(base, experimentId, i));
  const parentId = await seedRun(base, experimentId, runs);
  for (let c = 0; c < 2; c++) await seedRun(base, experimentId, runs + 1 + c, parentId);
  await seedArtifacts(base, runIds[0]!);
  for (const id of runIds.slice(0, 2)) await seedDataset(base, id);
  const model = "flights-delay";
  await call(base, "POST", "/api/v1/models", { name: model, description: "Delay > 15 min classifier" });
  await registerPackage(base, model, runIds[0]!);
  await registerPackage(base, model, runIds[1]!);
  await call(base, "PUT", `/api/v1/models/${model}/aliases/champion`, {
    version: 1,
    reason: "beats baseline",
  });
  return { experimentId, runIds, parentId, model };
}
