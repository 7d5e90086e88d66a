import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/index.js";
import { MLFLOW_PREFIXES, MlflowRest, uid } from "./harness/mlflow-rest.js";
import { BACKENDS, freshServer } from "./harness/stores.js";

/** ModelVersion as model_registry.proto defines it and message_to_json writes it. */
interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source: string;
  run_id?: string;
  status: string;
  status_message?: string;
  tags?: { key: string; value: string }[];
  run_link?: string;
  aliases?: string[];
}

interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

type RM = { registered_model: MlflowRegisteredModel };
type MV = { model_version: MlflowModelVersion };

/**
 * The MLflow model-registry REST API over real HTTP, with requests shaped as MLflow's model-registry
 * RestStore sends them (mlflow/store/model_registry/rest_store.py: GET endpoints take query parameters,
 * POST/PATCH/DELETE a JSON body, versions as strings) and answers checked against
 * mlflow/protos/model_registry.proto and the error codes of mlflow/server/handlers.py.
 */
describe.each(BACKENDS)("MLflow model-registry REST on %s", (backend) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  describe.each(MLFLOW_PREFIXES)("under %s", (prefix) => {
    const api = () => new MlflowRest(server.url, prefix);

    it("creates, gets, renames, updates, tags, searches and deletes a registered model", async () => {
      const c = api();
      const name = uid("model");
      const created = await c.okPost<RM>("/registered-models/create", {
        name,
        tags: [{ key: "team", value: "ranking" }],
        description: "flight delays",
      });
      expect(created.registered_model).toEqual({
        name,
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        description: "flight delays",
        tags: [{ key: "team", value: "ranking" }],
      });
      expect(await c.okGet<RM>("/registered-models/get", { name })).toEqual(created);

      const renamed = uid("renamed");
      const r = await c.okPost<RM>("/registered-models/rename", { name, new_name: renamed });
      expect(r.registered_model.name).toBe(renamed);
      const u = await c.okSend<RM>("PATCH", "/registered-models/update", {
        name: renamed,
        description: "v2",
      });
      expect(u.registered_model.description).toBe("v2");
      expect(
        await c.okPost("/registered-models/set-tag", { name: renamed, key: "stage", value: "dev" }),
      ).toEqual({});
      expect(
        await c.okSend("DELETE", "/registered-models/delete-tag", { name: renamed, key: "team" }),
      ).toEqual({});
      const got = await c.okGet<RM>("/registered-models/get", { name: renamed });
      expect(got.registered_model.tags).toEqual([{ key: "stage", value: "dev" }]);

      const found = await c.okGet<{ registered_models?: MlflowRegisteredModel[] }>(
        "/registered-models/search",
        {
          filter: `name = '${renamed}'`,
          max_results: 10,
        },
      );
      expect(found.registered_models?.map((m) => m.name)).toEqual([renamed]);
      expect(await c.okGet("/registered-models/search", { filter: `name = '${name}'` })).toEqual({});

      expect(await c.okSend("DELETE", "/registered-models/delete", { name: renamed })).toEqual({});
      const gone = await c.get("/registered-models/get", { name: renamed });
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: `Registered Model with name=${renamed} not found`,
      });
    });

    it("creates, reads, updates, tags, searches and deletes model versions", async () => {
      const c = api();
      const name = uid("model");
      await c.okPost("/registered-models/create", { name });
      const exp = await c.createExperiment();
      const run = await c.createRun(exp);
      const source = `${run.info.artifact_uri}/model`;
      const key = run.info.artifact_uri.replace("mlflow-artifacts:/", "");
      const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${key}/model/MLmodel`, {
        method: "PUT",
        body: "flavors: {}\n",
      });
      expect(put.status).toBe(200);
      const mv = await c.okPost<MV>("/model-versions/create", {
        name,
        source,
        run_id: run.info.run_id,
        tags: [{ key: "framework", value: "onnx" }],
        description: "first",
      });
      expect(mv.model_version).toEqual({
        name,
        version: "1",
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        user_id: expect.any(String),
        current_stage: "None",
        description: "first",
        source,
        run_id: run.info.run_id,
        status: "READY",
        tags: [{ key: "framework", value: "onnx" }],
      });
      await c.okPost("/model-versions/create", { name, source: "s3://bucket/model" });
      expect(await c.okGet<MV>("/model-versions/get", { name, version: "1" })).toEqual(mv);

      const upd = await c.okSend<MV>("PATCH", "/model-versions/update", {
        name,
        version: "1",
        description: "better",
      });
      expect(upd.model_version.description).toBe("better");
      expect(await c.okPost("/model-versions/set-tag", { name, version: "1", key: "k", value: "v" })).toEqual(
        {},
      );
      expect(
        await c.okSend("DELETE", "/model-versions/delete-tag", { name, version: "1", key: "framework" }),
      ).toEqual({});
      const tagged = await c.okGet<MV>("/model-versions/get", { name, version: "1" });
      expect(tagged.model_version.tags).toEqual([{ key: "k", value: "v" }]);
      expect(await c.okGet("/model-versions/get-download-uri", { name, version: "1" })).toEqual({
        artifact_uri: source,
      });

      const search = await c.okGet<{ model_versions: MlflowModelVersion[]; next_page_token?: string }>(
        "/model-versions/search",
        { filter: `name='${name}'`, max_results: 1, order_by: ["version_number ASC"] },
      );
      expect(search.model_versions.map((v) => v.version)).toEqual(["1"]);
      const next = await c.okGet<{ model_versions: MlflowModelVersion[]; next_page_token?: string }>(
        "/model-versions/search",
        {
          filter: `name='${name}'`,
          max_results: 1,
          order_by: ["version_number ASC"],
          page_token: search.next_page_token,
        },
      );
      expect(next.model_versions.map((v) => v.version)).toEqual(["2"]);
      expect(next.next_page_token).toBeUndefined();
      const byRun = await c.okGet<{ model_versions: MlflowModelVersion[] }>("/model-versions/search", {
        filter: `run_id IN ('${run.info.run_id}')`,
      });
      expect(byRun.model_versions.map((v) => [v.name, v.version])).toEqual([[name, "1"]]);

      const latestPost = await c.okPost<{ model_versions: MlflowModelVersion[] }>(
        "/registered-models/get-latest-versions",
        { name },
      );
      expect(latestPost.model_versions.map((v) => v.version)).toEqual(["2"]);
      const latestGet = await c.okGet("/registered-models/get-latest-versions", { name, stages: ["None"] });
      expect(latestGet).toEqual(latestPost);
      expect(
        await c.okGet("/registered-models/get-latest-versions", { name, stages: ["Production"] }),
      ).toEqual({});
      const model = await c.okGet<RM>("/registered-models/get", { name });
      expect(model.registered_model.latest_versions?.map((v) => v.version)).toEqual(["2"]);

      expect(await c.okSend("DELETE", "/model-versions/delete", { name, version: "2" })).toEqual({});
      expect((await c.get("/model-versions/get", { name, version: "2" })).body).toEqual({
        error_code: "RESOURCE_DOES_NOT_EXIST",
        message: `Model Version (name=${name}, version=2) not found`,
      });
    });

    it("sets, resolves and deletes aliases", async () => {
      const c = api();
      const name = uid("model");
      await c.okPost("/registered-models/create", { name });
      await c.okPost("/model-versions/create", { name, source: "s3://bucket/m1" });
      await c.okPost("/model-versions/create", { name, source: "s3://bucket/m2" });
      expect(await c.okPost("/registered-models/alias", { name, alias: "champion", version: "1" })).toEqual(
        {},
      );
      expect(await c.okPost("/registered-models/alias", { name, alias: "champion", version: "2" })).toEqual(
        {},
      );
      const byAlias = await c.okGet<MV>("/registered-models/alias", { name, alias: "champion" });
      expect(byAlias.model_version).toMatchObject({ name, version: "2", aliases: ["champion"] });
      const model = await c.okGet<RM>("/registered-models/get", { name });
      expect(model.registered_model.aliases).toEqual([{ alias: "champion", version: "2" }]);
      expect(await c.okSend("DELETE", "/registered-models/alias", { name, alias: "champion" })).toEqual({});
      const missing = await c.get("/registered-models/alias", { name, alias: "champion" });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({
        error_code: "INVALID_PARAMETER_VALUE",
        message: "Registered model alias champion not found.",
      });
    });

    it("answers bad requests with MLflow's error codes and statuses", async () => {
      const c = api();
      const name = uid("model");
      await c.okPost("/registered-models/create", { name });
      await c.okPost("/model-versions/create", { name, source: "s3://bucket/m1" });
      await c.okPost("/registered-models/alias", { name, alias: "champion", version: "1" });
      const cases: [Promise<{ status: number; body: unknown }>, number, string][] = [
        [c.post("/registered-models/create", { name }), 400, "RESOURCE_ALREADY_EXISTS"],
        [c.post("/registered-models/create", {}), 400, "INVALID_PARAMETER_VALUE"],
        [c.post("/registered-models/create", { name: "bad/name" }), 400, "INVALID_PARAMETER_VALUE"],
        [c.get("/registered-models/get", { name: uid("none") }), 404, "RESOURCE_DOES_NOT_EXIST"],
        [c.get("/model-versions/get", { name, version: "abc" }), 400, "INVALID_PARAMETER_VALUE"],
        [c.get("/model-versions/get", { name, version: "7" }), 404, "RESOURCE_DOES_NOT_EXIST"],
        [
          c.post("/registered-models/alias", { name, alias: "latest", version: "1" }),
          400,
          "INVALID_PARAMETER_VALUE",
        ],
        [
          c.post("/registered-models/alias", { name, alias: "v1", version: "1" }),
          400,
          "INVALID_PARAMETER_VALUE",
        ],
        [
          c.post("/registered-models/alias", { name, alias: "x", version: "9" }),
          404,
          "RESOURCE_DOES_NOT_EXIST",
        ],
        [c.send("DELETE", "/model-versions/delete", { name, version: "1" }), 400, "INVALID_PARAMETER_VALUE"],
        [
          c.post("/model-versions/create", { name, source: "s3://b/m", run_id: "f".repeat(32) }),
          404,
          "RESOURCE_DOES_NOT_EXIST",
        ],
        [
          c.post("/model-versions/create", { name: uid("none"), source: "s3://b/m" }),
          404,
          "RESOURCE_DOES_NOT_EXIST",
        ],
        [c.post("/model-versions/create", { name, source: "/etc/passwd" }), 400, "INVALID_PARAMETER_VALUE"],
        [
          c.post("/model-versions/create", { name, source: "s3://b/m/../../x" }),
          400,
          "INVALID_PARAMETER_VALUE",
        ],
        [c.get("/registered-models/search", { filter: "metrics.x > 1" }), 400, "INVALID_PARAMETER_VALUE"],
        [c.get("/registered-models/search", { max_results: 1001 }), 400, "INVALID_PARAMETER_VALUE"],
        [c.get("/model-versions/search", { page_token: "garbage" }), 400, "INVALID_PARAMETER_VALUE"],
        [
          c.get("/registered-models/get-latest-versions", { name, stages: ["Prod"] }),
          400,
          "INVALID_PARAMETER_VALUE",
        ],
        [
          c.post("/model-versions/transition-stage", { name, version: "1", stage: "Production" }),
          404,
          "ENDPOINT_NOT_FOUND",
        ],
      ];
      for (const [reply, status, code] of cases) {
        const res = await reply;
        expect({ status: res.status, code: (res.body as { error_code?: string }).error_code }).toEqual({
          status,
          code,
        });
        expect((res.body as { message?: string }).message).toEqual(expect.any(String));
      }
      const inUse = await c.send("DELETE", "/model-versions/delete", { name, version: "1" });
      expect((inUse.body as { message: string }).message).toContain("champion");
    });
  });
});

describe("the Python registry client (requests, shaped as MLflow's RestStore) against gyre on SQLite", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer("sqlite");
  });
  afterAll(async () => {
    await server.close();
  });

  it("registers twice, moves an alias, searches, tags and deletes, and exits 0", async () => {
    const script = join(import.meta.dirname, "fixtures", "mlflow_registry_client.py");
    const run = promisify(execFile);
    const { stdout, stderr } = await run("python3", [script, server.url], { timeout: 60_000 }).catch(
      (e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n")).toEqual([
      "ok register_model twice",
      "ok aliases",
      "ok search",
      "ok version metadata",
      "ok deletes",
      "PASS",
    ]);
  });
});
