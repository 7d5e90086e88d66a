/** The recorded changes of stored deployments on both SQL engines: one per create, update and delete, in order. */
import { describe, expect, it } from "vitest";
import { servingFor } from "../src/serving/index.js";
import { BACKENDS, freshTracking } from "./harness/stores.js";

describe.each(BACKENDS)("deployment changes (%s)", (backend) => {
  it("records create, traffic changes and delete in order, and keeps them after the delete", async () => {
    const tracking = await freshTracking(backend);
    try {
      const svc = await servingFor(tracking, null, []);
      await svc.create({ name: "api", model: "m@champion" });
      await svc.setTraffic("api", { canary: { model: "m@challenger", percent: 10 } });
      await svc.setTraffic("api", { canary: null });
      await svc.delete("api");
      await svc.create({ name: "api", model: "m/2" });
      const { events } = await svc.timeline("api");
      expect(events.map((e) => [e.action, e.summary])).toEqual([
        ["create", "created: primary m/2 100%"],
        ["delete", "deleted"],
        ["update", "canary ended: m@challenger removed"],
        ["update", "canary started: m@challenger at 10%"],
        ["create", "created: primary m@champion 100%"],
      ]);
      await svc.delete("api");
      expect((await svc.timeline("api")).events[0]!.summary).toBe("deleted");
      await expect(svc.timeline("never")).rejects.toMatchObject({ code: "SERVING_DEPLOYMENT_NOT_FOUND" });
    } finally {
      await tracking.close();
    }
  });
});
