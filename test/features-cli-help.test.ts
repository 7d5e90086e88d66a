import { describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/index.js";

describe("gyre features --help", () => {
  it("gives every subcommand a description, --json and examples", async () => {
    for (const sub of ["plan", "apply", "list", "describe", "materialize", "get", "training-set"]) {
      let out = "";
      const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
        out += String(chunk);
        return true;
      });
      try {
        expect(await main(["node", "gyre", "features", sub, "--help"])).toBe(0);
      } finally {
        spy.mockRestore();
      }
      expect(out, sub).toContain(`Usage: gyre features ${sub}`);
      expect(out, sub).toContain("--json");
      expect(out, sub).toContain("\nExamples:\n  $ gyre features");
    }
  });
});
