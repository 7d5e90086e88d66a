import type { Dtype, ModelSignature } from "../registry/index.js";

/** A model reference: a registered model followed by alias (`flights@champion`) or pinned to a version (`flights/3`). */
export type ModelRef =
  | { model: string; alias: string; version?: undefined }
  | { model: string; version: number; alias?: undefined };

/** How requests of a deployment are split between model versions; the weights of `variants` sum to 100. */
export interface TrafficPolicy {
  /** Named variants ('primary', 'canary' or A/B names) with their share of requests in percent. */
  variants: { name: string; ref: ModelRef; weight: number }[];
  /** Request field (input or entity key) whose value picks the variant deterministically; else random. */
  stickyKey: string | null;
  /** A copy of (a sample of) the traffic goes to this version; its answers are logged, never returned. */
  shadow: { ref: ModelRef; sampleRate: number } | null;
}

/** Where a deployment's inputs come from when a request carries only entity keys. */
export interface FeatureEnrichment {
  /** The feature service whose features fill the model's inputs. */
  service: string;
  /** Request fields that are entity join keys (e.g. `origin`); they need not be model inputs. */
  entityKeys: string[];
}

/** Dynamic batching of one deployment: concurrent requests merge into one inference call. */
export interface BatchingOptions {
  /** Most rows in one inference call; 1 turns batching off. */
  maxBatchSize: number;
  /** How long a request may wait for others before its batch runs, in ms (0: run as soon as the runtime is free). */
  maxWaitMs: number;
}

/** A deployment as declared in `gyre.config.ts` or stored in the metadata database (normalised). */
export interface Deployment {
  name: string;
  traffic: TrafficPolicy;
  features: FeatureEnrichment | null;
  batching: BatchingOptions;
  /** Where the definition lives: `config` (read-only here) or `store` (created through the API/CLI). */
  origin: "config" | "store";
  description: string | null;
  /** The definition as written (what `gyre deployments list --json` shows and the store keeps). */
  spec: Record<string, unknown>;
}

/** What one variant of a deployment (or its shadow) serves now, as the registry resolves it. */
export interface ResolvedVariant {
  /** `primary`, `canary`, an A/B variant name, or `shadow`. */
  variant: string;
  /** As written: `flights@champion` or `flights/3`. */
  ref: string;
  model: string;
  alias: string | null;
  /** Share of requests in percent; for the shadow, the share of requests mirrored to it. */
  weight: number;
  /** The version the reference resolves to now; null when it does not resolve (see `error`). */
  version: number | null;
  error: string | null;
}

/** One tensor in row-major order. `shape[0]` is the number of rows for batchable inputs. */
export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];

/** Named tensors, the unit the data plane passes between protocols, batcher and runtime. */
export type Tensors = Record<string, Tensor>;

/** A request field's values as a protocol decoded them, before validation against the model signature. */
export interface RawInput {
  /** Row-major flat values. */
  values: unknown[];
  shape: number[];
  /** The protocol's declared element type (OIP `datatype`), when it has one. */
  datatype?: string;
}

/** The protocol a request came in through (the prediction log's `protocol` column). */
export type Protocol = "v2" | "invocations";

/** A decoded inference request, protocol-neutral. */
export interface InferRequest {
  deployment: string;
  requestId: string;
  protocol: Protocol;
  /** Inputs by name; entity keys may be among them. Every input has the same number of rows. */
  inputs: Record<string, RawInput>;
  /** A specific version (OIP `/versions/{v}`), bypassing the traffic split. */
  version?: number;
  /** Only these outputs in the answer (OIP `outputs`); default all. */
  outputs?: string[];
  /** Header-given routing key, used when the deployment's sticky key is not among the inputs. */
  routingKey?: string;
}

/** The answer of the data plane: which version and variant answered, and the outputs for the request's rows. */
export interface InferResult {
  deployment: string;
  /** The registered model that answered. */
  model: string;
  version: number;
  variant: string;
  rows: number;
  signature: ModelSignature;
  outputs: Tensors;
}

/**
 * Online feature lookup for enrichment (the feature store provides one): for each entity row, the feature
 * service's feature values by name, in the same order; missing entities give `{}`. May throw a GyreError.
 */
export interface FeatureLookup {
  lookup(
    featureService: string,
    entityRows: Record<string, string | number>[],
  ): Promise<Record<string, unknown>[]>;
}
