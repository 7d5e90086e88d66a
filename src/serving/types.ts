import type { Dtype, ModelSignature } from "../registry/index.js";

export type {
  BatchingOptions,
  Deployment,
  FeatureEnrichment,
  ModelRef,
  ResolvedVariant,
  TrafficPolicy,
} from "./deployment-types.js";

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
