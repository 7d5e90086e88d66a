import { GyreError, isGyreError } from "../core/errors.js";
import type { RegistryClient } from "../registry/index.js";
import { checkSpec, deploymentRefs, formatModelRef, normaliseDeployment } from "./spec.js";
import type { DeploymentStore } from "./store.js";
import { aliasEvents, changeEvents, type DeploymentTimeline, followedAliases } from "./timeline.js";
import type { Deployment, ModelRef, ResolvedVariant } from "./types.js";

/** Most events a timeline returns (the newest). */
const TIMELINE_LIMIT = 500;

/** How `setTraffic` changes a deployment; absent fields stay, `null` removes a canary or shadow. */
export interface TrafficChange {
  model?: string;
  canary?: { model: string; percent: number; stickyKey?: string } | null;
  shadow?: { model: string; sampleRate?: number } | null;
  ab?: { variants: { name: string; model: string; weight: number }[]; stickyKey?: string } | null;
}

/**
 * Deployments: the ones declared in `gyre.config.ts` (read-only here) plus the ones created through the API or
 * CLI and kept in the metadata database. Creating or changing one checks that every model it names exists.
 */
export class ServingService {
  readonly #declared: Map<string, Deployment>;

  constructor(
    private readonly store: DeploymentStore | null,
    declared: Deployment[],
    private readonly registry: RegistryClient | null,
  ) {
    this.#declared = new Map(declared.map((d) => [d.name, d]));
  }

  /** Every deployment, declared ones first, each group by name. Stored specs that no longer parse are skipped. */
  async list(): Promise<Deployment[]> {
    const stored = this.store ? await this.store.list() : [];
    const out = [...this.#declared.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const s of stored) {
      if (this.#declared.has(s.name)) continue;
      try {
        out.push(normaliseDeployment(s.spec, "store"));
      } catch {
        // A spec written by a newer gyre may not parse here; it is left to that version.
      }
    }
    return out;
  }

  /** Throws SERVING_DEPLOYMENT_NOT_FOUND. */
  async get(name: string): Promise<Deployment> {
    const declared = this.#declared.get(name);
    if (declared) return declared;
    const stored = await this.store?.get(name);
    if (!stored)
      throw new GyreError(
        "SERVING_DEPLOYMENT_NOT_FOUND",
        `Deployment '${name}' not found — list them with \`gyre deployments list\``,
        { field: "name" },
      );
    return normaliseDeployment(stored.spec, "store");
  }

  #requireStore(): DeploymentStore {
    if (this.store) return this.store;
    throw new GyreError(
      "CONFIG_INVALID",
      "Creating deployments needs a database store (sqlite://, postgres://)",
      { field: "store" },
    );
  }

  #requireStored(name: string): void {
    if (this.#declared.has(name)) {
      throw new GyreError(
        "SERVING_DEPLOYMENT_DECLARED",
        `Deployment '${name}' is declared in gyre.config.ts; change it there`,
        { field: "name" },
      );
    }
  }

  async #checkModels(d: Deployment): Promise<void> {
    if (!this.registry) return;
    for (const { variant, ref } of deploymentRefs(d)) {
      try {
        if (ref.alias !== undefined) await this.registry.getModelVersionByAlias(ref.model, ref.alias);
        else await this.registry.getModelVersion(ref.model, ref.version);
      } catch (e) {
        if (!isGyreError(e) || e.category !== "not_found") throw e;
        throw new GyreError(
          "SERVING_DEPLOYMENT_INVALID",
          `The ${variant} model ${formatModelRef(ref)} does not resolve: ${e.message}`,
          { field: variant === "primary" ? "model" : `${variant}.model` },
        );
      }
    }
  }

  /** Validates `spec`, checks its models exist and stores it. Throws SERVING_DEPLOYMENT_INVALID / _EXISTS / _DECLARED. */
  async create(spec: unknown): Promise<Deployment> {
    const d = normaliseDeployment(spec, "store");
    this.#requireStored(d.name);
    await this.#checkModels(d);
    await this.#requireStore().create(d.name, d.spec);
    return d;
  }

  /** Changes the traffic policy of a stored deployment (canary, shadow, A/B, primary model). */
  async setTraffic(name: string, change: TrafficChange): Promise<Deployment> {
    this.#requireStored(name);
    const current = await this.get(name);
    const spec: Record<string, unknown> = { ...current.spec };
    for (const key of ["model", "canary", "shadow", "ab"] as const) {
      if (change[key] === undefined) continue;
      if (change[key] === null) delete spec[key];
      else spec[key] = change[key];
    }
    if (change.ab) delete spec.model;
    const d = normaliseDeployment(checkSpec(spec), "store");
    await this.#checkModels(d);
    await this.#requireStore().update(name, d.spec);
    return d;
  }

  async #resolveRef(ref: ModelRef): Promise<{ version: number | null; error: string | null }> {
    if (ref.alias === undefined) return { version: ref.version, error: null };
    if (!this.registry) return { version: null, error: "no registry to resolve aliases" };
    try {
      return {
        version: (await this.registry.getModelVersionByAlias(ref.model, ref.alias)).version,
        error: null,
      };
    } catch (e) {
      if (!isGyreError(e) || e.category !== "not_found") throw e;
      return { version: null, error: e.message };
    }
  }

  /** What each variant, then the shadow, serves now: the version its alias resolves to, or why it does not. */
  async resolve(d: Deployment): Promise<ResolvedVariant[]> {
    const weights = new Map(d.traffic.variants.map((v) => [v.name, v.weight]));
    return Promise.all(
      deploymentRefs(d).map(async ({ variant, ref }) => ({
        variant,
        ref: formatModelRef(ref),
        model: ref.model,
        alias: ref.alias ?? null,
        weight:
          variant === "shadow" ? (d.traffic.shadow?.sampleRate ?? 0) * 100 : (weights.get(variant) ?? 0),
        ...(await this.#resolveRef(ref)),
      })),
    );
  }

  /**
   * The version timeline of a deployment: its recorded changes (stored deployments) and the moves of every
   * alias it follows or followed, newest first (at most 500). Works for a deleted deployment whose changes
   * were recorded. Throws SERVING_DEPLOYMENT_NOT_FOUND.
   */
  async timeline(name: string): Promise<DeploymentTimeline> {
    const changes = (await this.store?.history(name)) ?? [];
    let current: Deployment | null = null;
    try {
      current = await this.get(name);
    } catch (e) {
      if (!isGyreError(e) || e.code !== "SERVING_DEPLOYMENT_NOT_FOUND" || changes.length === 0) throw e;
    }
    const aliases = [];
    for (const ref of followedAliases(current, changes)) {
      try {
        if (this.registry) aliases.push(await this.registry.aliasHistory(ref.model, ref.alias!));
      } catch (e) {
        if (!isGyreError(e) || e.category !== "not_found") throw e;
      }
    }
    // Each source is oldest first: reversing after a stable sort keeps same-millisecond events in order.
    const events = [...changeEvents(changes), ...aliases.flatMap(aliasEvents)]
      .sort((a, b) => a.time - b.time)
      .reverse()
      .slice(0, TIMELINE_LIMIT);
    return { aliases, events };
  }

  /** Deletes a stored deployment. Throws SERVING_DEPLOYMENT_NOT_FOUND / _DECLARED. */
  async delete(name: string): Promise<void> {
    this.#requireStored(name);
    if (!(await this.#requireStore().delete(name))) await this.get(name);
  }
}
