import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HOUR, T0, writeAirports } from "./fixtures/airport-features.js";
import { gyre, json } from "./harness/cli.js";
import { tempDir } from "./harness/stores.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "airport-features.ts");

/** A project folder: airports.parquet and a gyre.config.ts exporting the airport definitions. */
async function project(): Promise<string> {
  const dir = tempDir("gyre-features-cli-");
  await writeAirports(dir);
  writeFileSync(
    join(dir, "gyre.config.ts"),
    `import { airportDefinitions } from ${JSON.stringify(FIXTURE)};
export const features = airportDefinitions();
export default { store: "sqlite://./gyre.db", artifacts: "file://./artifacts" };\n`,
  );
  return dir;
}

describe("gyre features (CLI) on a fixture project", () => {
  it("plans, applies, materializes with progress, looks up and describes", async () => {
    const cwd = await project();
    const plan = json<{ revision: number; changes: Array<{ action: string }> }>(
      await gyre(["features", "plan", "--json"], { cwd }),
    );
    expect(plan.revision).toBe(0);
    expect(plan.changes.map((c) => c.action)).toEqual(Array(5).fill("create"));
    const applied = json<{ revision: number }>(
      await gyre(["features", "apply", "--revision", "0", "--json"], { cwd }),
    );
    expect(applied.revision).toBe(1);

    const mat = await gyre(
      [
        "features",
        "materialize",
        "--start",
        "2001-01-01",
        "--end",
        "2001-01-02",
        "--chunk-rows",
        "1",
        "--json",
      ],
      { cwd },
    );
    expect(mat.code, mat.stderr).toBe(0);
    expect(JSON.parse(mat.stdout)).toEqual({
      views: [{ name: "airport_stats", start: T0, end: T0 + 24 * HOUR, rows: 2, chunks: 2 }],
    });
    expect(mat.stderr).toContain("materialize airport_stats: 2 rows in 2 chunk(s)");

    const [get, describeView, bad] = await Promise.all([
      gyre(
        [
          "features",
          "get",
          "--entity",
          "origin=ATL",
          "--entity",
          "origin=ORD",
          "--features",
          "airport_stats:flights",
          "--json",
        ],
        { cwd },
      ),
      gyre(["features", "describe", "airport_stats", "--json"], { cwd }),
      gyre(["features", "get", "--entity", "origin=ATL", "--features", "airport_stats:wind"], { cwd }),
    ]);
    // The data is from 2001 and the view's TTL is 2 hours: today, every stored value is too old to serve.
    expect(json(get)).toEqual({
      featureNames: ["origin", "airport_stats:flights"],
      results: [
        {
          values: ["ATL", null],
          statuses: ["PRESENT", "OUTSIDE_TTL"],
          eventTimestamps: [null, T0 + 3 * HOUR],
        },
        { values: ["ORD", null], statuses: ["PRESENT", "MISSING"], eventTimestamps: [null, null] },
      ],
    });
    expect(json(describeView)).toMatchObject({
      definition: { kind: "featureView", name: "airport_stats", version: 1 },
      stats: { rowCount: 6, onlineRows: 2, watermark: T0 + 24 * HOUR },
    });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain(
      "error [FEATURES_FEATURE_NOT_FOUND]: Feature 'wind' is not in view 'airport_stats'",
    );
  });
});
