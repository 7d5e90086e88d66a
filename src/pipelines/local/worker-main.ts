/**
 * Entry point of a pooled worker process: runs one function step at a time, sent over IPC, and answers
 * with its outcome. stdout/stderr written while a step runs are captured and returned with it.
 */
import { mkdirSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { StepContext, StepFunction, StepReturn } from "../executor.js";

interface RunMessage {
  type: "run";
  module: string;
  export: string;
  context: StepContext;
}

const LIMIT = 1 << 20;
let captured: { stdout: string; stderr: string } | null = null;
const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Routes writes to the current step's buffers (bounded, keeping the tail) instead of the real streams. */
function capture(stream: NodeJS.WriteStream, key: "stdout" | "stderr"): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!captured) return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    captured[key] = (captured[key] + text).slice(-LIMIT);
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof stream.write;
}

/** Imports a step module once per worker (the pool replaces a worker whose modules were edited). */
function importModule(module: string): Promise<Record<string, unknown>> {
  // import() of a cached module still goes through the loader hooks (another thread): keep our own cache.
  let mod = modules.get(module);
  if (!mod) {
    mod = import(pathToFileURL(module).href) as Promise<Record<string, unknown>>;
    modules.set(module, mod);
    mod.catch(() => modules.delete(module));
  }
  return mod;
}

async function load(module: string, name: string): Promise<StepFunction> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(module);
  } catch (e) {
    // A module that does not load will not load on a retry either.
    const err = e instanceof Error ? e : new Error(String(e));
    if (!("retryable" in err)) Object.assign(err, { retryable: false });
    throw err;
  }
  const fn = mod[name];
  if (typeof fn !== "function") {
    const err = new Error(`Module ${module} has no exported function '${name}'`);
    (err as Error & { retryable?: boolean }).retryable = false;
    throw err;
  }
  return fn as StepFunction;
}

function errorInfo(e: unknown): { message: string; code?: string; retryable: boolean; stack?: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const flagged = (err as { retryable?: unknown }).retryable;
  // GyreErrors carry a `retryable` getter (by category); other errors are retried unless they say otherwise.
  const retryable = typeof flagged === "boolean" ? flagged : true;
  return {
    message: err.message,
    code: typeof code === "string" ? code : undefined,
    retryable,
    stack: err.stack,
  };
}

/** Makes `context.workDir` create the directory the first time a step reads it. */
function lazyWorkDir(context: StepContext): void {
  const dir = context.workDir;
  let made = false;
  Object.defineProperty(context, "workDir", {
    enumerable: true,
    get() {
      if (!made) mkdirSync(dir, { recursive: true });
      made = true;
      return dir;
    },
  });
}

async function run(msg: RunMessage): Promise<void> {
  captured = { stdout: "", stderr: "" };
  lazyWorkDir(msg.context);
  const started = performance.now();
  let reply: Record<string, unknown>;
  try {
    const fn = await load(msg.module, msg.export);
    const result = (await fn(msg.context)) as StepReturn;
    reply = { ok: true, metrics: result?.metrics ?? {} };
  } catch (e) {
    const info = errorInfo(e);
    if (info.stack) captured.stderr += `${info.stack}\n`;
    reply = { ok: false, error: { ...info, stack: undefined } };
  }
  const out = captured;
  captured = null;
  process.send?.({ type: "done", ...reply, ...out, durationMs: performance.now() - started });
}

capture(process.stdout, "stdout");
capture(process.stderr, "stderr");
process.on("message", (msg: RunMessage | { type: "load"; module: string }) => {
  if (msg?.type === "run") void run(msg);
  // A preload: a failure here is reported by the step that needs the module.
  else if (msg?.type === "load") void importModule(msg.module).catch(() => undefined);
});
// The orchestrator went away (even kill -9): nothing will collect our results.
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
