/** The load generator's HTTP side: keep-alive requests, closed-loop workers, percentiles. */
import { Agent, request as httpRequest, type RequestOptions } from "node:http";

/** Summary of a list of latencies in milliseconds (nearest-rank percentiles). */
export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarise(samplesMs: number[]): LatencySummary {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1] ?? 0, mean };
}

/** One keep-alive agent for the whole bench: requests reuse a few loopback connections. */
const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function options(payload: Buffer | undefined): RequestOptions {
  if (payload === undefined) return { agent, method: "GET" };
  return {
    agent,
    method: "POST",
    headers: { "content-type": "application/json", "content-length": payload.length },
  };
}

/**
 * Sends one request and reads the whole body; throws on any status but 200 so that errors never count
 * as speed. node:http with a keep-alive agent costs the client less CPU per request than fetch, which
 * matters when client and server share two cores.
 */
export function request(url: string, body?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = typeof body === "string" ? Buffer.from(body) : body;
    const req = httpRequest(url, options(payload), (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200)
          reject(new Error(`${url} → HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(text);
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Closes the idle keep-alive connections so the process can exit. */
export function closeConnections(): void {
  agent.destroy();
}

/** Times one request (request sent → last body byte received), in milliseconds; the body is not decoded. */
export function timed(url: string, body?: string | Buffer): Promise<number> {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, options(payload), (res) => {
      res.on("data", () => undefined);
      res.on("error", reject);
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`${url} → HTTP ${res.statusCode}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * Runs `total` jobs on `concurrency` workers, each worker awaiting its job before taking the next
 * (a closed loop, as a training client behaves). Returns the wall time in milliseconds.
 */
export async function closedLoop(
  concurrency: number,
  total: number,
  job: (worker: number, index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < total; i = next++) await job(worker, i);
    }),
  );
  return performance.now() - t0;
}
