/**
 * The main server's read-only deployments API (SQLite) against a real serving data plane: definitions with
 * resolved versions, the version timeline (recorded deployment changes and alias moves), and live
 * requests/s and latency read from the data plane's /metrics — including an unreachable data plane.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../src/server/index.js";
import {
  normaliseDeployment,
  type RunningServing,
  resolveServingConfig,
  startServing,
} from "../src/serving/index.js";
import { freshConfig, freshServer } from "./harness/stores.js";
import {
  createDeployment,
  DEPLOYMENT,
  MODEL,
  predict,
  registerVersions,
  setAlias,
} from "./harness/ui-deployments-seed.js";
import { call } from "./harness/ui-seed.js";

interface Variant {
  variant: string;
  ref: string;
  version: number | null;
  weight: number;
  error: string | null;
}
interface Event {
  kind: string;
  action: string;
  summary: string;
  reason: string | null;
  time: number;
}
interface Live {
  configured: boolean;
  sources: { url: string; reachable: boolean; error: string | null }[];
  windowMs: number | null;
  variants: {
    variant: string;
    version: number;
    model: string | null;
    serving: boolean;
    requests: number;
    requestsPerSecond: number | null;
    p50Ms: number | null;
    p99Ms: number | null;
  }[];
  series: { variant: string; version: number; points: { requestsPerSecond: number }[] }[];
}

const DEAD = "http://127.0.0.1:9";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a Server-Sent Events stream; the returned function resolves with the next event of a type (others skipped). */
async function openStream(url: string, signal: AbortSignal): Promise<<T>(type: string) => Promise<T>> {
  const res = await fetch(url, { signal });
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async <T>(type: string): Promise<T> => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === type && data) return JSON.parse(data) as T;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a ${type} event`);
      buffer += decoder.decode(value, { stream: true });
    }
    throw new Error(`no ${type} event within 10 s`);
  };
}

describe("deployments API of the main server", () => {
  let server: RunningServer;
  let plane: RunningServing;
  let sent: Map<string, number>;

  beforeAll(async () => {
    const config = await freshConfig("sqlite");
    plane = await startServing({
      config,
      serving: resolveServingConfig({
        port: 0,
        workers: 1,
        pollIntervalMs: 100,
        predictionLog: { enabled: false },
      }),
    });
    server = await startServer(config, {
      servingUrls: [plane.url, DEAD],
      deployments: [normaliseDeployment({ name: "pinned", model: `${MODEL}/1` }, "config")],
      ui: false,
    });
    await registerVersions(server.url, 2);
    await setAlias(server.url, "champion", 1, "first model");
    await setAlias(server.url, "challenger", 2, "retrained on March");
    await createDeployment(plane.url);
    sent = await predict(plane.url, 40);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await plane?.close();
  });

  it("lists declared and stored deployments with their split and the versions their aliases resolve to", async () => {
    const { deployments, servingUrls } = await call<{
      deployments: { name: string; origin: string; variants: Variant[] }[];
      servingUrls: string[];
    }>(server.url, "GET", "/api/v1/deployments");
    expect(servingUrls).toEqual([plane.url, DEAD]);
    expect(deployments.map((d) => [d.name, d.origin])).toEqual([
      ["pinned", "config"],
      [DEPLOYMENT, "store"],
    ]);
    expect(deployments[1]!.variants).toEqual([
      {
        variant: "primary",
        ref: `${MODEL}@champion`,
        model: MODEL,
        alias: "champion",
        weight: 80,
        version: 1,
        error: null,
      },
      {
        variant: "canary",
        ref: `${MODEL}@challenger`,
        model: MODEL,
        alias: "challenger",
        weight: 20,
        version: 2,
        error: null,
      },
    ]);
    expect(deployments[0]!.variants).toMatchObject([
      { variant: "primary", ref: `${MODEL}/1`, version: 1, alias: null },
    ]);
  });

  it("counts every prediction per variant and version, with rates and latency quantiles", async () => {
    expect([...sent.values()].reduce((a, b) => a + b, 0)).toBe(40);
    expect(sent.get("2")).toBeGreaterThan(0);
    const path = `/api/v1/deployments/${DEPLOYMENT}/live`;
    const first = await call<Live>(server.url, "GET", path);
    expect(first.configured).toBe(true);
    expect(first.sources[0]).toEqual({ url: plane.url, reachable: true, error: null });
    expect(first.sources[1]!.reachable).toBe(false);
    expect(first.sources[1]!.error).toContain(`Cannot reach the serving data plane at ${DEAD}`);
    const requests = Object.fromEntries(
      first.variants.map((v) => [`${v.variant}/v${v.version}`, v.requests]),
    );
    expect(requests).toEqual({ "primary/v1": sent.get("1"), "canary/v2": sent.get("2") });
    expect(first.variants.every((v) => v.serving && v.model === MODEL)).toBe(true);
    // Rates need two scrapes; predictions in between make them positive.
    await sleep(1100);
    const more = await predict(plane.url, 30);
    const second = await call<Live>(server.url, "GET", path);
    expect(second.windowMs).toBeGreaterThan(0);
    const primary = second.variants.find((v) => v.variant === "primary")!;
    expect(primary.requests).toBe(sent.get("1")! + (more.get("1") ?? 0));
    expect(primary.requestsPerSecond).toBeGreaterThan(0);
    expect(primary.p50Ms).toBeGreaterThan(0);
    expect(primary.p99Ms).toBeGreaterThanOrEqual(primary.p50Ms!);
    expect(second.series.find((s) => s.variant === "primary")!.points.length).toBeGreaterThan(0);
    const { deployments } = await call<{ deployments: { name: string; live?: { requests: number } }[] }>(
      server.url,
      "GET",
      "/api/v1/deployments?live=true",
    );
    expect(deployments.find((d) => d.name === DEPLOYMENT)!.live!.requests).toBe(70);
  });

  it("shows a deployment's version timeline: its changes and the moves of the aliases it follows", async () => {
    await setAlias(server.url, "champion", 2, "canary won");
    await call(plane.url, "PATCH", `/api/v1/deployments/${DEPLOYMENT}/traffic`, { canary: null });
    const d = await call<{
      variants: Variant[];
      timeline: { aliases: { alias: string; version: number }[]; events: Event[] };
    }>(server.url, "GET", `/api/v1/deployments/${DEPLOYMENT}`);
    expect(d.variants).toMatchObject([{ variant: "primary", version: 2, weight: 100 }]);
    expect(d.timeline.aliases.map((a) => [a.alias, a.version])).toEqual([
      ["champion", 2],
      ["challenger", 2],
    ]);
    const events = d.timeline.events;
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort((a, b) => b - a));
    expect(events.map((e) => e.summary)).toEqual([
      `canary ended: ${MODEL}@challenger removed`,
      `${MODEL}@champion v1 → v2`,
      `canary started: ${MODEL}@challenger at 20%`,
      `created: primary ${MODEL}@champion 100%`,
      `${MODEL}@challenger set → v2`,
      `${MODEL}@champion set → v1`,
    ]);
    expect(events[1]!.reason).toBe("canary won");
  });

  it("streams the deployment on every change and live figures as Server-Sent Events", async () => {
    const abort = new AbortController();
    const next = await openStream(`${server.url}/api/v1/deployments/${DEPLOYMENT}/events`, abort.signal);
    try {
      const first = await next<{ variants: Variant[] }>("deployment");
      expect(first.variants[0]).toMatchObject({ variant: "primary", version: 2 });
      expect((await next<Live>("live")).configured).toBe(true);
      await setAlias(server.url, "champion", 1, "rolled back");
      const moved = await next<{ variants: Variant[]; timeline: { events: Event[] } }>("deployment");
      expect(moved.variants[0]).toMatchObject({ variant: "primary", version: 1 });
      expect(moved.timeline.events[0]!.reason).toBe("rolled back");
      await next<Live>("live");
    } finally {
      abort.abort();
    }
    // The server outlives the hang-up and answers the next request.
    expect((await fetch(`${server.url}/api/v1/deployments/${DEPLOYMENT}/live`)).status).toBe(200);
  });

  it("ends a deployment's stream with `gone` when it is deleted", async () => {
    await call(plane.url, "POST", "/api/v1/deployments", { name: "short-lived", model: `${MODEL}/1` });
    const abort = new AbortController();
    try {
      const next = await openStream(`${server.url}/api/v1/deployments/short-lived/events`, abort.signal);
      await next("deployment");
      await call(plane.url, "DELETE", "/api/v1/deployments/short-lived");
      const gone = await next<{ message: string }>("gone");
      expect(gone.message).toContain("Deployment 'short-lived' not found");
      await expect(next("live")).rejects.toThrow("stream ended");
    } finally {
      abort.abort();
    }
  });

  it("answers an unknown deployment with 404 and the code, and documents the routes", async () => {
    for (const path of [
      "/api/v1/deployments/nope",
      "/api/v1/deployments/nope/live",
      "/api/v1/deployments/nope/events",
    ]) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("SERVING_DEPLOYMENT_NOT_FOUND");
      expect(body.error.message).toContain("gyre deployments list");
    }
    const doc = await call<{ paths: Record<string, unknown> }>(server.url, "GET", "/api/v1/openapi.json");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/deployments",
        "/api/v1/deployments/{name}",
        "/api/v1/deployments/{name}/live",
        "/api/v1/deployments/{name}/events",
      ]),
    );
  });

  it("says when no data plane is configured instead of failing", async () => {
    const bare = await freshServer("sqlite");
    try {
      await registerVersions(bare.url, 1);
      await setAlias(bare.url, "champion", 1, "first");
      await bare.deployments!.create({ name: "quiet", model: `${MODEL}@champion` });
      const live = await call<Live>(bare.url, "GET", "/api/v1/deployments/quiet/live");
      expect(live).toMatchObject({ configured: false, sources: [], variants: [], windowMs: null });
    } finally {
      await bare.close();
    }
  });
});
