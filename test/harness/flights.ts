import * as ort from "onnxruntime-node";
import type { TrackingClient } from "../../src/metadata/index.js";
import type { OnnxSignature, Row } from "../../src/training/index.js";

/** The demo's flight features and column spec, shared with the tests. */
export { FLIGHT_SPEC as spec, flightRow as toRow } from "../../src/cli/demo/flights.js";

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
