import type { ArtifactStore } from "../artifacts/index.js";
import { GyreError, isGyreError } from "../core/errors.js";
import type { ModelSignature, RegistryClient } from "../registry/index.js";
import { type BatchObserver, DynamicBatcher } from "./batcher.js";
import { fetchPackage } from "./fetch.js";
import type { LoadedModel, ModelRuntime } from "./runtime.js";
import { batchable, closedCategories } from "./tensors.js";
import type { BatchingOptions, Tensors } from "./types.js";
import { warmUpInputs } from "./warm-up.js";

/** The pool's key of a model version loaded with `batching` options. */
export function poolKey(name: string, version: number, batching: BatchingOptions): string {
  return `${name}/${version}#${batching.maxBatchSize}/${batching.maxWaitMs}`;
}

/** One model version loaded for serving: its session, batcher and in-flight count. */
export class ServedModel {
  #inflight = 0;
  #drained: (() => void) | null = null;
  refs = 0;
  /** The signature's output names, in order (the default answer of every request). */
  readonly outputNames: readonly string[];
  /** Allowed categories per input, built once rather than per request. */
  readonly categories: ReadonlyMap<string, Set<string>>;

  constructor(
    readonly key: string,
    readonly name: string,
    readonly version: number,
    readonly signature: ModelSignature,
    readonly model: LoadedModel,
    readonly batcher: DynamicBatcher,
    readonly cleanup: () => Promise<void>,
  ) {
    this.outputNames = signature.outputs.map((o) => o.name);
    this.categories = closedCategories(signature);
  }

  /**
   * Marks a request as using this version until `end` (call synchronously with picking the version, so a
   * swap cannot release it in between).
   */
  begin(): void {
    this.#inflight++;
  }

  end(): void {
    this.#inflight--;
    if (this.#inflight === 0) this.#drained?.();
  }

  /** Runs `rows` rows through the batcher; call between `begin` and `end`. */
  infer(tensors: Tensors, rows: number): Promise<Tensors> {
    return this.batcher.submit(tensors, rows);
  }

  /** Resolves once no call is in flight. */
  drained(): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}

/** What the pool needs to load versions. */
export interface ModelPoolOptions {
  registry: RegistryClient;
  artifacts: ArtifactStore | null;
  runtimes: ModelRuntime[];
  cacheDir: string;
  /** Called per inference call with its rows and merged requests, labelled by model version. */
  onBatch?: (model: string, version: number, rows: number, requests: number) => void;
  onLoad?: (model: string, version: number, outcome: "loaded" | "failed", error?: GyreError) => void;
}

/**
 * Loaded model versions shared by every deployment of the process, reference-counted: the first `acquire`
 * fetches, verifies, loads and warms a version (concurrent acquires share the load); the last `release`
 * waits for in-flight calls, then frees the session and the downloaded files.
 */
export class ModelPool {
  readonly #models = new Map<string, Promise<ServedModel>>();

  constructor(private readonly options: ModelPoolOptions) {}

  /** Loads (or shares) `name` version `version` with `batching`; throws SERVING_MODEL_LOAD_FAILED. */
  async acquire(name: string, version: number, batching: BatchingOptions): Promise<ServedModel> {
    const key = poolKey(name, version, batching);
    let entry = this.#models.get(key);
    if (!entry) {
      entry = this.#load(key, name, version, batching);
      this.#models.set(key, entry);
      entry.catch(() => this.#models.delete(key));
    }
    const served = await entry;
    served.refs++;
    return served;
  }

  /** Drops one reference; the last one drains and unloads the version. */
  async release(served: ServedModel): Promise<void> {
    served.refs--;
    if (served.refs > 0) return;
    this.#models.delete(served.key);
    await served.drained();
    await served.model.release();
    await served.cleanup();
  }

  async #load(key: string, name: string, version: number, batching: BatchingOptions): Promise<ServedModel> {
    const what = `model '${name}' version ${version}`;
    try {
      const mv = await this.options.registry.getModelVersion(name, version);
      if (mv.status !== "READY") {
        throw new GyreError(
          "SERVING_MODEL_LOAD_FAILED",
          `Cannot load ${what}: its status is ${mv.status} (${mv.statusMessage ?? "no message"})`,
          { field: "model" },
        );
      }
      const pkg = await fetchPackage(
        what,
        mv.artifactLocation,
        this.options.artifacts,
        this.options.cacheDir,
      );
      try {
        const runtime = this.options.runtimes.find((r) => r.flavor === pkg.manifest.flavor);
        if (!runtime)
          throw new GyreError(
            "SERVING_MODEL_LOAD_FAILED",
            `Cannot load ${what}: no runtime serves the '${pkg.manifest.flavor}' flavor; export the model to ONNX`,
            { field: "model" },
          );
        const signature = pkg.manifest.signature;
        const model = await runtime.load(`${pkg.dir}/${pkg.manifest.model}`, signature);
        const served = await this.#warm(key, name, version, signature, model, batching, pkg.cleanup);
        this.options.onLoad?.(name, version, "loaded");
        return served;
      } catch (e) {
        await pkg.cleanup();
        throw e;
      }
    } catch (e) {
      const err =
        isGyreError(e) && e.code === "SERVING_MODEL_LOAD_FAILED"
          ? e
          : new GyreError("SERVING_MODEL_LOAD_FAILED", `Cannot load ${what}: ${(e as Error).message}`, {
              field: "model",
              cause: e,
            });
      this.options.onLoad?.(name, version, "failed", err);
      throw err;
    }
  }

  async #warm(
    key: string,
    name: string,
    version: number,
    signature: ModelSignature,
    model: LoadedModel,
    batching: BatchingOptions,
    cleanup: () => Promise<void>,
  ): Promise<ServedModel> {
    try {
      for (const rows of [1, Math.min(batching.maxBatchSize, 64)])
        await model.run(warmUpInputs(signature, rows));
    } catch (e) {
      await model.release();
      throw new GyreError(
        "SERVING_MODEL_LOAD_FAILED",
        `Model '${name}' version ${version} loads but fails its warm-up inference: ${(e as Error).message}`,
        { field: "model", cause: e },
      );
    }
    const observe: BatchObserver = (rows, requests) => this.options.onBatch?.(name, version, rows, requests);
    const batcher = new DynamicBatcher(
      (t) => model.run(t),
      { ...batching, batchable: batchable(signature) },
      observe,
    );
    return new ServedModel(key, name, version, signature, model, batcher, cleanup);
  }
}
