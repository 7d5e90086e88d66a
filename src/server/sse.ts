import type { FastifyInstance, FastifyReply } from "fastify";
import { GyreError } from "../core/errors.js";

/** Interval of the SSE keep-alive comment, ms: below the idle timeouts of common proxies (30–60 s). */
export const SSE_HEARTBEAT_MS = 15_000;

/** One Server-Sent Event. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Most event streams a route group keeps open at once (each holds a connection, a timer and a watcher). */
export const MAX_EVENT_STREAMS = 200;

/** The open event streams of a route group (at most `limit`); all are ended when the server closes. */
export type EventStreams = Set<() => void> & { limit: number };

export function eventStreams(app: FastifyInstance, limit = MAX_EVENT_STREAMS): EventStreams {
  const streams = Object.assign(new Set<() => void>(), { limit });
  app.addHook("preClose", async () => {
    for (const end of streams) end();
  });
  return streams;
}

/** Throws SERVER_STREAMS_FULL (503) when `streams` has no room for another: call before starting work for one. */
export function admitStream(streams: EventStreams): void {
  if (streams.size < streams.limit) return;
  throw new GyreError(
    "SERVER_STREAMS_FULL",
    `This server already has ${streams.size} open event streams (the limit); close some browser tabs or streams, or read the same resource without streaming and retry later`,
    { field: "stream" },
  );
}

/**
 * Takes over `reply` as a Server-Sent Events stream with a keep-alive comment. `end` closes it once and runs
 * `onEnd`; it runs by itself when the client disconnects (the response's "close"; the request's own fires
 * once its body is read) and when the server closes (`streams`). Throws SERVER_STREAMS_FULL (see `admitStream`).
 */
export function openEventStream(
  reply: FastifyReply,
  streams: EventStreams,
  onEnd: () => void = () => undefined,
): { write(chunk: string): void; end(): void } {
  admitStream(streams);
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
