/** `gyre deployments history` and `gyre server --serving-url` as users run them. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePackage } from "../src/registry/package/index.js";
import { openServingService } from "../src/serving/index.js";
import { logisticPackageOptions, tempDir } from "./fixtures/model-package.js";
import { gyre, json } from "./harness/cli.js";
import { registeredFlights } from "./harness/serving.js";

describe("gyre deployments history, gyre server --serving-url", () => {
  let fixture: Awaited<ReturnType<typeof registeredFlights>>;
  let stores: string[];
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const pkg = await tempDir();
    cleanup = pkg.cleanup;
    await writePackage(pkg.dir, logisticPackageOptions());
    fixture = await registeredFlights("sqlite", "delay", [pkg.dir, pkg.dir]);
    await fixture.registry.setAlias("delay", "champion", 1, { reason: "first" });
    stores = ["--store", fixture.config.store, "--artifacts", fixture.config.artifacts];
  });
  afterAll(async () => {
    await fixture?.close();
    await cleanup?.();
  });

  it("prints a deployment's changes and alias moves, newest first", async () => {
    // Changed in-process through the same service the CLI uses; the CLI under test is `history`.
    const opened = await openServingService(fixture.config, []);
    try {
      await opened.service.create({ name: "api", model: "delay@champion" });
      await opened.service.setTraffic("api", { canary: { model: "delay/2", percent: 5 } });
    } finally {
      await opened.close();
    }
    await fixture.registry.setAlias("delay", "champion", 2, { reason: "canary won" });
    const timeline = json<{ events: { kind: string; summary: string; reason: string | null }[] }>(
      await gyre(["deployments", "history", "api", ...stores, "--json"]),
    );
    expect(timeline.events.map((e) => e.summary)).toEqual([
      "delay@champion v1 → v2",
      "canary started: delay/2 at 5%",
      "created: primary delay@champion 100%",
      "delay@champion set → v1",
    ]);
    const table = await gyre(["deployments", "history", "api", ...stores]);
    expect(table.stdout).toMatch(/WHEN\s+KIND\s+CHANGE\s+WHO\s+WHY/);
    expect(table.stdout).toContain("canary won");
  });

  it("rejects a serving URL that is not http(s)", async () => {
    const bad = await gyre(["server", "--port", "0", "--serving-url", "localhost:8080", ...stores]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Invalid serving URL 'localhost:8080' (--serving-url)");
  });
});
