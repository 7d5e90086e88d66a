import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openTracking } from "../src/metadata/index.js";
import { gyre, json } from "./harness/cli.js";
import { tempDir } from "./harness/stores.js";

interface Summary {
  experimentId: string;
  sweepRunId: string;
  runs: number;
  matched: number;
  best: { runId: string; params: Record<string, string>; metrics: Record<string, number> };
  model: { name: string; version: number; flavor: string; status: string };
  gate: { candidate: number; champion: number; against: string; promoted: boolean };
  champion: { version: number | null; moves: number };
  stages: { name: string; seconds: number }[];
}

describe("gyre demo --quick", () => {
  it("trains, registers and gates on real flight data, twice in the same workspace, and --fresh starts over", async () => {
    const dir = tempDir("gyre-demo-");
    const flags = [
      "--store",
      `sqlite://${join(dir, "gyre.db")}`,
      "--artifacts",
      `file://${join(dir, "art")}`,
    ];
    const first = json<Summary>(await demo([...flags, "demo", "--quick", "--json"]));
    expect(first.runs).toBe(2);
    expect(first.matched).toBe(2);
    expect(first.best.metrics.eval_roc_auc).toBeGreaterThan(0.55);
    expect(first.stages.map((s) => s.name)).toHaveLength(6);
    expect(first.model).toEqual({ name: "flights-delay", version: 1, flavor: "onnx", status: "READY" });
    expect(first.gate).toMatchObject({ champion: 0.5, promoted: true });
    expect(first.champion).toEqual({ version: 1, moves: 1 });

    const tracking = await openTracking({ store: flags[1]!, artifacts: flags[3]! });
    try {
      const best = await tracking.getRun(first.best.runId);
      expect(best.info.status).toBe("FINISHED");
      expect(best.info.parentRunId).toBe(first.sweepRunId);
      expect(best.inputs.datasetInputs.map((d) => d.dataset.name)).toEqual(["flights-20k"]);
      expect((await tracking.getMetricHistory(first.best.runId, "loss")).items).toHaveLength(2);
      expect((await tracking.artifactRecords(first.best.runId)).map((a) => a.path)).toEqual(
        expect.arrayContaining(["model/gyre-model.json", "model/model.onnx"]),
      );
      const sweep = await tracking.getRun(first.sweepRunId);
      expect(sweep.inputs.datasetInputs[0]?.dataset.name).toBe("flights-20k");

      const second = json<Summary>(await demo([...flags, "demo", "--quick", "--json"]));
      expect(second.experimentId).toBe(first.experimentId);
      expect(second.sweepRunId).not.toBe(first.sweepRunId);
      expect(second.model.version).toBe(2);
      expect(second.gate.against).toBe("champion v1");
      expect(second.gate.champion).toBe(first.gate.candidate);
      expect(second.champion.version).toBe(second.gate.promoted ? 2 : 1);
      const all = await tracking.searchRuns({ experimentIds: [first.experimentId] });
      expect(all.items).toHaveLength(6);

      const fresh = json<Summary>(await demo([...flags, "demo", "--quick", "--fresh", "--json"]));
      expect(fresh.experimentId).not.toBe(first.experimentId);
      expect((await tracking.searchRuns({ experimentIds: [fresh.experimentId] })).items).toHaveLength(3);
      expect(fresh.gate).toMatchObject({ champion: 0.5, promoted: true });
    } finally {
      await tracking.close();
    }
  });
});

/** The demo reports progress on stderr; the JSON summary alone goes to stdout. */
async function demo(args: string[]) {
  const r = await gyre(args);
  expect(r.stderr).toContain("✓ train sweep");
  return { ...r, stderr: "" };
}
