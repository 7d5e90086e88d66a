import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  definePipeline,
  type Firing,
  openPipelines,
  type PipelineScheduler,
  type PipelineService,
  param,
  schedulerFor,
} from "../src/pipelines/index.js";
import { nap } from "./fixtures/pipelines/defs.js";
import { freshStoreUri, tempDir } from "./harness/stores.js";

const tiny = definePipeline({
  name: "tiny",
  params: { ms: param.number(1) },
  build: (p) => void p.step(nap, { params: { ms: p.param("ms") } }),
});

const T = (iso: string) => Date.parse(iso);

/** Two "processes": separate services and schedulers (separate database connections) on one database. */
let a: { svc: PipelineService; sched: PipelineScheduler };
let b: { svc: PipelineService; sched: PipelineScheduler };

async function open(uris: { store: string; artifacts: string }) {
  const svc = await openPipelines(uris, {
    workers: 1,
    workRoot: tempDir("gyre-work-"),
    env: { PATH: process.env.PATH },
  });
  svc.register(tiny);
  return { svc, sched: await schedulerFor(svc) };
}

beforeAll(async () => {
  const uris = { store: await freshStoreUri("sqlite"), artifacts: `file://${tempDir("gyre-artifacts-")}` };
  a = await open(uris);
  b = await open(uris);
});

afterAll(async () => {
  await a?.svc.close();
  await b?.svc.close();
});

async function settle(firings: Firing[]): Promise<void> {
  await Promise.all(firings.map((f) => f.run?.done));
}

describe("pipeline schedules", () => {
  it("fires a cron schedule exactly once with two schedulers running", async () => {
    await a.sched.add(
      { name: "every-5", pipeline: "tiny", cron: "*/5 * * * *", params: { ms: 2 } },
      T("2024-03-31T00:58:00Z"),
    );
    const both = async (iso: string) =>
      (await Promise.all([a.sched.tick(T(iso)), b.sched.tick(T(iso))])).flat();

    const first = await both("2024-03-31T01:00:30Z");
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ schedule: "every-5", time: T("2024-03-31T01:00:00Z") });
    expect(await both("2024-03-31T01:01:00Z")).toEqual([]);
    await settle(first);
    const second = await both("2024-03-31T01:05:10Z");
    expect(second).toHaveLength(1);
    expect(second[0]!.run).not.toBeNull();
    await settle(second);

    const runs = await a.svc.listRuns({ pipeline: "tiny" });
    expect(runs.filter((r) => r.schedule === "every-5")).toHaveLength(2);
    expect(runs.every((r) => r.status === "SUCCEEDED")).toBe(true);
    expect(runs.find((r) => r.schedule === "every-5")!.params).toEqual({ ms: 2 });
  });

  it("reads the cron in the schedule's time zone, across a DST change", async () => {
    const s = await a.sched.add(
      { name: "nine-ny", pipeline: "tiny", cron: "0 9 * * *", timezone: "America/New_York" },
      T("2024-03-08T20:00:00Z"),
    );
    expect(new Date(s.nextFire!).toISOString()).toBe("2024-03-09T14:00:00.000Z");
    const f = await a.sched.tick(T("2024-03-09T14:00:05Z"));
    await settle(f);
    const after = (await a.sched.list()).find((x) => x.name === "nine-ny")!;
    expect(new Date(after.nextFire!).toISOString()).toBe("2024-03-10T13:00:00.000Z");
    await a.sched.remove("nine-ny");
    await expect(
      a.sched.add({ name: "bad-tz", pipeline: "tiny", cron: "0 9 * * *", timezone: "Mars/Olympus" }),
    ).rejects.toMatchObject({ code: "PIPELINE_SCHEDULE_INVALID" });
    await expect(
      a.sched.add({ name: "bad-cron", pipeline: "tiny", cron: "every day" }),
    ).rejects.toMatchObject({ code: "PIPELINE_SCHEDULE_INVALID" });
    await expect(a.sched.add({ name: "nope", pipeline: "ghost", cron: "* * * * *" })).rejects.toMatchObject({
      code: "PIPELINE_NOT_FOUND",
    });
  });

  it("applies the catch-up policy to missed firings, and max concurrent runs", async () => {
    const t0 = T("2024-05-01T00:30:00Z");
    const late = T("2024-05-01T05:40:00Z");
    await a.sched.add({ name: "none", pipeline: "tiny", cron: "0 * * * *", catchup: "none" }, t0);
    await a.sched.add({ name: "latest", pipeline: "tiny", cron: "0 * * * *", catchup: "latest" }, t0);
    await a.sched.add(
      { name: "all", pipeline: "tiny", cron: "0 * * * *", catchup: "all", maxCatchup: 3, maxConcurrent: 5 },
      t0,
    );
    await a.sched.add(
      {
        name: "one-at-a-time",
        pipeline: "tiny",
        cron: "0 * * * *",
        catchup: "all",
        maxCatchup: 3,
        params: { ms: 300 },
      },
      t0,
    );
    const fired = await a.sched.tick(late);
    const by = (name: string) => fired.filter((f) => f.schedule === name);
    expect(by("none")).toEqual([]);
    expect(by("latest").map((f) => new Date(f.time).toISOString())).toEqual(["2024-05-01T05:00:00.000Z"]);
    expect(by("all").map((f) => new Date(f.time).getUTCHours())).toEqual([3, 4, 5]);
    expect(by("all").every((f) => f.run !== null)).toBe(true);
    expect(by("one-at-a-time").map((f) => f.run !== null)).toEqual([true, false, false]);
    await settle(fired);
    const next = (await a.sched.list()).find((s) => s.name === "none")!.nextFire;
    expect(new Date(next!).toISOString()).toBe("2024-05-01T06:00:00.000Z");
  });

  it("does not fire while disabled, nor replay the disabled period when re-enabled", async () => {
    await a.sched.add(
      { name: "paused", pipeline: "tiny", cron: "0 * * * *", catchup: "all" },
      T("2024-06-01T00:10:00Z"),
    );
    await a.sched.setEnabled("paused", false);
    expect((await a.sched.tick(T("2024-06-01T03:00:00Z"))).filter((f) => f.schedule === "paused")).toEqual(
      [],
    );
    const s = await a.sched.setEnabled("paused", true, T("2024-06-01T03:30:00Z"));
    expect(new Date(s.nextFire!).toISOString()).toBe("2024-06-01T04:00:00.000Z");
    expect((await a.sched.tick(T("2024-06-01T03:59:00Z"))).filter((f) => f.schedule === "paused")).toEqual(
      [],
    );
  });
});
