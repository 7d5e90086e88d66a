import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/server/index.js";
import { MLFLOW_PREFIXES, MlflowRest, type MlflowRun } from "./harness/mlflow-rest.js";
import { BACKENDS, freshServer } from "./harness/stores.js";

/**
 * runs/search over HTTP: MLflow's filter grammar (mlflow/utils/search_utils.py) plus gyre's OR and
 * parentheses, IS [NOT] NULL and IN, ordering by a metric with missing values last (as MLflow's
 * SQL store does), and offset page tokens that appear only while more runs remain.
 */
interface Fixture {
  lr: string;
  acc?: number;
  model?: string;
}

const RUNS: Fixture[] = [
  { lr: "0.1", acc: 0.7, model: "cnn" },
  { lr: "0.2", acc: 0.9, model: "rnn" },
  { lr: "0.3", acc: 0.8 },
  { lr: "0.1", model: "cnn" },
];

describe.each(BACKENDS)("MLflow runs/search on %s", (backend) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await freshServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  describe.each(MLFLOW_PREFIXES)("under %s", (prefix) => {
    let c: MlflowRest;
    let exp: string;
    const ids: string[] = [];

    beforeAll(async () => {
      c = new MlflowRest(server.url, prefix);
      exp = await c.createExperiment();
      for (const [i, f] of RUNS.entries()) {
        const run = await c.createRun(exp, { run_name: `r${i}`, start_time: 1_700_000_000_000 + i });
        ids.push(run.info.run_id);
        await c.okPost("/runs/log-batch", {
          run_id: run.info.run_id,
          metrics: f.acc === undefined ? [] : [{ key: "acc", value: f.acc, timestamp: 1, step: 0 }],
          params: [{ key: "lr", value: f.lr }],
          tags: f.model ? [{ key: "model", value: f.model }] : [],
        });
      }
    });

    /** Run names matched by `filter`, in the server's order. */
    async function names(body: Record<string, unknown>): Promise<string[]> {
      const res = await c.okPost<{ runs?: MlflowRun[] }>("/runs/search", { experiment_ids: [exp], ...body });
      return (res.runs ?? []).map((r) => r.info.run_name);
    }
    const sorted = async (filter: string) => (await names({ filter })).sort();

    it("returns runs newest first by default, with the full run in each entry", async () => {
      expect(await names({})).toEqual(["r3", "r2", "r1", "r0"]);
      const res = await c.okPost<{ runs: MlflowRun[] }>("/runs/search", {
        experiment_ids: [exp],
        filter: "attributes.run_name = 'r1'",
      });
      expect(res.runs).toHaveLength(1);
      expect(res.runs[0]!.data.params).toEqual([{ key: "lr", value: "0.2" }]);
      expect(res.runs[0]!.data.metrics).toEqual([{ key: "acc", value: 0.9, timestamp: 1, step: 0 }]);
    });

    it("combines conditions with AND, OR and parentheses", async () => {
      expect(await sorted("params.lr = '0.1' OR metrics.acc > 0.85")).toEqual(["r0", "r1", "r3"]);
      expect(await sorted("params.lr = '0.1' and tags.model = 'cnn'")).toEqual(["r0", "r3"]);
      expect(await sorted("params.lr = '0.1' OR params.lr = '0.2' AND metrics.acc > 0.8")).toEqual([
        "r0",
        "r1",
        "r3",
      ]);
      expect(await sorted("(params.lr = '0.1' OR params.lr = '0.2') AND metrics.acc > 0.8")).toEqual(["r1"]);
      expect(await sorted("((tags.model = 'rnn') OR (metrics.acc < 0.75 AND params.lr = '0.1'))")).toEqual([
        "r0",
        "r1",
      ]);
    });

    it("tests for missing values with IS NULL and IS NOT NULL", async () => {
      expect(await sorted("tags.model IS NULL")).toEqual(["r2"]);
      expect(await sorted("tags.model IS NOT NULL")).toEqual(["r0", "r1", "r3"]);
      expect(await sorted("metrics.acc IS NULL")).toEqual(["r3"]);
      expect(await sorted("metrics.acc IS NOT NULL AND params.lr != '0.3'")).toEqual(["r0", "r1"]);
    });

    it("matches lists with IN and NOT IN, including run ids", async () => {
      expect(await sorted("params.lr IN ('0.2', '0.3')")).toEqual(["r1", "r2"]);
      expect(await sorted("tags.model NOT IN ('cnn')")).toEqual(["r1"]);
      expect(await sorted(`attributes.run_id IN ('${ids[0]}', '${ids[3]}')`)).toEqual(["r0", "r3"]);
      expect(await sorted("tags.`mlflow.runName` LIKE 'r%' AND params.lr = '0.3'")).toEqual(["r2"]);
    });

    it("orders by a metric in both directions with runs lacking it last", async () => {
      expect(await names({ order_by: ["metrics.acc DESC"] })).toEqual(["r1", "r2", "r0", "r3"]);
      expect(await names({ order_by: ["metrics.acc ASC"] })).toEqual(["r0", "r2", "r1", "r3"]);
      expect(await names({ order_by: ["params.lr ASC", "attributes.start_time DESC"] })).toEqual([
        "r3",
        "r0",
        "r1",
        "r2",
      ]);
    });

    it("pages an ordered search with next_page_token only while runs remain", async () => {
      const pages: string[][] = [];
      const tokens: (string | undefined)[] = [];
      let token: string | undefined;
      do {
        const res = await c.okPost<{ runs?: MlflowRun[]; next_page_token?: string }>("/runs/search", {
          experiment_ids: [exp],
          order_by: ["metrics.acc DESC"],
          max_results: 3,
          page_token: token,
        });
        pages.push((res.runs ?? []).map((r) => r.info.run_name));
        token = res.next_page_token;
        tokens.push(token);
      } while (token && pages.length < 5);
      expect(pages).toEqual([["r1", "r2", "r0"], ["r3"]]);
      expect(tokens.map((t) => typeof t)).toEqual(["string", "undefined"]);
      const exact = await c.okPost("/runs/search", { experiment_ids: [exp], max_results: 4 });
      expect(exact).not.toHaveProperty("next_page_token");
      expect(await c.okPost("/runs/search", { experiment_ids: [exp], filter: "params.lr = '9'" })).toEqual(
        {},
      );
    });

    it("rejects a bad filter, order_by, page token or max_results with 400 INVALID_PARAMETER_VALUE", async () => {
      const bad: [Record<string, unknown>, string][] = [
        [{ filter: "params.lr = '0.1' OR" }, "filter"],
        [{ filter: "lr = '0.1'" }, "lr"],
        [{ order_by: ["metrics.acc SIDEWAYS"] }, "SIDEWAYS"],
        [{ page_token: "not-a-token" }, "page token"],
        [{ max_results: 50_001 }, "max_results"],
      ];
      for (const [body, mentions] of bad) {
        const r = await c.post("/runs/search", { experiment_ids: [exp], ...body });
        expect({ status: r.status, error_code: r.body.error_code }).toEqual({
          status: 400,
          error_code: "INVALID_PARAMETER_VALUE",
        });
        expect(String(r.body.message)).toContain(mentions);
      }
    });
  });
});
