import * as ort from "onnxruntime-node";
import type { Flight } from "../../src/cli/demo/flights.js";
import type { TrackingClient } from "../../src/metadata/index.js";
import type { ColumnSpec, OnnxSignature, Row } from "../../src/training/index.js";

/** Raw features of a flight as serving would receive them, plus the label (delayed > 15 min). */
export function toRow(f: Flight): Row {
  return {
    distance: f.distance,
    hour: Number(f.date.slice(11, 13)),
    origin: f.origin,
    destination: f.destination,
    delayed: f.delay > 15 ? 1 : 0,
  };
}

export const spec: ColumnSpec = {
  features: [
    { name: "distance", type: "numeric" },
    { name: "hour", type: "numeric" },
    { name: "origin", type: "categorical", maxCategories: 40 },
    { name: "destination", type: "categorical", maxCategories: 40 },
  ],
  label: "delayed",
};

export async function download(client: TrackingClient, runId: string, path: string): Promise<Buffer> {
  return Buffer.concat(await (await client.downloadArtifact(runId, path)).toArray());
}

export function feeds(signature: OnnxSignature, rows: readonly Row[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const { name, dtype } of signature.inputs) {
    out[name] =
      dtype === "float32"
        ? new ort.Tensor(
            "float32",
            Float32Array.from(rows, (r) => r[name] as number),
            [rows.length, 1],
          )
        : new ort.Tensor(
            "string",
            rows.map((r) => String(r[name])),
            [rows.length, 1],
          );
  }
  return out;
}
