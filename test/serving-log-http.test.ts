/**
 * The prediction log's HTTP sink through a real `startServing`: a prediction answered over /invocations
 * reaches a collector on 127.0.0.1 as a CloudEvent (and the Parquet log as before), counted per sink on
 * /metrics; a bad sink URL in the config is refused naming the key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  normaliseDeployment,
  type RunningServing,
  resolveServingConfig,
  startServing,
} from "../src/serving/index.js";
import { webhookSink } from "./harness/monitoring.js";
import { flightsPackages, registeredFlights } from "./harness/serving.js";

describe("prediction log to HTTP", () => {
  let serving: RunningServing;
  let fixture: Awaited<ReturnType<typeof registeredFlights>>;
  let collector: Awaited<ReturnType<typeof webhookSink>>;
  let row: Record<string, unknown>;

  beforeAll(async () => {
    const built = await flightsPackages([{ kind: "linear" }]);
    const pkg = built.packages[0]!;
    row = { ...built.rows[0]!, destination: pkg.destinations[0]! };
    delete row.delayed;
    fixture = await registeredFlights("sqlite", "flights", [pkg.dir]);
    collector = await webhookSink();
    serving = await startServing({
      config: fixture.config,
      serving: resolveServingConfig({
        port: 0,
        workers: 1,
        predictionLog: { flushIntervalMs: 50, http: { url: collector.url, headers: { "x-team": "ml" } } },
      }),
      deployments: [normaliseDeployment({ name: "flights", model: "flights/1" }, "config")],
    });
  });
  afterAll(async () => {
    await serving?.close();
    await collector?.close();
    await fixture?.close();
  });

  it("sends every answered row as a CloudEvent beside the Parquet log, counted per sink", async () => {
    const res = await fetch(`${serving.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-http-1" },
      body: JSON.stringify({ dataframe_records: [row, row] }),
    });
    expect(res.status).toBe(200);
    const predictions = ((await res.json()) as { predictions: Record<string, number>[] }).predictions;
    await expect.poll(() => collector.bodies.length, { timeout: 5000 }).toBeGreaterThan(0);
    const events = collector.bodies.flat() as { id: string; type: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.id)).toEqual(["req-http-1#0", "req-http-1#1"]);
    expect(events[0]).toMatchObject({
      type: "org.gyre.serving.prediction",
      source: "gyre/serving/flights",
      data: { request_id: "req-http-1", deployment: "flights", version: "1", protocol: "invocations" },
    });
    // The logged outputs are what the caller got.
    expect(Object.values(events[1]!.data.outputs as Record<string, number>)[0]).toBeCloseTo(
      Object.values(predictions[1]!)[0]!,
      6,
    );
    const written = async () => {
      const text = await (await fetch(`${serving.url}/metrics`)).text();
      return (text.match(/written_total\{sink="\w+"\} \d+/g) ?? []).sort();
    };
    await expect.poll(written).toEqual(['written_total{sink="http"} 2', 'written_total{sink="parquet"} 2']);
  });

  it("refuses a sink URL that is not http(s), naming the key", () => {
    expect(() => resolveServingConfig({ predictionLog: { http: { url: "ftp://collector/x" } } })).toThrow(
      /serving\.predictionLog\.http\.url/,
    );
  });
});
