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

/**
 * An A/B log of `n` requests per variant from `t0` (one second apart): `base` right on 90 % of its requests,
 * `other` on 70 %, and a shadow mirroring `base`'s requests that differs from it on 15 (wrong on 10 that
 * `base` got right, right on 5 it got wrong). `labels` is the ground truth of every served request.
 */
export function abLog(
  deployment: string,
  t0: number,
  names: { base: string; other: string },
  n = 200,
): { rows: LogRow[]; labels: { request_id: string; label: number }[] } {
  const truth = (i: number) => (i % 3 === 0 ? 1 : 0);
  const baseWrong = (i: number) => i % 10 === 0;
  const otherWrong = (i: number) => i % 10 < 3;
  const shadowWrong = (i: number) => (baseWrong(i) && i % 40 !== 0) || i % 20 === 5;
  const row = (id: string, i: number, wrong: boolean, extra: Partial<LogRow>): LogRow => ({
    requestId: id,
    ts: t0 + i * 1000,
    deployment,
    model: "flights",
    version: "1",
    inputs: { distance: 500 + i },
    outputs: { late: wrong ? 1 - truth(i) : truth(i) },
    latencyMs: 1 + (i % 5),
    ...extra,
  });
  const rows: LogRow[] = [];
  const labels: { request_id: string; label: number }[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(row(`${deployment}-b-${i}`, i, baseWrong(i), { variant: names.base }));
    rows.push(
      row(`${deployment}-o-${i}`, i, otherWrong(i), { variant: names.other, version: "2", latencyMs: 10 }),
    );
    // The shadow logs after the base answered, with the base's request id.
    rows.push(
      row(`${deployment}-b-${i}`, i, shadowWrong(i), {
        ts: t0 + i * 1000 + 5,
        variant: "shadow",
        shadow: true,
        version: "3",
      }),
    );
    labels.push({ request_id: `${deployment}-b-${i}`, label: truth(i) });
    labels.push({ request_id: `${deployment}-o-${i}`, label: truth(i) });
  }
  return { rows, labels };
}
