import type { FastifyInstance, FastifyReply } from "fastify";

/** Interval of the SSE keep-alive comment, ms: below the idle timeouts of common proxies (30–60 s). */
export const SSE_HEARTBEAT_MS = 15_000;

/** One Server-Sent Event. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The open event streams of a route group; all are ended when the server closes. */
export function eventStreams(app: FastifyInstance): Set<() => void> {
  const streams = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of streams) end();
  });
  return streams;
}

/**
 * Takes over `reply` as a Server-Sent Events stream with a keep-alive comment. `end` closes it once and runs
 * `onEnd`; it runs by itself when the client disconnects (the response's "close"; the request's own fires
 * once its body is read) and when the server closes (`streams`).
 */
export function openEventStream(
  reply: FastifyReply,
  streams: Set<() => void>,
  onEnd: () => void = () => undefined,
): { write(chunk: string): void; end(): void } {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  const write = (s: string) => void (res.writableEnded ? undefined : res.write(s));
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), SSE_HEARTBEAT_MS);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    streams.delete(end);
    onEnd();
    if (!res.writableEnded) res.end();
  };
  streams.add(end);
  res.on("close", end);
  return { write, end };
}
