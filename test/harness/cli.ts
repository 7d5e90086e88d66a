import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import { tempDir } from "./stores.js";

/**
 * The CLI runs in its own process, as users run it: `main(argv)` from the sources through tsx (so the
 * tests never depend on a fresh `npm run build`).
 */
export const ROOT = join(import.meta.dirname, "..", "..");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const CLI = pathToFileURL(join(ROOT, "src", "cli", "index.ts")).href;
const ENTRY = `import(${JSON.stringify(CLI)}).then(async (cli) => {
  process.exitCode = await cli.main(["node", "gyre", ...process.argv.slice(1)]);
});`;
const NODE_ARGS = ["--import", TSX, "--input-type=module", "-e", ENTRY, "--"];
/** Each process gets a clean environment (no GYRE_* from the developer's shell) and an empty cwd. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GYRE_")));
const CWD = tempDir("gyre-cli-cwd-");

/** What one CLI invocation produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Buffer;
}

/** Runs `gyre <args>` in a fresh process (cwd: an empty temp dir unless given) and resolves when it exits. */
export function gyre(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const argv = [...NODE_ARGS, ...args];
    const opts = { cwd: options.cwd ?? CWD, env: ENV, encoding: "buffer" as const, maxBuffer: 64 << 20 };
    execFile(process.execPath, argv, opts, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString(), bytes: stdout });
    });
  });
}

/** Parses --json output, failing with the process's stderr if it is not JSON. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** The same entry as `gyre()`, for tests that spawn the CLI themselves (e.g. a long-running server). */
export const CLI_NODE_ARGS: readonly string[] = NODE_ARGS;
export const CLI_ENV: Record<string, string | undefined> = ENV;
export const CLI_CWD: string = CWD;
