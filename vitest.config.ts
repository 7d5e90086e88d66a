import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/harness/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser and live-update checks poll; on a loaded 2-core machine a page may need more than 1 s.
    expect: { poll: { timeout: 10_000 } },
    pool: "forks",
    reporters: ["default"],
  },
});
