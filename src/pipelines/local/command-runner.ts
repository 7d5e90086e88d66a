import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { StepOutcome } from "../executor.js";
import type { StepError } from "../types.js";

/** A command attempt: argv (or one shell string), working directory and full environment. */
export interface CommandJob {
  command: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | null;
  /** A JSON file of metrics the command may write (GYRE_METRICS_FILE). */
  metricsFile: string;
}

const LIMIT = 1 << 20;

/** Numeric entries of a JSON object file; {} when the file is absent or not such an object. */
export async function readMetrics(file: string): Promise<Record<string, number>> {
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) return {};
  try {
    const obj = JSON.parse(text) as unknown;
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return {};
    return Object.fromEntries(Object.entries(obj).filter(([, v]) => typeof v === "number")) as Record<
      string,
      number
    >;
  } catch {
    return {};
  }
}

/**
 * Runs a command step as a child process in its own process group, so a timeout or cancellation kills
 * the whole tree (e.g. python and its subprocesses). Resolves with the outcome; never rejects.
 */
export function runCommand(job: CommandJob, signal: AbortSignal): Promise<StepOutcome> {
  const started = performance.now();
  // An abort that came before the spawn has no listener to hear it: don't start what is already cancelled.
  if (signal.aborted) {
    const error = { reason: "cancelled" as const, message: "Cancelled before it started", retryable: false };
    return Promise.resolve({ ok: false, error, metrics: {}, stdout: "", stderr: "", durationMs: 0 });
  }
  const [file, ...args] = job.shell ? ["/bin/sh", "-c", job.command[0]!] : job.command;
  const child = spawn(file!, args, {
    cwd: job.cwd,
    env: job.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-LIMIT);
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-LIMIT);
  });
  let stopped: StepError | null = null;
  const stop = (e: StepError) => {
    stopped ??= e;
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  const onAbort = () => stop({ reason: "cancelled", message: "Cancelled while running", retryable: false });
  signal.addEventListener("abort", onAbort, { once: true });
  const limit = job.timeoutMs;
  const timer =
    limit === null
      ? undefined
      : setTimeout(
          () => stop({ reason: "timeout", message: `Timed out after ${limit} ms`, retryable: true }),
          limit,
        );
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: Omit<StepOutcome, "stdout" | "stderr" | "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve({ ...o, stdout, stderr, durationMs: performance.now() - started });
    };
    child.once("error", (e) => {
      const message = `Could not start '${job.command.join(" ")}': ${e.message}`;
      settle({ ok: false, error: { reason: "error", message, retryable: false }, metrics: {} });
    });
    child.once("close", async (code, sig) => {
      if (stopped) return settle({ ok: false, error: stopped, metrics: {} });
      if (code !== 0) {
        const message = `'${job.command.join(" ")}' exited with ${sig ? `signal ${sig}` : `code ${code}`}`;
        return settle({ ok: false, error: { reason: "exit", message, retryable: true }, metrics: {} });
      }
      const metrics = await readMetrics(job.metricsFile);
      settle({ ok: true, metrics });
    });
  });
}
