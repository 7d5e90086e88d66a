import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openMetadataStore } from "../metadata/index.js";
import { DEFAULTS, loadConfig } from "./config.js";

function project(configSource?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gyre-config-"));
  if (configSource) writeFileSync(join(dir, "gyre.config.ts"), configSource);
  return dir;
}

describe("loadConfig", () => {
  it("starts from defaults under ./.gyre and freezes the result", async () => {
    const cfg = await loadConfig({ cwd: project(), env: {} });
    expect(cfg).toEqual(DEFAULTS);
    expect(cfg.store).toBe("sqlite://./.gyre/gyre.db");
    expect(cfg.artifacts).toBe("file://./.gyre/artifacts");
    expect(Object.isFrozen(cfg) && Object.isFrozen(cfg.server)).toBe(true);
  });

  it("layers gyre.config.ts, then GYRE_* environment, then flags", async () => {
    const cwd = project(
      `export default { store: "sqlite://./from-file.db", artifacts: "file://./file-art", server: { port: 6001 } };`,
    );
    const fileOnly = await loadConfig({ cwd, env: {} });
    expect(fileOnly).toMatchObject({
      store: "sqlite://./from-file.db",
      server: { port: 6001, host: "127.0.0.1" },
    });
    const withEnv = await loadConfig({ cwd, env: { GYRE_STORE: "postgres://db/x", GYRE_PORT: "7000" } });
    expect(withEnv).toMatchObject({
      store: "postgres://db/x",
      artifacts: "file://./file-art",
      server: { port: 7000 },
    });
    const withFlags = await loadConfig({
      cwd,
      env: { GYRE_STORE: "postgres://db/x" },
      flags: { store: "sqlite://./flag.db", server: { host: "0.0.0.0" } },
    });
    expect(withFlags).toMatchObject({ store: "sqlite://./flag.db", server: { host: "0.0.0.0", port: 6001 } });
  });

  it("refuses invalid values naming the key", async () => {
    await expect(loadConfig({ cwd: project(), env: { GYRE_PORT: "99999" } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      field: "server.port",
    });
    await expect(
      loadConfig({ cwd: project(`export default { colour: "blue" };`), env: {} }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      field: "colour",
    });
    await expect(loadConfig({ cwd: project(), env: {}, file: "missing.config.ts" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      field: "config",
    });
  });

  it("rejects unknown store schemes listing the registered ones", async () => {
    await expect(openMetadataStore("mysql://db/x")).rejects.toMatchObject({
      code: "CONFIG_UNKNOWN_SCHEME",
      message: expect.stringContaining("memory, postgres, postgresql, sqlite"),
    });
  });
});
