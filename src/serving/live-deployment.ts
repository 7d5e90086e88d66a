import { GyreError, isGyreError } from "../core/errors.js";
import type { RegistryClient } from "../registry/index.js";
import { type ModelPool, poolKey, type ServedModel } from "./model-pool.js";
import { deploymentRefs, formatModelRef } from "./spec.js";
import type { Deployment, ModelRef } from "./types.js";

/** One variant of a deployment: the reference it follows and the version currently serving it. */
interface Slot {
  variant: string;
  ref: ModelRef;
  served: ServedModel | null;
  /** The last version that failed to load, why and when (retried after RETRY_FAILED_MS). */
  failed: { version: number; error: GyreError; at: number } | null;
  /** Why the reference could not be resolved, when it could not. */
  problem: string | null;
}

/** A variant's state for status pages and `/v2/models/{name}` metadata. */
export interface VariantStatus {
  variant: string;
  ref: string;
  version: number | null;
  ready: boolean;
  problem: string | null;
}

export type DeploymentEvent = (e: {
  deployment: string;
  variant: string;
  model: string;
  from: number | null;
  to: number;
  outcome: "swapped" | "failed";
  error?: GyreError;
}) => void;

/** A version that failed to load is tried again after this long (its files may have been repaired), ms. */
const RETRY_FAILED_MS = 60_000;

const sameRef = (a: ModelRef, b: ModelRef) =>
  a.model === b.model && a.alias === b.alias && a.version === b.version;

/**
 * A deployment being served: each variant follows its alias (or pinned version). `refresh` resolves the
 * references; a new version is loaded and warmed beside the old one and then swapped in with one assignment,
 * so requests never wait for a load; the old version finishes its in-flight calls before it is released.
 * A version that fails to load leaves the current one serving.
 */
export class LiveDeployment {
  #slots = new Map<string, Slot>();
  #refreshing: Promise<void> | null = null;

  constructor(
    public definition: Deployment,
    private readonly pool: ModelPool,
    private readonly registry: RegistryClient,
    private readonly onEvent: DeploymentEvent = () => {},
  ) {
    this.#setSlots(definition);
  }

  get name(): string {
    return this.definition.name;
  }

  #setSlots(d: Deployment): ServedModel[] {
    const next = new Map<string, Slot>();
    for (const { variant, ref } of deploymentRefs(d)) {
      const old = this.#slots.get(variant);
      next.set(
        variant,
        old && sameRef(old.ref, ref) ? old : { variant, ref, served: null, failed: null, problem: null },
      );
    }
    const dropped = [...this.#slots.values()]
      .filter((s) => next.get(s.variant) !== s && s.served)
      .map((s) => s.served!);
    this.#slots = next;
    return dropped;
  }

  /** Applies a changed definition (traffic, batching); variants whose reference is unchanged keep their model. */
  async update(d: Deployment): Promise<void> {
    const dropped = this.#setSlots(d);
    this.definition = d;
    await this.refresh();
    await Promise.all(dropped.map((s) => this.pool.release(s)));
  }

  /** Resolves every reference and swaps in versions that changed; passes run one after another. */
  refresh(): Promise<void> {
    const next = (this.#refreshing ?? Promise.resolve()).then(() => this.#refreshAll());
    this.#refreshing = next;
    const clear = () => {
      if (this.#refreshing === next) this.#refreshing = null;
    };
    next.then(clear, clear);
    return next;
  }

  async #refreshAll(): Promise<void> {
    await Promise.all([...this.#slots.values()].map((s) => this.#refreshSlot(s)));
  }

  async #resolve(slot: Slot): Promise<number | null> {
    if (slot.ref.version !== undefined) return slot.ref.version;
    try {
      const v = await this.registry.getModelVersionByAlias(slot.ref.model, slot.ref.alias);
      slot.problem = null;
      return v.version;
    } catch (e) {
      slot.problem = isGyreError(e)
        ? e.message
        : `Cannot resolve ${formatModelRef(slot.ref)}: ${(e as Error).message}`;
      return null;
    }
  }

  async #refreshSlot(slot: Slot): Promise<void> {
    const version = await this.#resolve(slot);
    // Same version with the same batching: nothing to do (a batching change reloads beside the old one).
    if (version === null || slot.served?.key === poolKey(slot.ref.model, version, this.definition.batching))
      return;
    if (slot.failed?.version === version && Date.now() - slot.failed.at < RETRY_FAILED_MS) return;
    const from = slot.served?.version ?? null;
    let next: ServedModel;
    try {
      next = await this.pool.acquire(slot.ref.model, version, this.definition.batching);
    } catch (e) {
      const error = isGyreError(e) ? e : new GyreError("SERVING_MODEL_LOAD_FAILED", String(e));
      slot.failed = { version, error, at: Date.now() };
      this.onEvent({
        deployment: this.name,
        variant: slot.variant,
        model: slot.ref.model,
        from,
        to: version,
        outcome: "failed",
        error,
      });
      return;
    }
    if (this.#slots.get(slot.variant) !== slot) {
      await this.pool.release(next);
      return;
    }
    const old = slot.served;
    slot.served = next;
    slot.failed = null;
    this.onEvent({
      deployment: this.name,
      variant: slot.variant,
      model: slot.ref.model,
      from,
      to: version,
      outcome: "swapped",
    });
    if (old) await this.pool.release(old);
  }

  /** The model serving `variant`, or null while it is not loaded. */
  served(variant: string): ServedModel | null {
    return this.#slots.get(variant)?.served ?? null;
  }

  /** The loaded model of version `version` among the variants, or null. */
  byVersion(version: number): ServedModel | null {
    for (const s of this.#slots.values()) if (s.served?.version === version) return s.served;
    return null;
  }

  /** True when every variant that answers requests (shadow excluded) has a model loaded. */
  get ready(): boolean {
    return [...this.#slots.values()].every((s) => s.variant === "shadow" || s.served !== null);
  }

  status(): VariantStatus[] {
    return [...this.#slots.values()].map((s) => ({
      variant: s.variant,
      ref: formatModelRef(s.ref),
      version: s.served?.version ?? null,
      ready: s.served !== null,
      problem: s.problem ?? (s.failed ? s.failed.error.message : null),
    }));
  }

  /** Why the deployment is not ready, for 503 messages. */
  notReady(): GyreError {
    const why = this.status()
      .filter((s) => !s.ready && s.variant !== "shadow")
      .map((s) => `${s.variant} (${s.ref}): ${s.problem ?? "loading"}`)
      .join("; ");
    return new GyreError("SERVING_MODEL_NOT_READY", `Deployment '${this.name}' is not ready: ${why}`, {
      field: "deployment",
    });
  }

  /** Releases every loaded model after its in-flight calls finish. */
  async close(): Promise<void> {
    await this.#refreshing;
    const served = [...this.#slots.values()].map((s) => s.served).filter((s): s is ServedModel => s !== null);
    this.#slots = new Map();
    await Promise.all(served.map((s) => this.pool.release(s)));
  }
}
