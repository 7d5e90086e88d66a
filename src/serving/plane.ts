import { performance } from "node:perf_hooks";
import { GyreError, isGyreError } from "../core/errors.js";
import type { RegistryClient } from "../registry/index.js";
import { enrichInputs, entityColumns } from "./enrich.js";
import { type DeploymentEvent, LiveDeployment } from "./live-deployment.js";
import type { PredictionLog } from "./log/prediction-log.js";
import type { ServingMetrics } from "./metrics.js";
import { ModelPool, type ModelPoolOptions, type ServedModel } from "./model-pool.js";
import { mirrors, pickVariant } from "./router.js";
import { toTensors } from "./tensors.js";
import type { Deployment, FeatureLookup, InferRequest, InferResult, RawInput, Tensors } from "./types.js";

export interface DataPlaneOptions extends Omit<ModelPoolOptions, "onBatch" | "onLoad"> {
  registry: RegistryClient;
  metrics: ServingMetrics;
  log: PredictionLog | null;
  features: FeatureLookup | null;
  onEvent?: DeploymentEvent;
}

const NO_KEYS: ReadonlySet<string> = new Set();
const keySets = new WeakMap<Deployment, ReadonlySet<string>>();

/** The entity-key input names of a deployment that enriches requests (allowed beside the model's inputs). */
function entityKeySet(d: Deployment): ReadonlySet<string> {
  const keys = d.features?.entityKeys;
  if (!keys || keys.length === 0) return NO_KEYS;
  let set = keySets.get(d);
  if (!set) {
    set = new Set(keys);
    keySets.set(d, set);
  }
  return set;
}

/**
 * The one data plane behind both protocols: deployment → traffic router → enrichment → validation →
 * batcher → runtime, then metrics, the prediction log and the shadow copy, off the response path.
 */
export class DataPlane {
  readonly #deployments = new Map<string, LiveDeployment>();
  readonly pool: ModelPool;
  #closing = false;

  constructor(private readonly options: DataPlaneOptions) {
    const m = options.metrics;
    this.pool = new ModelPool({
      ...options,
      onBatch: (model, version, rows, requests) => {
        m.batchRows.observe({ model, version: String(version) }, rows);
        m.batchRequests.observe({ model, version: String(version) }, requests);
      },
      onLoad: (model, version, outcome) => m.loads.inc({ model, version: String(version), outcome }),
    });
  }

