/** Scores rows with a registered model version's ONNX graph, exactly as serving runs it (ONNX Runtime). */
import * as ort from "onnxruntime-node";
import type { TrackingClient } from "../../src/metadata/index.js";
import type { ModelVersion } from "../../src/registry/index.js";
import type { Row } from "../../src/training/index.js";

interface Signature {
  inputs: { name: string; dtype: string }[];
}

/** The positive-class probability of every row under `version` (whose package holds model.onnx). */
export async function scoreVersion(
  tracking: TrackingClient,
  version: ModelVersion,
  rows: readonly Row[],
): Promise<number[]> {
  if (!version.runId)
    throw new Error(`${version.name} v${version.version} has no run to read its graph from`);
  const prefix = version.source.replace(/^runs:\/[^/]+\/?/, "") || "model";
  const body = await tracking.downloadArtifact(version.runId, `${prefix}/model.onnx`);
  const graph = Buffer.concat(await body.toArray());
  const session = await ort.InferenceSession.create(graph, { intraOpNumThreads: 1 });
  try {
    const signature = version.signature as Signature;
    const feeds: Record<string, ort.Tensor> = {};
    for (const { name, dtype } of signature.inputs) {
      feeds[name] =
        dtype === "float32"
          ? new ort.Tensor(
              "float32",
              Float32Array.from(rows, (r) => Number(r[name])),
              [rows.length, 1],
            )
          : new ort.Tensor(
              "string",
              rows.map((r) => String(r[name])),
              [rows.length, 1],
            );
    }
    const out = await session.run(feeds);
    const probability = out.probability ?? Object.values(out)[0]!;
    return Array.from(probability.data as Float32Array, Number);
  } finally {
    await session.release();
  }
}
