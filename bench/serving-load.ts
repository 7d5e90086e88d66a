/** Load generators for `bench/serving.ts`: wrk (closed loop, C) when installed, else autocannon; a fixed-rate open loop on node:http. */
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { summarise, timed } from "./http.js";

const run = promisify(execFile);

/** Throughput and latency of one load run. Latencies in ms. */
export interface LoadResult {
  tool: "wrk" | "autocannon" | "node:http open loop";
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

export const HAS_WRK = existsSync("/usr/bin/wrk") || existsSync("/usr/local/bin/wrk");

function wrkMs(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

async function wrk(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  dir: string,
): Promise<LoadResult> {
  const bodyFile = join(dir, `body-${Math.random().toString(36).slice(2)}.json`);
  const script = `${bodyFile}.lua`;
  writeFileSync(bodyFile, body);
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal f = io.open(${JSON.stringify(bodyFile)})\nwrk.body = f:read("*a")\nf:close()\n`,
  );
  const { stdout } = await run(
    "wrk",
    ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url],
    {
      maxBuffer: 1 << 20,
    },
  );
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, n) => a + Number(n), 0) : 0);
  return {
    tool: "wrk",
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    p50: wrkMs(stdout, "50%"),
    p99: wrkMs(stdout, "99%"),
    requests,
    errors,
  };
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function cannon(options: Record<string, unknown>): Promise<AutocannonResult> {
  // autocannon ships no type declarations; the module name goes through a variable so tsc does not look for them.
  const name = "autocannon";
  const mod = (await import(name)) as { default: (o: Record<string, unknown>) => Promise<AutocannonResult> };
  const autocannon = mod.default;
  return autocannon(options);
}

/** A closed-loop run: `connections` clients each sending `body` back to back for `seconds`. */
export async function closedLoad(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  dir: string,
): Promise<LoadResult> {
  if (HAS_WRK) return wrk(url, body, connections, seconds, dir);
  const r = await cannon({
    url,
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
    connections,
    duration: seconds,
  });
  return {
    tool: "autocannon",
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

/**
 * An open-loop run at a fixed `rate` requests per second for `seconds`: request i is sent at start + i/rate
 * whatever the earlier ones are doing, over node:http keep-alive connections (Nagle off). Latency is from
 * send to the last byte. autocannon's rate limiter writes headers and body separately, which meets delayed
 * ACKs on loopback and adds tens of ms; this generator does not.
 */
export async function fixedRate(
  url: string,
  body: string,
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const samples: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      timed(url, body).then(
        (ms) => {
          samples.push(ms);
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  const s = summarise(samples);
  return {
    tool: "node:http open loop",
    rps: samples.length / elapsed,
    p50: s.p50,
    p99: s.p99,
    requests: total,
    errors,
  };
}
