import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePipeline, type PipelineEvent, param } from "../src/pipelines/index.js";
import { type RunningServer, startServer } from "../src/server/index.js";
import { nap } from "./fixtures/pipelines/defs.js";
import { gyre, json } from "./harness/cli.js";
import { freshConfig } from "./harness/stores.js";

/** Two steps in a row, each sleeping `ms`. */
const pair = definePipeline({
  name: "pair",
  params: { ms: param.number(50) },
  build: (p) => {
    const a = p.step(nap, { id: "a", params: { ms: p.param("ms") } });
    p.step(nap, { id: "b", params: { ms: p.param("ms") }, after: [a] });
  },
});

let server: RunningServer;
/** Listeners the server's pipeline service holds right now (counted around `subscribe`). */
let listeners = 0;

beforeAll(async () => {
  server = await startServer(await freshConfig("sqlite"), { pipelines: [pair] });
  const subscribe = server.pipelines.subscribe.bind(server.pipelines);
  server.pipelines.subscribe = (l) => {
    listeners++;
    const off = subscribe(l);
    return () => {
      listeners--;
      return off();
    };
  };
});

afterAll(async () => {
  await server?.close();
});

/** Reads Server-Sent Events from `res` until the stream ends or `until` says stop. */
async function readEvents(
  res: Response,
  until: (seen: PipelineEvent[]) => boolean = () => false,
): Promise<Array<{ event: string; data: PipelineEvent }>> {
  const out: Array<{ event: string; data: PipelineEvent }> = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    text += value;
    let cut = text.indexOf("\n\n");
    while (cut >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      cut = text.indexOf("\n\n");
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) out.push({ event, data: JSON.parse(data) as PipelineEvent });
    }
    if (until(out.map((x) => x.data))) {
      await reader.cancel();
      return out;
    }
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("pipelines over HTTP", () => {
  it("streams a run's status changes as Server-Sent Events, in order, ending with the run", async () => {
    const handle = await server.pipelines.start("pair", { params: { ms: 300 } });
    const res = await fetch(`${server.url}/api/v1/pipelines/runs/${handle.runId}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(res);
    for (const e of events) expect(e.event).toBe(e.data.type);
    const runs = events.filter((e) => e.data.type === "run").map((e) => e.data.status);
    expect(runs).toEqual(["RUNNING", "SUCCEEDED"]);
    expect(events[0]!.data).toMatchObject({ type: "run", status: "RUNNING" });
    expect(events.at(-1)!.data).toMatchObject({ type: "run", status: "SUCCEEDED" });
    const succeeded = events
      .map((e) => e.data)
      .filter((e) => e.type === "step" && e.status === "SUCCEEDED")
      .map((e) => (e.type === "step" ? e.stepId : ""));
    expect(succeeded).toEqual(["a", "b"]);
    await handle.done;
    await waitFor(() => listeners === 0);
  });

  it("replays a finished run's final state and serves its status", async () => {
    const summary = await server.pipelines.run("pair", { params: { ms: 1 } });
    const id = summary.run.runId;
    const events = await readEvents(await fetch(`${server.url}/api/v1/pipelines/runs/${id}/events`));
    expect(events.map((e) => `${e.event}:${e.data.status}`)).toEqual([
      "step:SUCCEEDED",
      "step:SUCCEEDED",
      "run:SUCCEEDED",
    ]);
    const status = (await (await fetch(`${server.url}/api/v1/pipelines/runs/${id}`)).json()) as {
      run: { status: string; plan?: unknown };
      steps: Array<{ stepId: string }>;
    };
    expect(status.run.status).toBe("SUCCEEDED");
    expect(status.run.plan).toBeUndefined();
    expect(status.steps.map((s) => s.stepId)).toEqual(["a", "b"]);
  });

  it("drops the subscription when the client disconnects", async () => {
    const handle = await server.pipelines.start("pair", { params: { ms: 3000 } });
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/pipelines/runs/${handle.runId}/events`, {
      signal: abort.signal,
    });
    await readEvents(res, (seen) => seen.length > 0).catch(() => undefined);
    expect(listeners).toBe(1);
    abort.abort();
    await waitFor(() => listeners === 0);
    await server.pipelines.cancel(handle.runId);
  });

  it("lists pipelines, triggers a run over HTTP, and 404s unknown pipelines and runs", async () => {
    const list = (await (await fetch(`${server.url}/api/v1/pipelines`)).json()) as {
      pipelines: Array<{ name: string; steps: number }>;
    };
    expect(list.pipelines).toEqual([expect.objectContaining({ name: "pair", steps: 2 })]);
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}/api/v1/pipelines/${path}/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const res = await post("pair", { params: { ms: 5 } });
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const events = await readEvents(await fetch(`${server.url}/api/v1/pipelines/runs/${runId}/events`));
    expect(events.at(-1)!.data.status).toBe("SUCCEEDED");
    const run = await server.pipelines.status(runId);
    expect(run.run.params).toMatchObject({ ms: 5 });
    const missing = await post("nope", {});
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("PIPELINE_NOT_FOUND");
    const noRun = await fetch(`${server.url}/api/v1/pipelines/runs/nope/events`);
    expect(noRun.status).toBe(404);
  });
});

