import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/core/net.js";

export { freePort };

/** PostgreSQL refuses to run as root; as root we run its binaries as the `postgres` user (no wrapper process, so signals reach postgres itself). */
function pgOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

export interface PgServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts a throwaway PostgreSQL (initdb + postgres) in a temp dir on a free port; fsync off for speed. */
export async function startPostgres(): Promise<PgServer> {
  const dir = mkdtempSync(join(tmpdir(), "gyre-pg-"));
  const owner = pgOwner();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, "data");
  const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync("initdb", ["-D", data, "-U", "gyre", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    stdio: "pipe",
    cwd: dir,
    ...ids,
  });
  const port = await freePort();
  const args = [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ];
  const proc: ChildProcess = spawn("postgres", args, {
    stdio: ["ignore", "ignore", "pipe"],
    cwd: dir,
    ...ids,
  });
  let log = "";
  proc.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const url = `postgres://gyre@127.0.0.1:${port}/postgres`;
  await waitReady(url, proc, () => log);
  return {
    url,
    port,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGINT");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const pg = (await import("pg")).default;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`postgres exited early:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not become ready:\n${log()}`);
}

/** Creates a fresh database on the server and returns its URL (each test file isolates itself). */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return serverUrl.replace(/\/postgres$/, `/${name}`);
}
