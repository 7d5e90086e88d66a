import { readFile } from "node:fs/promises";
import type { InferenceSession } from "onnxruntime-node";
import { GyreError } from "../../core/index.js";
import { resolveInside } from "./paths.js";
import type { PackageManifest, TensorSpec } from "./schema.js";

type Side = "inputs" | "outputs";
type ValueMetadata = InferenceSession.ValueMetadata;

/**
 * Loads the package's `.onnx` graph with ONNX Runtime and checks that its input and output names are
 * exactly the signature's, with the same dtypes and compatible shapes where the graph declares them.
 * Throws REGISTRY_MODEL_INVALID when the graph does not load, REGISTRY_SIGNATURE_MISMATCH naming the
 * signature field otherwise. onnxruntime-node is imported on first use only.
 */
export async function checkOnnxFlavor(dir: string, manifest: PackageManifest): Promise<void> {
  const file = resolveInside(dir, manifest.model);
  const bytes = file ? await readFile(file).catch(() => null) : null;
  if (!bytes) throw modelInvalid(`Cannot read the ONNX graph '${manifest.model}' in '${dir}'`);
  const ort = await import("onnxruntime-node");
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw modelInvalid(`ONNX Runtime cannot load '${manifest.model}': ${reason}`, e);
  }
  try {
    compareSide("inputs", session.inputMetadata, manifest.signature.inputs, manifest.model);
    compareSide("outputs", session.outputMetadata, manifest.signature.outputs, manifest.model);
  } finally {
    await session.release();
  }
}

function modelInvalid(message: string, cause?: unknown): GyreError {
  return new GyreError("REGISTRY_MODEL_INVALID", message, { field: "model", cause });
}

function mismatch(message: string, field: string): GyreError {
  return new GyreError(
    "REGISTRY_SIGNATURE_MISMATCH",
    `${message}; fix the signature or re-export the model`,
    {
      field,
    },
  );
}

function compareSide(side: Side, graph: readonly ValueMetadata[], specs: TensorSpec[], model: string): void {
  const noun = side === "inputs" ? "input" : "output";
  const byName = new Map(graph.map((m) => [m.name, m]));
  const graphNames = graph.map((m) => `'${m.name}'`).join(", ");
  specs.forEach((spec, i) => {
    const meta = byName.get(spec.name);
    const at = `signature.${side}[${i}]`;
    if (!meta) {
      throw mismatch(
        `Signature ${noun} '${spec.name}' is not an ${noun} of ${model} (it has ${graphNames})`,
        `${at}.name`,
      );
    }
    if (meta.isTensor) compareTensor(spec, meta, `${noun} '${spec.name}'`, at);
  });
  const declared = new Set(specs.map((s) => s.name));
  const extra = graph.find((m) => !declared.has(m.name));
  if (extra)
    throw mismatch(`${model} has ${noun} '${extra.name}', which the signature lacks`, `signature.${side}`);
}

function compareTensor(
  spec: TensorSpec,
  meta: ValueMetadata & { isTensor: true },
  what: string,
  at: string,
): void {
  if (meta.type !== spec.dtype) {
    throw mismatch(`Signature ${what} is ${spec.dtype} but the graph's is ${meta.type}`, `${at}.dtype`);
  }
  // ORT reports an undeclared shape and a scalar alike as [], so only a declared rank can be compared.
  if (meta.shape.length === 0) return;
  const graphShape = `[${meta.shape.map((d) => (typeof d === "number" && d > 0 ? d : -1)).join(", ")}]`;
  const fits =
    meta.shape.length === spec.shape.length &&
    meta.shape.every((d, k) => typeof d !== "number" || d <= 0 || spec.shape[k] === d);
  if (!fits) {
    throw mismatch(
      `Signature ${what} has shape [${spec.shape.join(", ")}] but the graph's is ${graphShape}`,
      `${at}.shape`,
    );
  }
}
