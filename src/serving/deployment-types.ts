/** Deployment definitions and resolved variants (types only, so the web UI can import them). */

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
