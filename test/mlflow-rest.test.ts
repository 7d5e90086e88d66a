import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/index.js";
import {
  MLFLOW_PREFIXES,
  type MlflowExperiment,
  type MlflowFile,
  type MlflowMetric,
  MlflowRest,
  type MlflowRun,
  type MlflowRunInfo,
  uid,
} from "./harness/mlflow-rest.js";
import { BACKENDS, freshServer } from "./harness/stores.js";

/**
 * Every MLflow REST 2.0 tracking endpoint and the artifact proxy, over real HTTP, with requests
 * shaped as MLflow's RestStore sends them (mlflow/store/tracking/rest_store.py) and responses
 * checked against mlflow/protos/service.proto as MLflow's message_to_json writes them.
 */
describe.each(BACKENDS)("MLflow REST endpoints on %s", (backend) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  describe.each(MLFLOW_PREFIXES)("under %s", (prefix) => {
    const api = () => new MlflowRest(server.url, prefix);

    it("creates, reads, tags, renames, deletes and restores an experiment", async () => {
      const c = api();
      const name = uid("exp");
      const id = await c.createExperiment(name, [{ key: "team", value: "ranking" }]);
      expect(id).toMatch(/^\d+$/);

      const got = await c.okGet<{ experiment: MlflowExperiment }>("/experiments/get", { experiment_id: id });
      expect(got.experiment).toEqual({
        experiment_id: id,
        name,
        artifact_location: `mlflow-artifacts:/${id}`,
        lifecycle_stage: "active",
        creation_time: expect.any(Number),
        last_update_time: expect.any(Number),
        tags: [{ key: "team", value: "ranking" }],
      });
      const byName = await c.okGet<{ experiment: MlflowExperiment }>("/experiments/get-by-name", {
        experiment_name: name,
      });
      expect(byName.experiment.experiment_id).toBe(id);

      expect(
        await c.okPost("/experiments/set-experiment-tag", { experiment_id: id, key: "stage", value: "dev" }),
      ).toEqual({});
      const renamed = uid("renamed");
      expect(await c.okPost("/experiments/update", { experiment_id: id, new_name: renamed })).toEqual({});
      const after = await c.okGet<{ experiment: MlflowExperiment }>("/experiments/get-by-name", {
        experiment_name: renamed,
      });
      expect(after.experiment.experiment_id).toBe(id);
      expect(after.experiment.tags).toEqual([
        { key: "stage", value: "dev" },
        { key: "team", value: "ranking" },
      ]);

      expect(await c.okPost("/experiments/delete", { experiment_id: id })).toEqual({});
      const deleted = await c.okGet<{ experiment: MlflowExperiment }>("/experiments/get", {
        experiment_id: id,
      });
      expect(deleted.experiment.lifecycle_stage).toBe("deleted");
      const filter = `name = '${renamed}'`;
      expect(await c.okPost("/experiments/search", { filter, view_type: "ACTIVE_ONLY" })).toEqual({});
      const gone = await c.okPost<{ experiments: MlflowExperiment[] }>("/experiments/search", {
        filter,
        view_type: "DELETED_ONLY",
      });
      expect(gone.experiments.map((e) => e.experiment_id)).toEqual([id]);

      expect(await c.okPost("/experiments/restore", { experiment_id: id })).toEqual({});
      const back = await c.okGet<{ experiment: MlflowExperiment }>("/experiments/get", { experiment_id: id });
      expect(back.experiment.lifecycle_stage).toBe("active");
    });

    it("refuses a second active experiment with the same name", async () => {
      const c = api();
      const name = uid("dup");
      await c.createExperiment(name);
      const r = await c.post("/experiments/create", { name });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error_code: "RESOURCE_ALREADY_EXISTS" });
      expect(String(r.body.message)).toContain(name);
    });

    it("pages experiment search by POST and GET, with next_page_token only before the last page", async () => {
      const c = api();
      const stem = uid("page");
      for (const n of ["a", "b", "c"]) await c.createExperiment(`${stem}-${n}`);
      const query = { filter: `name LIKE '${stem}-%'`, max_results: 2, order_by: ["name ASC"] };
      const p1 = await c.okPost<{ experiments: MlflowExperiment[]; next_page_token?: string }>(
        "/experiments/search",
        query,
      );
      expect(p1.experiments.map((e) => e.name)).toEqual([`${stem}-a`, `${stem}-b`]);
      expect(p1.next_page_token).toEqual(expect.any(String));
      const p2 = await c.okGet<{ experiments: MlflowExperiment[]; next_page_token?: string }>(
        "/experiments/search",
        { ...query, page_token: p1.next_page_token },
      );
      expect(p2.experiments.map((e) => e.name)).toEqual([`${stem}-c`]);
      expect(p2).not.toHaveProperty("next_page_token");
      expect(await c.okGet("/experiments/search", { filter: `name = '${uid("none")}'` })).toEqual({});
    });

    it("creates, reads, updates, deletes and restores a run", async () => {
      const c = api();
      const exp = await c.createExperiment();
      const created = await c.createRun(exp, {
        user_id: "ada",
        run_name: "baseline",
        start_time: 1_700_000_000_123,
        tags: [{ key: "mlflow.source.type", value: "LOCAL" }],
      });
      const info = created.info;
      expect(info).toEqual({
        run_id: info.run_id,
        run_uuid: info.run_id,
        run_name: "baseline",
        experiment_id: exp,
        user_id: "ada",
        status: "RUNNING",
        start_time: 1_700_000_000_123,
        artifact_uri: `mlflow-artifacts:/${exp}/${info.run_id}/artifacts`,
        lifecycle_stage: "active",
      });
      expect(info.run_id).toMatch(/^[0-9a-f]{32}$/);
      expect(created.data.tags).toEqual(
        expect.arrayContaining([
          { key: "mlflow.runName", value: "baseline" },
          { key: "mlflow.source.type", value: "LOCAL" },
        ]),
      );

      const got = await c.getRun(info.run_id);
      expect(got.info).toEqual(info);
      expect(got.data).not.toHaveProperty("metrics");
      expect(got.data).not.toHaveProperty("params");

      const upd = await c.okPost<{ run_info: MlflowRunInfo }>("/runs/update", {
        run_uuid: info.run_id,
        run_id: info.run_id,
        status: "FINISHED",
        end_time: 1_700_000_999_000,
        run_name: "baseline-v2",
      });
      expect(upd.run_info).toMatchObject({
        status: "FINISHED",
        end_time: 1_700_000_999_000,
        run_name: "baseline-v2",
      });
      const renamed = await c.getRun(info.run_id);
      expect(renamed.data.tags).toContainEqual({ key: "mlflow.runName", value: "baseline-v2" });

      expect(await c.okPost("/runs/delete", { run_id: info.run_id })).toEqual({});
      expect((await c.getRun(info.run_id)).info.lifecycle_stage).toBe("deleted");
      expect(await c.okPost("/runs/search", { experiment_ids: [exp] })).toEqual({});
      const del = await c.okPost<{ runs: MlflowRun[] }>("/runs/search", {
        experiment_ids: [exp],
        run_view_type: "DELETED_ONLY",
      });
      expect(del.runs.map((r) => r.info.run_id)).toEqual([info.run_id]);
      expect(await c.okPost("/runs/restore", { run_id: info.run_id })).toEqual({});
      expect((await c.getRun(info.run_id)).info.lifecycle_stage).toBe("active");
    });

    it("logs metrics, params and tags one by one, deletes a tag, and logs inputs", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      const ids = { run_uuid: run, run_id: run };
      await c.okPost("/runs/log-metric", {
        ...ids,
        key: "loss",
        value: 0.5,
        timestamp: 1_700_000_000_001,
        step: 1,
      });
      await c.okPost("/runs/log-metric", {
        ...ids,
        key: "loss",
        value: 0.25,
        timestamp: 1_700_000_000_002,
        step: 2,
      });
      await c.okPost("/runs/log-parameter", { ...ids, key: "lr", value: "0.01" });
      await c.okPost("/runs/set-tag", { ...ids, key: "phase", value: "train" });
      await c.okPost("/runs/set-tag", { ...ids, key: "scratch", value: "x" });
      await c.okPost("/runs/delete-tag", { run_id: run, key: "scratch" });
      await c.okPost("/runs/log-inputs", {
        run_id: run,
        datasets: [
          {
            tags: [{ key: "mlflow.data.context", value: "training" }],
            dataset: { name: "flights", digest: "d41d8cd9", source_type: "local", source: '{"uri": "x"}' },
          },
        ],
      });

      const got = await c.getRun(run);
      expect(got.data.metrics).toEqual([{ key: "loss", value: 0.25, timestamp: 1_700_000_000_002, step: 2 }]);
      expect(got.data.params).toEqual([{ key: "lr", value: "0.01" }]);
      expect(got.data.tags).toContainEqual({ key: "phase", value: "train" });
      expect(got.data.tags?.map((t) => t.key)).not.toContain("scratch");
      expect(got.inputs?.dataset_inputs).toEqual([
        {
          tags: [{ key: "mlflow.data.context", value: "training" }],
          dataset: { name: "flights", digest: "d41d8cd9", source_type: "local", source: '{"uri": "x"}' },
        },
      ]);
    });

    it("logs a batch with int64 timestamps and steps as JSON numbers and pages the metric history", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      const t0 = 1_700_000_000_000;
      const metrics = [0, 1, 2, 3, 4].map((i) => ({ key: "acc", value: i / 10, timestamp: t0 + i, step: i }));
      expect(
        await c.okPost("/runs/log-batch", {
          run_id: run,
          metrics,
          params: [{ key: "layers", value: "3" }],
          tags: [{ key: "team", value: "search" }],
        }),
      ).toEqual({});

      const got = await c.getRun(run);
      expect(got.data.metrics).toEqual([{ key: "acc", value: 0.4, timestamp: t0 + 4, step: 4 }]);
      expect(got.data.params).toEqual([{ key: "layers", value: "3" }]);
      expect(got.data.tags).toContainEqual({ key: "team", value: "search" });

      const all = await c.okGet<{ metrics: MlflowMetric[] }>("/metrics/get-history", {
        run_uuid: run,
        run_id: run,
        metric_key: "acc",
      });
      expect(all).toEqual({ metrics });

      const seen: MlflowMetric[] = [];
      const tokens: (string | undefined)[] = [];
      let token: string | undefined;
      do {
        const page = await c.okGet<{ metrics: MlflowMetric[]; next_page_token?: string }>(
          "/metrics/get-history",
          { run_uuid: run, run_id: run, metric_key: "acc", max_results: 2, page_token: token },
        );
        seen.push(...page.metrics);
        token = page.next_page_token;
        tokens.push(token);
      } while (token);
      expect(seen).toEqual(metrics);
      expect(tokens.map((t) => typeof t)).toEqual(["string", "string", "undefined"]);

      expect(await c.okGet("/metrics/get-history", { run_id: run, metric_key: "never-logged" })).toEqual({});
    });

    it("round-trips NaN and ±Infinity sent bare (json.dumps) or quoted (protobuf JSON)", async () => {
      const c = api();
      const run = (await c.createRun(await c.createExperiment())).info.run_id;
      const bare = `{"run_id": "${run}", "metrics": [
        {"key": "a", "value": NaN, "timestamp": 1, "step": 0},
        {"key": "b", "value": Infinity, "timestamp": 1, "step": 0},
        {"key": "c", "value": -Infinity, "timestamp": 1, "step": 0}], "params": [], "tags": []}`;
      const r = await c.postRaw("/runs/log-batch", bare);
      expect(r).toMatchObject({ status: 200, body: {} });
      for (const [i, value] of ["NaN", "Infinity", "-Infinity"].entries()) {
        await c.okPost("/runs/log-metric", { run_id: run, key: "q", value, timestamp: 2 + i, step: i });
      }

      const got = await c.getRun(run);
      expect(got.data.metrics).toEqual([
        { key: "a", value: "NaN", timestamp: 1, step: 0 },
        { key: "b", value: "Infinity", timestamp: 1, step: 0 },
        { key: "c", value: "-Infinity", timestamp: 1, step: 0 },
        { key: "q", value: "-Infinity", timestamp: 4, step: 2 },
      ]);
      const hist = await c.okGet<{ metrics: MlflowMetric[] }>("/metrics/get-history", {
        run_id: run,
        metric_key: "q",
      });
      expect(hist.metrics.map((m) => m.value)).toEqual(["NaN", "Infinity", "-Infinity"]);
    });

    it("uploads through the artifact proxy, downloads the same bytes and lists them both ways", async () => {
      const c = api();
      const exp = await c.createExperiment();
      const run = (await c.createRun(exp)).info.run_id;
      const root = `${exp}/${run}/artifacts`;
      const binary = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
      expect(await c.putArtifact(`${root}/notes.txt`, "hello gyre")).toMatchObject({ status: 200, body: {} });
      // A .json artifact that is not valid JSON must be stored as is, not parsed.
      expect((await c.putArtifact(`${root}/conf.json`, "{not json", "application/json")).status).toBe(200);
      expect(
        (await c.putArtifact(`${root}/model/weights.bin`, binary, "application/octet-stream")).status,
      ).toBe(200);

      const txt = await c.getArtifact(`${root}/notes.txt`);
      expect(txt.status).toBe(200);
      expect(txt.bytes.toString()).toBe("hello gyre");
      expect(txt.headers.get("content-type")).toMatch(/^text\/plain/);
      expect((await c.getArtifact(`${root}/conf.json`)).bytes.toString()).toBe("{not json");
      expect(new Uint8Array((await c.getArtifact(`${root}/model/weights.bin`)).bytes)).toEqual(binary);

      const proxy = await c.listProxy(root);
      expect(proxy.body).toEqual({
        files: [
          { path: "conf.json", is_dir: false, file_size: 9 },
          { path: "model", is_dir: true },
          { path: "notes.txt", is_dir: false, file_size: 10 },
        ],
      });
      const listed = await c.okGet<{ root_uri: string; files: MlflowFile[] }>("/artifacts/list", {
        run_id: run,
        run_uuid: run,
      });
      expect(listed).toEqual({ root_uri: `mlflow-artifacts:/${root}`, files: proxy.body.files });
      const sub = await c.okGet<{ files: MlflowFile[] }>("/artifacts/list", { run_id: run, path: "model" });
      expect(sub.files).toEqual([{ path: "model/weights.bin", is_dir: false, file_size: 300 }]);

      const missing = await c.getArtifact(`${root}/absent.txt`);
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.bytes.toString())).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
    });
  });
});
