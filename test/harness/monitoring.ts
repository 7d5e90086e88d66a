/** Helpers for the monitoring tests: a deterministic prediction log with an optional shift, and a webhook sink. */
import { createServer, type Server } from "node:http";
import type { LogRow } from "./prediction-log.js";

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

/** Deterministic pseudo-normal values (sum of uniforms), so tests need no random seed. */
export function wave(i: number, shift = 0): number {
  let s = 0;
  for (let k = 1; k <= 6; k++) s += ((i * 7919 * k + k * 104729) % 1000) / 1000;
  return s - 3 + shift;
}

/** `n` rows (two per request) in hour `hour` after T0; `shift` moves `distance` by that many standard units. */
export function flightRows(deployment: string, hour: number, n: number, shift = 0): LogRow[] {
  return Array.from({ length: n }, (_, i) => {
    const distance = 500 + 100 * wave(i + hour * 7, shift);
    return {
      requestId: `${deployment}-${hour}-${Math.floor(i / 2)}`,
      rowIndex: i % 2,
      ts: T0 + hour * HOUR + Math.floor((i * HOUR) / n),
      deployment,
      model: "flights",
      version: "1",
      inputs: { distance, hour_of_day: i % 24, origin: ["SFO", "LAX", "JFK", "ORD"][i % 4] },
      outputs: { late: i % 3 === 0 ? 1 : 0 },
      entityKey: { flight: `F${hour}-${i}` },
    };
  });
}

/** An HTTP server on 127.0.0.1 that records JSON POST bodies. */
export async function webhookSink(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
