import type { ModelSignature } from "../registry/index.js";
import type { Tensors } from "./types.js";

/** Options every runtime understands; backends ignore what does not apply to them. */
export interface RuntimeOptions {
  /** Threads one inference call may use (ONNX Runtime intra-op threads); 0 lets the runtime choose. */
  intraOpThreads: number;
  /** Threads for running independent graph nodes in parallel (ONNX Runtime inter-op threads). */
  interOpThreads: number;
}

/** A model loaded into memory, ready to run. `run` may be called concurrently; `release` once, after the last run. */
export interface LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model on `inputs` (every signature input, batched along dim 0); resolves with every output. */
  run(inputs: Tensors): Promise<Tensors>;
  release(): Promise<void>;
}

/** A model execution backend (one per package flavor), e.g. ONNX Runtime for `onnx` packages. */
export interface ModelRuntime {
  readonly flavor: string;
  /** Loads the model file `path` of a package with `signature`; throws SERVING_MODEL_LOAD_FAILED when it cannot. */
  load(path: string, signature: ModelSignature): Promise<LoadedModel>;
}
