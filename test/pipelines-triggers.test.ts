import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  definePipeline,
  openPipelines,
  type PipelineService,
  type PipelineTriggers,
  param,
  parseTriggerSpec,
  type TriggerFiring,
  triggersFor,
} from "../src/pipelines/index.js";
import { nap } from "./fixtures/pipelines/defs.js";
import { BACKENDS, freshStoreUri, tempDir } from "./harness/stores.js";

const retrain = definePipeline({
  name: "retrain",
  params: {
    ms: param.number(1),
    dataset_digest: param.string(""),
    git_commit: param.string(""),
    feature: param.string(""),
    score: param.number(0),
  },
  build: (p) => void p.step(nap, { params: { ms: p.param("ms") } }),
});

async function settle(firings: TriggerFiring[]): Promise<void> {
  await Promise.all(firings.map((f) => f.run?.done));
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@x",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@x",
    },
  }).trim();
}

describe.each(BACKENDS)("pipeline triggers on %s", (backend) => {
  /** Two "processes" over one database, as two schedulers would be. */
  let a: { svc: PipelineService; triggers: PipelineTriggers };
  let b: { svc: PipelineService; triggers: PipelineTriggers };

  async function open(uris: { store: string; artifacts: string }) {
    const svc = await openPipelines(uris, {
      workers: 1,
      workRoot: tempDir("gyre-work-"),
      env: { PATH: process.env.PATH },
    });
    svc.register(retrain);
    return { svc, triggers: await triggersFor(svc, { datasetMs: 0, gitMs: 0 }) };
  }

  beforeAll(async () => {
    const uris = { store: await freshStoreUri(backend), artifacts: `file://${tempDir("gyre-artifacts-")}` };
    a = await open(uris);
    b = await open(uris);
  });

  afterAll(async () => {
    await a?.svc.close();
    await b?.svc.close();
  });

  async function logDataset(name: string, digest: string): Promise<void> {
    const tracking = a.svc.tracking;
    const exp = (await tracking.getExperimentByName("data")) ?? (await tracking.createExperiment("data"));
    const run = await tracking.createRun({ experimentId: exp.experimentId });
    await tracking.logInputs(run.info.runId, [
      { tags: [], dataset: { name, digest, sourceType: "local", source: `/data/${name}.parquet` } },
    ]);
  }

  it("fires once per new dataset version, not for versions that existed before, with two pollers", async () => {
    await logDataset("flights-2001", "d1");
    await a.triggers.add({
      name: "on-flights",
      pipeline: "retrain",
      on: { kind: "dataset", dataset: "flights-*" },
    });
    expect(await a.triggers.poll()).toEqual([]);

    await logDataset("flights-2001", "d2");
    await logDataset("weather", "w1");
    const fired = (await Promise.all([a.triggers.poll(), b.triggers.poll()])).flat();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ trigger: "on-flights", event: "flights-2001@d2" });
    await settle(fired);
    expect((await Promise.all([a.triggers.poll(), b.triggers.poll()])).flat()).toEqual([]);

    const run = await a.svc.tracking.getRun(fired[0]!.run!.runId);
    expect(run.data.params).toContainEqual({ key: "dataset_digest", value: "d2" });
    expect(run.data.tags).toContainEqual({ key: "gyre.trigger.kind", value: "dataset" });
    expect(run.data.tags).toContainEqual({ key: "gyre.trigger.event", value: "flights-2001@d2" });
    const events = await a.triggers.events("on-flights");
    expect(events.map((e) => [e.key, e.runId !== null])).toEqual(
      expect.arrayContaining([
        ["flights-2001@d1", false],
        ["flights-2001@d2", true],
      ]),
    );
  });

  it("fires on a new commit of a watched git branch", async () => {
    const repo = tempDir("gyre-git-");
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "train.py"), "print(1)\n");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "first");
    await a.triggers.add({ name: "on-main", pipeline: "retrain", on: parseTriggerSpec(`git:${repo}#main`) });
    expect((await a.triggers.poll()).filter((f) => f.trigger === "on-main")).toEqual([]);

    writeFileSync(join(repo, "train.py"), "print(2)\n");
    git(repo, "commit", "-q", "-am", "second");
    const sha = git(repo, "rev-parse", "HEAD");
    const fired = (await Promise.all([a.triggers.poll(), b.triggers.poll()])).flat();
    expect(fired.map((f) => [f.trigger, f.event])).toEqual([["on-main", sha]]);
    await settle(fired);
    expect((await a.svc.tracking.getRun(fired[0]!.run!.runId)).data.params).toContainEqual({
      key: "git_commit",
      value: sha,
    });

    await expect(
      a.triggers.add({ name: "bad-branch", pipeline: "retrain", on: { kind: "git", repo, branch: "nope" } }),
    ).rejects.toMatchObject({ code: "PIPELINE_TRIGGER_INVALID", field: "on.branch" });
    await a.triggers.remove("on-main");
  });

  it("starts a run once per alert that passes the filters, with the alert as parameters", async () => {
    await a.triggers.add({
      name: "on-drift",
      pipeline: "retrain",
      on: { kind: "alert", deployment: "flights", minSeverity: "warning" },
      params: { ms: 2 },
    });
    const alert = { deployment: "flights", severity: "critical", feature: "delay", score: "0.31" };
    const fired = (
      await Promise.all([
        a.triggers.fire("alert", { key: "alert-1", payload: alert }),
        b.triggers.fire("alert", { key: "alert-1", payload: alert }),
      ])
    ).flat();
    expect(fired).toHaveLength(1);
    await settle(fired);
    const run = await a.svc.tracking.getRun(fired[0]!.run!.runId);
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: "feature", value: "delay" },
        { key: "score", value: "0.31" },
        { key: "ms", value: "2" },
      ]),
    );
    expect(run.data.tags).toContainEqual({ key: "gyre.trigger.name", value: "on-drift" });

    expect(await a.triggers.fire("alert", { key: "alert-1", payload: alert })).toEqual([]);
    expect(
      await a.triggers.fire("alert", { key: "alert-2", payload: { ...alert, deployment: "other" } }),
    ).toEqual([]);
    expect(
      await a.triggers.fire("alert", { key: "alert-3", payload: { ...alert, severity: "info" } }),
    ).toEqual([]);
    await a.triggers.setEnabled("on-drift", false);
    expect(await a.triggers.fire("alert", { key: "alert-4", payload: alert })).toEqual([]);
  });

  it("refuses bad triggers with the field to fix", async () => {
    await expect(
      a.triggers.add({ name: "x", pipeline: "nope", on: { kind: "alert" } }),
    ).rejects.toMatchObject({ code: "PIPELINE_NOT_FOUND" });
    await expect(
      a.triggers.add({ name: "on-flights", pipeline: "retrain", on: { kind: "alert" } }),
    ).rejects.toMatchObject({ code: "PIPELINE_TRIGGER_EXISTS" });
    await expect(a.triggers.remove("missing")).rejects.toMatchObject({ code: "PIPELINE_TRIGGER_NOT_FOUND" });
    expect(() => parseTriggerSpec("cron:* * * * *")).toThrow(/dataset:<name>/);
    expect(() => parseTriggerSpec("dataset:")).toThrow(expect.objectContaining({ field: "on.dataset" }));
    expect(parseTriggerSpec("git:https://example.com/r.git")).toEqual({
      kind: "git",
      repo: "https://example.com/r.git",
      branch: "main",
    });
    expect(parseTriggerSpec("alert:flights")).toEqual({ kind: "alert", deployment: "flights" });
  });
});
