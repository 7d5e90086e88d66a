import { describe, expect, it } from "vitest";
import { normaliseDeployment } from "./spec.js";
import type { DeploymentChange } from "./store.js";
import { changeEvents, describeUpdate, followedAliases } from "./timeline.js";

const d = (spec: Record<string, unknown>) => normaliseDeployment({ name: "api", ...spec }, "store");
const change = (seq: number, action: DeploymentChange["action"], spec: Record<string, unknown> | null) => ({
  name: "api",
  seq,
  time: seq * 1000,
  action,
  spec: spec && { name: "api", ...spec },
});

describe("deployment timeline", () => {
  it("describes canary, primary, shadow and A/B changes in words", () => {
    const base = d({ model: "m@champion" });
    const canary = d({ model: "m@champion", canary: { model: "m@challenger", percent: 10 } });
    expect(describeUpdate(base, canary)).toBe("canary started: m@challenger at 10%");
    expect(
      describeUpdate(canary, d({ model: "m@champion", canary: { model: "m@challenger", percent: 50 } })),
    ).toBe("canary 10% → 50%");
    expect(describeUpdate(canary, base)).toBe("canary ended: m@challenger removed");
    expect(describeUpdate(base, d({ model: "m/3", shadow: { model: "m@next", sampleRate: 0.25 } }))).toBe(
      "primary model m@champion → m/3; shadow started: m@next (25% mirrored)",
    );
    const ab = d({
      ab: {
        variants: [
          { name: "a", model: "m/1", weight: 1 },
          { name: "b", model: "m/2", weight: 3 },
        ],
      },
    });
    expect(describeUpdate(base, ab)).toBe("traffic primary m@champion 100% → a m/1 25% · b m/2 75%");
    expect(describeUpdate(base, d({ model: "m@champion", batching: { maxBatchSize: 8 } }))).toBe(
      "batching changed",
    );
    expect(describeUpdate(base, base)).toBe("spec changed");
  });

  it("describes each recorded change against the one before, and a delete", () => {
    const events = changeEvents([
      change(1, "create", { model: "m@champion", shadow: { model: "m/4" } }),
      change(2, "update", { model: "m@champion", canary: { model: "m@challenger", percent: 5 } }),
      change(3, "delete", null),
    ]);
    expect(events.map((e) => [e.time, e.action, e.summary])).toEqual([
      [1000, "create", "created: primary m@champion 100% · shadow m/4"],
      [2000, "update", "canary started: m@challenger at 5%; shadow ended: m/4 removed"],
      [3000, "delete", "deleted"],
    ]);
  });

  it("follows every alias of the current spec and of past ones, once each", () => {
    const now = d({ model: "m@champion" });
    const refs = followedAliases(now, [
      change(1, "create", { model: "m@champion", canary: { model: "m@challenger", percent: 5 } }),
      change(2, "update", { model: "m/2", shadow: { model: "other@next" } }),
    ]);
    expect(refs).toEqual([
      { model: "m", alias: "champion" },
      { model: "m", alias: "challenger" },
      { model: "other", alias: "next" },
    ]);
  });
});
