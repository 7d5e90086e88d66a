import * as ort from "onnxruntime-node";
import { GyreError } from "../../core/errors.js";
import type { ModelSignature } from "../../registry/index.js";
import type { LoadedModel, ModelRuntime, RuntimeOptions } from "../runtime.js";
import type { Tensor, TensorData, Tensors } from "../types.js";

const ORT_TYPES: Record<Tensor["dtype"], ort.Tensor.Type> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  bool: "bool",
  string: "string",
};

function toOrt(t: Tensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPES[t.dtype], t.data as never, t.shape);
}

function fromOrt(t: ort.Tensor, dtype: Tensor["dtype"]): Tensor {
  return { dtype, shape: [...t.dims], data: t.data as TensorData };
}

/** A loaded ONNX Runtime session. */
class OnnxModel implements LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #outputDtypes: Map<string, Tensor["dtype"]>;

  constructor(
    readonly session: ort.InferenceSession,
    signature: ModelSignature,
  ) {
    this.inputNames = session.inputNames;
    this.outputNames = session.outputNames;
    this.#outputDtypes = new Map(signature.outputs.map((o) => [o.name, o.dtype]));
  }

  async run(inputs: Tensors): Promise<Tensors> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) feeds[name] = toOrt(inputs[name]!);
    const results = await this.session.run(feeds);
    const out: Tensors = {};
    for (const name of this.outputNames) {
      const t = results[name]!;
      out[name] = fromOrt(t, this.#outputDtypes.get(name) ?? (t.type as Tensor["dtype"]));
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** ONNX Runtime (CPU) for `onnx` packages, with configurable intra-/inter-op thread counts. */
export class OnnxModelRuntime implements ModelRuntime {
  readonly flavor = "onnx";

  constructor(private readonly options: RuntimeOptions) {}

  async load(path: string, signature: ModelSignature): Promise<LoadedModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, {
        intraOpNumThreads: this.options.intraOpThreads,
        interOpNumThreads: this.options.interOpThreads,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (e) {
      throw new GyreError(
        "SERVING_MODEL_LOAD_FAILED",
        `ONNX Runtime cannot load ${path}: ${(e as Error).message}`,
        {
          field: "model",
          cause: e,
        },
      );
    }
    const missing = signature.inputs.map((i) => i.name).filter((n) => !session.inputNames.includes(n));
    if (missing.length > 0) {
      await session.release();
      throw new GyreError(
        "SERVING_MODEL_LOAD_FAILED",
        `The graph ${path} has no input(s) ${missing.join(", ")} named in its signature`,
        { field: "signature" },
      );
    }
    return new OnnxModel(session, signature);
  }
}
