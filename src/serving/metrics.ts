import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * The serving process's Prometheus metrics: requests and latency per deployment/version/variant/protocol,
 * batch sizes, batcher and prediction-log queue depths, prediction-log drops, model loads. In a cluster every
 * worker keeps its own and `/metrics` aggregates them (see cluster.ts).
 */
export class ServingMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<"deployment" | "version" | "variant" | "protocol" | "status">;
  readonly latency: Histogram<"deployment" | "version" | "variant" | "protocol">;
  readonly batchRows: Histogram<"model" | "version">;
  readonly batchRequests: Histogram<"model" | "version">;
  readonly batchQueue: Gauge<"model" | "version">;
  readonly logQueue: Gauge;
  readonly logDropped: Counter<"deployment">;
  readonly logWritten: Counter<"sink">;
  readonly logErrors: Counter<"sink">;
  readonly loads: Counter<"model" | "version" | "outcome">;
  readonly shadowErrors: Counter<"deployment">;
  readonly served: Gauge<"deployment" | "variant" | "model" | "version">;

  /** Read at scrape time: the batcher queue depth of every loaded model version. */
  queueDepths: () => { model: string; version: number; depth: number }[] = () => [];

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "gyre_serving_" });
    this.requests = new Counter({
      name: "gyre_serving_requests_total",
      help: "Inference requests by deployment, version, variant, protocol and HTTP status",
      labelNames: ["deployment", "version", "variant", "protocol", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "gyre_serving_request_duration_seconds",
      help: "Inference latency (decode to encode) by deployment, version, variant and protocol",
      labelNames: ["deployment", "version", "variant", "protocol"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchRows = new Histogram({
      name: "gyre_serving_batch_rows",
      help: "Rows per inference call after dynamic batching",
      labelNames: ["model", "version"],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.batchRequests = new Histogram({
      name: "gyre_serving_batch_requests",
      help: "Requests merged into one inference call",
      labelNames: ["model", "version"],
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.batchQueue = new Gauge({
      name: "gyre_serving_batch_queue_depth",
      help: "Requests waiting in a model's batcher",
      labelNames: ["model", "version"],
      registers,
      collect: () => this.#collectQueues(),
    });
    this.logQueue = new Gauge({
      name: "gyre_serving_prediction_log_queue_depth",
      help: "Prediction rows waiting to be written to the prediction log",
      registers,
    });
    this.logDropped = new Counter({
      name: "gyre_serving_prediction_log_dropped_total",
      help: "Prediction rows dropped because the prediction-log queue was full",
      labelNames: ["deployment"],
      registers,
    });
    this.logWritten = new Counter({
      name: "gyre_serving_prediction_log_written_total",
      help: "Prediction rows written to the prediction log, per sink (parquet, http)",
      labelNames: ["sink"],
      registers,
    });
    this.logErrors = new Counter({
      name: "gyre_serving_prediction_log_errors_total",
      help: "Prediction-log flushes a sink failed or skipped because it was a full queue behind (their rows are lost to that sink)",
      labelNames: ["sink"],
      registers,
    });
    this.loads = new Counter({
      name: "gyre_serving_model_loads_total",
      help: "Model version loads by outcome (loaded, failed)",
      labelNames: ["model", "version", "outcome"],
      registers,
    });
    this.shadowErrors = new Counter({
      name: "gyre_serving_shadow_errors_total",
      help: "Mirrored requests the shadow version failed",
      labelNames: ["deployment"],
      registers,
    });
    this.served = new Gauge({
      name: "gyre_serving_variant_info",
      help: "1 for the version each deployment variant currently serves",
      labelNames: ["deployment", "variant", "model", "version"],
      registers,
      // Every worker serves the same versions: across a cluster this is still 1, not the worker count.
      aggregator: "max",
    });
  }

  #collectQueues(): void {
    this.batchQueue.reset();
    for (const q of this.queueDepths())
      this.batchQueue.set({ model: q.model, version: String(q.version) }, q.depth);
  }
}
