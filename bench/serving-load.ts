/** Load generators for `bench/serving.ts`: wrk (closed loop, C) when installed, else autocannon; a fixed-rate open loop on node:http. */
import { execFile, fork } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  /** CPU time (user + system) of the server's processes per request, µs, when its pid was given. */
  cpuUsPerRequest?: number;
}

/** The pid and every descendant of it (a cluster primary and its workers), from /proc; [] elsewhere. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const tasks = `/proc/${out[i]}/task`;
    if (!existsSync(tasks)) continue;
    for (const tid of readdirSync(tasks)) {
      const children = readFileSync(`${tasks}/${tid}/children`, "utf8").trim();
      if (children) out.push(...children.split(/\s+/).map(Number));
    }
  }
  return out;
}

/** CPU seconds (user + system) used so far by `pid` and its descendants; NaN without /proc. */
export function treeCpuSeconds(pid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  try {
    for (const p of processTree(pid)) {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    }
  } catch {
    return Number.NaN;
  }
  return total;
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

/**
 * A closed-loop run: `connections` clients each sending `body` back to back for `seconds`. With `serverPid`,
 * also the server's CPU time per request (its processes and their children), which stays meaningful when
 * other work shares the machine and requests per second do not.
 */
export async function closedLoad(
  url: string,
  body: string,
  connections: number,
  seconds: number,
  dir: string,
  serverPid?: number,
): Promise<LoadResult> {
  const cpu0 = serverPid === undefined ? Number.NaN : treeCpuSeconds(serverPid);
  const r = await closedLoadOnly(url, body, connections, seconds, dir);
  if (serverPid === undefined) return r;
  return { ...r, cpuUsPerRequest: ((treeCpuSeconds(serverPid) - cpu0) * 1e6) / Math.max(1, r.requests) };
}

async function closedLoadOnly(
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
  body: string | string[],
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const bodies = (Array.isArray(body) ? body : [body]).map((b) => Buffer.from(b));
  const total = Math.round(rate * seconds);
  const samples: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      timed(url, bodies[i % bodies.length]).then(
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

/** The p99 at a fixed rate of one target: the best window, and every window for the record. */
export interface RateFigure {
  p50: number;
  p99: number;
  achievedRate: number;
  errors: number;
  windows: { p50_ms: number; p99_ms: number; rps: number; errors: number }[];
}

/**
 * {@link fixedRate} against each target, run by bench/rate-client.ts in a fresh process (so the bench's own
 * heap and GC stay out of the figures), the targets' windows interleaved (`rounds` rounds of one `seconds`-long
 * window each) so that a hello-world floor and gyre see the same machine load. Per target, the window with the
 * lowest p99 counts; all windows are kept.
 */
export async function fixedRates(
  targets: { url: string; bodies: string[] }[],
  rate: number,
  seconds: number,
  rounds: number,
): Promise<RateFigure[]> {
  const child = fork(new URL("./rate-client.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  child.send({ targets, rate, seconds, rounds });
  const [message] = (await Promise.race([
    once(child, "message"),
    exited.then(([code]) => {
      throw new Error(`the rate client exited with code ${code} before reporting`);
    }),
  ])) as [{ windows: LoadResult[][] }];
  await exited;
  return message.windows.map((list) => {
    const best = list.reduce((a, w) => (w.p99 < a.p99 ? w : a));
    return {
      p50: best.p50,
      p99: best.p99,
      achievedRate: best.rps,
      errors: best.errors,
      windows: list.map((w) => ({ p50_ms: w.p50, p99_ms: w.p99, rps: w.rps, errors: w.errors })),
    };
  });
}
