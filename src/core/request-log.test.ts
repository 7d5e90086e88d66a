import { Writable } from "node:stream";
import Fastify, { LogController } from "fastify";
import { describe, expect, it } from "vitest";
import { lazyChildLogger } from "./request-log.js";

/** A Fastify app with the lazy request logger writing JSON lines into `lines`. */
function appWith(lines: Record<string, unknown>[]) {
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({
    logger: { level: "info", stream },
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
  });
  app.get("/quiet", async () => ({ ok: true }));
  app.get("/talk", async (req) => {
    req.log.debug("below the level");
    req.log.info({ extra: 1 }, "hello");
    req.log.child({ step: "inner" }).warn("nested");
    return { ok: true };
  });
  return app;
}

describe("lazyChildLogger", () => {
  it("logs a request's lines with its reqId binding, drops lines below the level, and logs nothing for quiet requests", async () => {
    const lines: Record<string, unknown>[] = [];
    const app = appWith(lines);
    await app.inject({ method: "GET", url: "/quiet" });
    expect(lines).toEqual([]);
    const res = await app.inject({ method: "GET", url: "/talk" });
    expect(res.statusCode).toBe(200);
    expect(lines.map((l) => [l.msg, l.reqId, l.extra, l.step])).toEqual([
      ["hello", "req-2", 1, undefined],
      ["nested", "req-2", undefined, "inner"],
    ]);
    expect(app.log.level).toBe("info");
    await app.close();
  });
});
