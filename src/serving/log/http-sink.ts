/**
 * A second home for the prediction log: each flush is POSTed to an HTTP endpoint as a batch of CloudEvents
 * (`application/cloudevents-batch+json`, the CloudEvents HTTP binding's batched mode), one event per
 * prediction row, so that a Knative broker, a Kafka bridge or any collector takes the rows as they are
 * written to Parquet (KServe's payload logger sends CloudEvents too). Failures are retried with backoff;
 * a 4xx other than 408/429 is not. The caller counts what fails.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { LogColumns } from "./parquet-sink.js";

export interface HttpSinkOptions {
  url: string;
  /** Extra request headers (e.g. authorization). */
  headers: Record<string, string>;
  /** Per attempt, ms. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
}

/** The CloudEvents `type` of a prediction row. */
export const PREDICTION_EVENT_TYPE = "org.gyre.serving.prediction";

const str = JSON.stringify;

/**
 * The rows of `c` as a JSON array of CloudEvents. `data` holds the prediction log's columns; inputs, outputs
 * and the entity key are embedded as the JSON text the log already holds.
 */
export function cloudEventsBatch(c: LogColumns): string {
  const parts: string[] = [];
  const heads = c.sources.map(
    (s) =>
      `"deployment":${str(s.deployment)},"model":${str(s.model)},"version":${str(s.version)},"variant":${str(s.variant)},"shadow":${s.shadow},"protocol":${str(s.protocol)}`,
  );
  for (let i = 0; i < c.requestId.length; i++) {
    const s = c.sources[c.source[i]!]!;
    const id = `${c.requestId[i]}#${c.rowIndex[i]}${s.shadow ? "#shadow" : ""}`;
    const latency = c.latencyMs[i]!;
    parts.push(
      `{"specversion":"1.0","id":${str(id)},"source":${str(`gyre/serving/${s.deployment}`)},"type":"${PREDICTION_EVENT_TYPE}","time":"${new Date(c.ts[i]!).toISOString()}","datacontenttype":"application/json","data":{"request_id":${str(c.requestId[i])},"row_index":${c.rowIndex[i]},${heads[c.source[i]!]},"latency_ms":${Number.isFinite(latency) ? latency : "null"},"inputs":${c.inputs[i]},"outputs":${c.outputs[i]},"entity_key":${c.entityKey[i] ?? "null"}}}`,
    );
  }
  return `[${parts.join(",")}]`;
}

/** Whether a failed attempt is worth repeating: network errors, timeouts, 408, 429 and 5xx. */
function retryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

export class HttpSink {
  readonly name = "http";

  constructor(private readonly options: HttpSinkOptions) {}

  async open(): Promise<void> {}

  /** POSTs the rows; resolves once the endpoint answered 2xx, throws the last failure otherwise. */
  async writeColumns(c: LogColumns): Promise<void> {
    if (c.requestId.length === 0) return;
    const body = cloudEventsBatch(c);
    let last: Error = new Error("no attempt");
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
      let status: number | null = null;
      try {
        const res = await fetch(this.options.url, {
          method: "POST",
          headers: { ...this.options.headers, "content-type": "application/cloudevents-batch+json" },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        status = res.status;
        const text = await res.text();
        if (res.ok) return;
        last = new Error(`${this.options.url} answered ${res.status}: ${text.slice(0, 200)}`);
      } catch (e) {
        last = new Error(`${this.options.url} failed: ${(e as Error).message}`, { cause: e });
      }
      if (!retryable(status)) break;
    }
    throw last;
  }

  async close(): Promise<void> {}
}