describe("the scheduler inside gyre server", () => {
  it("fires a schedule once when two servers share a database, and is off unless asked for", async () => {
    expect(server.scheduler).toBeNull();
    const config = await freshConfig("sqlite");
    // A tick period far beyond the test, so that only the ticks below (with a controlled clock) fire.
    const options = { pipelines: [pair], scheduler: { tickMs: 3_600_000 } };
    const [a, b] = [await startServer(config, options), await startServer(config, options)];
    try {
      const T = (iso: string) => Date.parse(iso);
      await a.scheduler!.add(
        { name: "hourly", pipeline: "pair", cron: "0 * * * *", params: { ms: 1 } },
        T("2024-05-01T09:30:00Z"),
      );
      const at = T("2024-05-01T10:00:05Z");
      const firings = (await Promise.all([a.scheduler!.tick(at), b.scheduler!.tick(at)])).flat();
      expect(firings).toHaveLength(1);
      const summary = await firings[0]!.run!.done;
      expect(summary.run).toMatchObject({ status: "SUCCEEDED", schedule: "hourly" });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("triggers over HTTP", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/api/v1/pipelines/triggers${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("adds an alert trigger and starts one run per Alertmanager alert, however often it is delivered", async () => {
    const created = await post("", {
      name: "on-alert",
      pipeline: "pair",
      on: { kind: "alert", deployment: "flights" },
    });
    expect(created.status).toBe(201);
    const webhook = {
      version: "4",
      status: "firing",
      receiver: "gyre",
      groupKey: '{}:{alertname="FeatureDrift"}',
      alerts: [
        {
          status: "firing",
          labels: { alertname: "FeatureDrift", deployment: "flights", severity: "critical", ms: "1" },
          annotations: { summary: "PSI 0.4 on delay" },
          startsAt: "2024-05-01T10:00:00Z",
          fingerprint: "c0ffee",
        },
        { status: "resolved", labels: { alertname: "Old", deployment: "flights" }, fingerprint: "old" },
      ],
    };
    const first = await post("/alerts", webhook);
    expect(first.status).toBe(202);
    const body = (await first.json()) as { events: number; fired: { trigger: string; runId: string }[] };
    expect(body.events).toBe(1);
    expect(body.fired).toHaveLength(1);
    const again = (await (await post("/alerts", webhook)).json()) as { fired: unknown[] };
    expect(again.fired).toEqual([]);
    const run = await server.tracking.getRun(body.fired[0]!.runId);
    expect(run.data.params).toContainEqual({ key: "ms", value: "1" });
    const listed = (await (await fetch(`${server.url}/api/v1/pipelines/runs?pipeline=pair`)).json()) as {
      runs: { runId: string; startedBy: string }[];
    };
    expect(listed.runs.find((r) => r.runId === run.info.runId)?.startedBy).toBe("alert trigger on-alert");
    expect(run.data.tags).toContainEqual({
      key: "gyre.trigger.payload",
      value: expect.stringContaining("FeatureDrift"),
    });

    const gyreAlert = (await (await post("/alerts", { id: "a-9", deployment: "flights", ms: 2 })).json()) as {
      fired: { runId: string }[];
    };
    expect(gyreAlert.fired).toHaveLength(1);
    const events = (await (
      await fetch(`${server.url}/api/v1/pipelines/triggers/on-alert/events`)
    ).json()) as {
      events: { key: string }[];
    };
    expect(events.events.map((e) => e.key).sort()).toEqual(["a-9", "c0ffee@2024-05-01T10:00:00Z"]);
  });

  it("refuses malformed triggers and alerts with the field to fix", async () => {
    const bad = await post("", { name: "x", pipeline: "pair", on: { kind: "cron" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toMatch(/^on/);
    const noId = await post("/alerts", { deployment: "flights" });
    expect(noId.status).toBe(400);
    const gone = await fetch(`${server.url}/api/v1/pipelines/triggers/nope`, { method: "DELETE" });
    expect(gone.status).toBe(404);
  });
});

describe("gyre pipeline against a server (--store http://…)", () => {
  it("lists, runs and follows, shows status and logs, resumes and cancels through the server", async () => {
    const store = ["--store", server.url];
    const list = json<Array<{ name: string; steps: number }>>(
      await gyre(["pipeline", "list", ...store, "--json"]),
    );
    expect(list).toContainEqual(expect.objectContaining({ name: "pair", steps: 2 }));

    const run = await gyre(["pipeline", "run", "pair", "--param", "ms=5", ...store, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      run: { runId: string; status: string };
      steps: { stepId: string; status: string }[];
    };
    expect(summary.run.status).toBe("SUCCEEDED");
    expect(summary.steps.map((s) => [s.stepId, s.status])).toEqual([
      ["a", "SUCCEEDED"],
      ["b", "SUCCEEDED"],
    ]);
    const stored = await server.pipelines.status(summary.run.runId);
    expect(stored.run.params).toEqual({ ms: 5 });

    const status = await gyre(["pipeline", "status", summary.run.runId, ...store]);
    expect(status.stdout).toMatch(/pair\s+run \w+\s+SUCCEEDED/);
    const runs = json<Array<{ runId: string }>>(
      await gyre(["pipeline", "list", "--runs", "pair", ...store, "--json"]),
    );
    expect(runs.map((r) => r.runId)).toContain(summary.run.runId);
    const logs = await gyre(["pipeline", "logs", summary.run.runId, ...store]);
    expect(logs.code, logs.stderr).toBe(0);

    const resumed = await gyre(["pipeline", "resume", summary.run.runId, ...store, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const cancel = await gyre(["pipeline", "cancel", summary.run.runId, ...store, "--json"]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const missing = await gyre(["pipeline", "run", "nope", ...store]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("PIPELINE_NOT_FOUND");
    const withFile = await gyre(["pipeline", "run", "pair", "--file", "x.ts", ...store]);
    expect(withFile.code).toBe(2);
    expect(withFile.stderr).toContain("gyre.config.ts");
  });
});