  /** Makes the served deployments match `defs`: new ones start loading, changed ones update, missing ones stop. */
  async apply(defs: Deployment[]): Promise<void> {
    const wanted = new Map(defs.map((d) => [d.name, d]));
    const work: Promise<void>[] = [];
    for (const [name, live] of this.#deployments) {
      const d = wanted.get(name);
      if (!d) {
        this.#deployments.delete(name);
        work.push(live.close());
      } else if (JSON.stringify(d.spec) !== JSON.stringify(live.definition.spec)) work.push(live.update(d));
    }
    for (const d of defs) {
      if (this.#deployments.has(d.name)) continue;
      const live = new LiveDeployment(d, this.pool, this.options.registry, (e) => this.#event(e));
      this.#deployments.set(d.name, live);
      work.push(live.refresh());
    }
    await Promise.all(work);
  }

  #event: DeploymentEvent = (e) => {
    if (e.outcome === "swapped") {
      const served = this.options.metrics.served;
      const labels = { deployment: e.deployment, variant: e.variant, model: e.model };
      if (e.from !== null) served.remove({ ...labels, version: String(e.from) });
      served.set({ ...labels, version: String(e.to) }, 1);
    }
    this.options.onEvent?.(e);
  };

  /** Follows alias moves of every deployment (one pass; a poller calls this on an interval). */
  async refresh(): Promise<void> {
    await Promise.all([...this.#deployments.values()].map((d) => d.refresh()));
  }

  /** Throws SERVING_DEPLOYMENT_NOT_FOUND listing the served deployments. */
  get(name: string): LiveDeployment {
    const live = this.#deployments.get(name);
    if (live) return live;
    const names = [...this.#deployments.keys()].sort().join(", ") || "none";
    throw new GyreError(
      "SERVING_DEPLOYMENT_NOT_FOUND",
      `Model '${name}' is not served here; served deployments: ${names}`,
      { field: "model" },
    );
  }

  list(): LiveDeployment[] {
    return [...this.#deployments.values()];
  }

  /** True when every deployment can answer (and the plane is not shutting down). */
  get ready(): boolean {
    return !this.#closing && this.list().every((d) => d.ready);
  }

  #pick(live: LiveDeployment, req: InferRequest): { served: ServedModel; variant: string } {
    if (req.version !== undefined) {
      const served = live.byVersion(req.version);
      if (!served) {
        const versions =
          live
            .status()
            .map((s) => s.version)
            .filter((v) => v !== null)
            .join(", ") || "none yet";
        throw new GyreError(
          "SERVING_VERSION_NOT_SERVED",
          `Version ${req.version} of model '${live.name}' is not served; served versions: ${versions}`,
          { field: "version" },
        );
      }
      const variant = live.status().find((s) => s.version === req.version)?.variant ?? "primary";
      return { served, variant };
    }
    const policy = live.definition.traffic;
    const sticky = policy.stickyKey ? req.inputs[policy.stickyKey]?.values[0] : undefined;
    const key = sticky !== undefined && sticky !== null ? String(sticky) : req.routingKey;
    const variant = pickVariant(policy, key);
    const served =
      live.served(variant) ?? policy.variants.map((v) => live.served(v.name)).find((s) => s !== null);
    if (!served) throw live.notReady();
    return {
      served,
      variant: live.served(variant)
        ? variant
        : (policy.variants.find((v) => live.served(v.name) === served)?.name ?? variant),
    };
  }

  /** Answers one request. Throws GyreErrors with SERVING_* codes for bad input, unknown models, unready ones. */
  async infer(req: InferRequest): Promise<InferResult> {
    if (this.#closing)
      throw new GyreError("SERVING_SHUTTING_DOWN", "The server is shutting down; retry on another replica");
    const live = this.get(req.deployment);
    const { served, variant } = this.#pick(live, req);
    served.begin();
    const start = performance.now();
    const labels = {
      deployment: live.name,
      version: String(served.version),
      variant,
      protocol: req.protocol,
    };
    try {
      const d = live.definition;
      const inputs = d.features
        ? await enrichInputs(d.features, served.signature, req.inputs, this.options.features)
        : req.inputs;
      const entityKeys = d.features ? entityColumns(d.features, req.inputs) : null;
      const { tensors, rows } = toTensors(served.signature, inputs, entityKeySet(d), served.categories);
      const wanted = this.#outputs(served, req.outputs);
      const all = await served.infer(tensors, rows);
      const outputs: Tensors = {};
      for (const name of wanted) outputs[name] = all[name]!;
      const latencyMs = performance.now() - start;
      this.options.metrics.requests.inc({ ...labels, status: "200" });
      this.options.metrics.latency.observe(labels, latencyMs / 1000);
      const record = {
        requestId: req.requestId,
        ts: Date.now(),
        deployment: live.name,
        model: served.name,
        version: served.version,
        variant,
        shadow: false,
        protocol: req.protocol,
        latencyMs,
        rows,
        inputs: tensors,
        outputs: all,
        entityKeys,
      };
      this.options.log?.offer(record);
      if (req.version === undefined && mirrors(d.traffic)) this.#mirror(live, inputs, entityKeys, record);
      return {
        deployment: live.name,
        model: served.name,
        version: served.version,
        variant,
        rows,
        signature: served.signature,
        outputs,
      };
    } catch (e) {
      const status = isGyreError(e) ? e.httpStatus : 500;
      this.options.metrics.requests.inc({ ...labels, status: String(status) });
      throw e;
    } finally {
      served.end();
    }
  }

  #outputs(served: ServedModel, requested: string[] | undefined): readonly string[] {
    const names = served.outputNames;
    if (!requested) return names;
    for (const name of requested) {
      if (!names.includes(name))
        throw new GyreError(
          "SERVING_OUTPUT_UNKNOWN",
          `Unknown output '${name}'; the model returns ${names.join(", ")}`,
          { field: name },
        );
    }
    return requested;
  }

  /** Sends a copy of the request to the shadow version; its answer goes to the log only. */
  #mirror(
    live: LiveDeployment,
    inputs: Record<string, RawInput>,
    entityKeys: Record<string, RawInput> | null,
    primary: { requestId: string; protocol: InferRequest["protocol"] },
  ): void {
    const shadow = live.served("shadow");
    if (!shadow) return;
    shadow.begin();
    const start = performance.now();
    const run = async () => {
      const { tensors, rows } = toTensors(
        shadow.signature,
        inputs,
        entityKeySet(live.definition),
        shadow.categories,
      );
      const outputs = await shadow.infer(tensors, rows);
      const latencyMs = performance.now() - start;
      this.options.metrics.requests.inc({
        deployment: live.name,
        version: String(shadow.version),
        variant: "shadow",
        protocol: primary.protocol,
        status: "200",
      });
      this.options.metrics.latency.observe(
        {
          deployment: live.name,
          version: String(shadow.version),
          variant: "shadow",
          protocol: primary.protocol,
        },
        latencyMs / 1000,
      );
      this.options.log?.offer({
        requestId: primary.requestId,
        ts: Date.now(),
        deployment: live.name,
        model: shadow.name,
        version: shadow.version,
        variant: "shadow",
        shadow: true,
        protocol: primary.protocol,
        latencyMs,
        rows,
        inputs: tensors,
        outputs,
        entityKeys,
      });
    };
    run()
      .catch(() => this.options.metrics.shadowErrors.inc({ deployment: live.name }))
      .finally(() => shadow.end());
  }

  /** Batcher queue depths per model version, for the metrics gauge. */
  queueDepths(): { model: string; version: number; depth: number }[] {
    const out = new Map<string, { model: string; version: number; depth: number }>();
    for (const live of this.list()) {
      for (const s of live.status()) {
        const served = s.version === null ? null : live.byVersion(s.version);
        if (served)
          out.set(served.key, { model: served.name, version: served.version, depth: served.batcher.depth });
      }
    }
    return [...out.values()];
  }

  /** Refuses new requests, then releases every model once its in-flight calls finish. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.list().map((d) => d.close()));
    this.#deployments.clear();
  }
}
