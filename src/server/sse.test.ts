import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGyreError } from "../core/errors.js";
import { eventStreams, openEventStream, sseEvent } from "./sse.js";

const app = Fastify();
let url = "";
let streams: ReturnType<typeof eventStreams>;

beforeAll(async () => {
  streams = eventStreams(app, 2);
  app.setErrorHandler((e, _req, reply) => {
    if (isGyreError(e)) return reply.code(e.httpStatus).send({ code: e.code, message: e.message });
    return reply.code(500).send({ message: String(e) });
  });
  app.get("/events", async (_req, reply) => {
    const { write } = openEventStream(reply, streams);
    write(sseEvent("hello", { open: streams.size }));
  });
  url = await app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(() => app.close());

async function open(): Promise<{ res: Response; stop: AbortController }> {
  const stop = new AbortController();
  const res = await fetch(`${url}/events`, { signal: stop.signal });
  return { res, stop };
}

describe("event streams", () => {
  it("refuses a stream beyond the limit with 503 SERVER_STREAMS_FULL, and admits one again once a stream closes", async () => {
    const a = await open();
    const b = await open();
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const c = await open();
    expect(c.res.status).toBe(503);
    expect(await c.res.json()).toMatchObject({
      code: "SERVER_STREAMS_FULL",
      message: expect.stringContaining("limit"),
    });
    a.stop.abort();
    await expect.poll(() => streams.size).toBe(1);
    const d = await open();
    expect(d.res.status).toBe(200);
    b.stop.abort();
    d.stop.abort();
    await expect.poll(() => streams.size).toBe(0);
  });
});
