import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifactStore } from "../src/artifacts/index.js";
import { DEFAULTS } from "../src/core/config.js";
import { type DataService, dataFor, inspectFile } from "../src/data/index.js";
import { openMetadataStore, TrackingService } from "../src/metadata/index.js";
import {
  definePipeline,
  defineStep,
  openPipelines,
  type PipelineService,
  param,
  triggersFor,
} from "../src/pipelines/index.js";
import { startServer } from "../src/server/index.js";
import { gyre, json } from "./harness/cli.js";
import { BACKENDS, freshStoreUri, tempDir } from "./harness/stores.js";

const HEADER = "date,delay,distance,origin,destination";
function flightsCsv(rows: Array<[string, number | "", number, string, string]>): string {
  const dir = tempDir("gyre-data-");
  const path = join(dir, "flights.csv");
  writeFileSync(path, `${HEADER}\n${rows.map((r) => r.join(",")).join("\n")}\n`);
  return path;
}

const GOOD: Array<[string, number | "", number, string, string]> = [
  ["2001-01-01 06:00:00", 5, 300, "SFO", "LAX"],
  ["2001-01-01 07:30:00", -3, 1200, "ORD", "ATL"],
  ["2001-01-02 09:15:00", 45, 300, "SFO", "LAX"],
  ["2001-01-02 18:00:00", 0, 800, "DEN", "SFO"],
];
const EXPECT = {
  minRows: 2,
  columns: {
    date: { type: "timestamp" as const, nullable: false },
    delay: { type: "number" as const, min: -120, max: 1500, nullable: false },
    origin: { type: "string" as const, pattern: "[A-Z]{3}", nullable: false },
  },
};

describe.each(BACKENDS)("dataset versions on %s", (backend) => {
  let tracking: TrackingService;
  let data: DataService;
  let pipelines: PipelineService;

  beforeAll(async () => {
    const uris = { store: await freshStoreUri(backend), artifacts: `file://${tempDir("gyre-artifacts-")}` };
    tracking = new TrackingService(
      await openMetadataStore(uris.store),
      await openArtifactStore(uris.artifacts),
    );
    data = await dataFor(tracking);
    pipelines = await openPipelines(uris, {
      workers: 1,
      workRoot: tempDir("gyre-work-"),
      env: { PATH: process.env.PATH },
    });
  });

  afterAll(async () => {
    await pipelines?.close();
    await tracking?.close();
  });

  it("registers versions with schema, profile and validation, stores the bytes, and is idempotent", async () => {
    const path = flightsCsv(GOOD);
    const first = await data.register("flights", path, { expectations: EXPECT, description: "January" });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({
      name: "flights",
      version: 1,
      format: "csv",
      rows: 4,
      description: "January",
    });
    expect(first.version.validation).toEqual({ valid: true, rows: 4, issues: [] });
    expect(first.version.schema.map((c) => [c.name, c.mlflowType])).toEqual([
      ["date", "datetime"],
      ["delay", "long"],
      ["distance", "long"],
      ["origin", "string"],
      ["destination", "string"],
    ]);
    const delay = first.version.profile.find((p) => p.name === "delay")!;
    expect(delay).toMatchObject({ nulls: 0, min: -3, max: 45, mean: 11.75 });
    expect(first.version.profile.find((p) => p.name === "origin")!.top![0]).toEqual({
      value: "SFO",
      count: 2,
    });

    const again = await data.register("flights", path, { expectations: EXPECT });
    expect(again).toMatchObject({ created: false, version: { version: 1 } });

    const run = await tracking.getRun(first.version.runId);
    const input = run.inputs.datasetInputs[0]!.dataset;
    expect(input).toMatchObject({
      name: "flights",
      digest: first.version.digest.slice(0, 16),
      sourceType: "gyre",
    });
    expect(JSON.parse(input.schema!).mlflow_colspec).toContainEqual({ name: "delay", type: "long" });
    expect(run.data.tags).toContainEqual({ key: "gyre.dataset.version", value: "1" });

    const copy = await data.download("flights", 1, tempDir("gyre-dl-"));
    expect(readFileSync(copy, "utf8")).toBe(readFileSync(path, "utf8"));

    const second = await data.register(
      "flights",
      flightsCsv([...GOOD, ["2001-01-03 08:00:00", 12, 500, "SEA", "SFO"]]),
    );
    expect(second.version.version).toBe(2);
    expect((await data.versions("flights")).map((v) => v.version)).toEqual([2, 1]);
    expect((await data.get("flights")).version).toBe(2);
    expect((await data.datasets()).map((d) => [d.name, d.version])).toEqual([["flights", 2]]);
  });

  it("refuses data that fails its expectations with a report, and stores nothing", async () => {
    const bad = flightsCsv([
      ["2001-01-01 06:00:00", 5, 300, "SFO", "LAX"],
      ["2001-01-01 07:30:00", 9999, 1200, "ord", "ATL"],
      ["2001-01-02 09:15:00", "", 300, "SFO", "LAX"],
    ]);
    const before = (await data.versions("flights")).length;
    const err = await data
      .register("flights", bad, { expectations: { ...EXPECT, columns: { ...EXPECT.columns, gate: {} } } })
      .catch((e) => e);
    expect(err).toMatchObject({ code: "DATA_VALIDATION_FAILED", field: "expectations" });
    const issues = (
      err.details.report as { issues: Array<{ column: string; check: string; failing: number }> }
    ).issues;
    expect(issues.map((i) => [i.column, i.check, i.failing])).toEqual(
      expect.arrayContaining([
        ["gate", "missing-column", 0],
        ["delay", "nulls", 1],
        ["delay", "max", 1],
        ["origin", "pattern", 1],
      ]),
    );
    expect(issues).toHaveLength(4);
    expect((await data.versions("flights")).length).toBe(before);

    const kept = await data.register("flights-raw", bad, { expectations: EXPECT, allowInvalid: true });
    expect(kept.version.validation.valid).toBe(false);
  });

  it("starts a pipeline when a new version of a watched dataset is registered", async () => {
    const step = defineStep({
      name: "nap",
      module: new URL("./fixtures/pipelines/steps.ts", import.meta.url),
      export: "nap",
      params: { ms: param.number(1) },
      cache: false,
    });
    pipelines.register(
      definePipeline({
        name: "retrain",
        params: { dataset_name: param.string(""), dataset_digest: param.string("") },
        build: (p) => void p.step(step),
      }),
    );
    const triggers = await triggersFor(pipelines, { datasetMs: 0 });
    await triggers.add({
      name: "new-flights",
      pipeline: "retrain",
      on: { kind: "dataset", dataset: "flights" },
    });
    expect(await triggers.poll()).toEqual([]);
    const v3 = await data.register(
      "flights",
      flightsCsv([...GOOD, ["2001-01-04 08:00:00", 1, 500, "SEA", "SFO"]]),
    );
    const fired = await triggers.poll();
    expect(fired.map((f) => f.event)).toEqual([`flights@${v3.version.digest.slice(0, 16)}`]);
    const summary = await fired[0]!.run!.done;
    expect(summary.run.params).toMatchObject({
      dataset_name: "flights",
      dataset_digest: v3.version.digest.slice(0, 16),
    });
  });

  it("names the bad input", async () => {
    await expect(data.register("9lives", flightsCsv(GOOD))).rejects.toMatchObject({
      code: "DATA_INVALID",
      field: "name",
    });
    await expect(data.register("x", "/nope/missing.csv")).rejects.toMatchObject({
      code: "DATA_INVALID",
      field: "path",
    });
    const junk = join(tempDir("gyre-data-"), "junk.parquet");
    writeFileSync(junk, "not parquet at all");
    await expect(data.register("junk", junk)).rejects.toMatchObject({ code: "DATA_INVALID", field: "path" });
    await expect(data.get("nope")).rejects.toMatchObject({ code: "DATA_DATASET_NOT_FOUND" });
    await expect(data.get("flights", 99)).rejects.toMatchObject({
      code: "DATA_DATASET_NOT_FOUND",
      field: "version",
    });
  });
});

describe("inspecting the real flights data", () => {
  it("reads JSON from vega-datasets and profiles it", async () => {
    const path = join(import.meta.dirname, "..", "node_modules", "vega-datasets", "data", "flights-2k.json");
    const r = await inspectFile(path, { columns: { origin: { type: "string", nullable: false } } });
    expect(r.rows).toBe(2000);
    expect(r.validation.valid).toBe(true);
    expect(r.schema.map((c) => c.name)).toEqual(["date", "delay", "distance", "origin", "destination"]);
  });
});

describe("gyre data (CLI) and the datasets API", () => {
  it("registers with expectations, lists, describes, validates, and serves versions over HTTP", async () => {
    const dir = tempDir("gyre-data-cli-");
    const stores = [
      "--store",
      `sqlite://${join(dir, "gyre.db")}`,
      "--artifacts",
      `file://${join(dir, "artifacts")}`,
    ];
    const expectFile = join(dir, "flights.expect.json");
    writeFileSync(expectFile, JSON.stringify(EXPECT));
    const csv = flightsCsv(GOOD);
    const reg = json<{ created: boolean; version: { version: number } }>(
      await gyre(["data", "register", "flights", csv, "--expect", expectFile, ...stores, "--json"]),
    );
    expect(reg).toMatchObject({ created: true, version: { version: 1 } });
    const list = await gyre(["data", "list", ...stores]);
    expect(list.stdout).toMatch(/flights\s+1\s+4\s+valid/);
    const described = await gyre(["data", "describe", "flights", ...stores]);
    expect(described.stdout).toMatch(/delay\s+BIGINT\s+0\.0 %/);
    const bad = flightsCsv([["2001-01-01 06:00:00", 9999, 300, "sfo", "LAX"]]);
    const failed = await gyre(["data", "validate", bad, "--expect", expectFile, ...stores]);
    expect(failed.code).toBe(6);
    expect(failed.stdout).toContain("✗ Column 'delay' has 1 rows above the maximum 1500");
    const refused = await gyre(["data", "register", "flights", bad, "--expect", expectFile, ...stores]);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain("--allow-invalid");

    const server = await startServer({ ...(await freshConfigFrom(dir)) });
    try {
      const res = (await (await fetch(`${server.url}/api/v1/datasets`)).json()) as {
        datasets: { name: string }[];
      };
      expect(res.datasets.map((d) => d.name)).toEqual(["flights"]);
      const v = await fetch(`${server.url}/api/v1/datasets/flights/versions/1`);
      expect(((await v.json()) as { version: { rows: number } }).version.rows).toBe(4);
      const missing = await fetch(`${server.url}/api/v1/datasets/nope/versions`);
      expect(missing.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

async function freshConfigFrom(dir: string) {
  return {
    ...DEFAULTS,
    store: `sqlite://${join(dir, "gyre.db")}`,
    artifacts: `file://${join(dir, "artifacts")}`,
    server: { ...DEFAULTS.server, port: 0 },
    logLevel: "silent" as const,
  };
}
