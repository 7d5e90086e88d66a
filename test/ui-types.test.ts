/**
 * The web UI shares the server's types by `import type` from src/. That is only sound while the UI's type
 * program stays free of Node: a server file that pulls in node:* modules, a database driver or DuckDB would
 * still typecheck (some dependency's typings load @types/node) and quietly give the UI Node's globals.
 * This lists the UI program's files, as tsc resolves them, and checks both.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the UI's type program", () => {
  it("holds no Node typings and no server file that imports Node, a driver or DuckDB", () => {
    const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
    const files = execFileSync(process.execPath, [tsc, "-p", "ui/tsconfig.json", "--listFilesOnly"], {
      cwd: root,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean);
    expect(files.filter((f) => f.includes("/@types/node/"))).toEqual([]);
    const server = files.filter((f) => f.startsWith(`${root}src/`));
    // The UI does import server types (deployments, monitoring, pipelines…).
    expect(server.length).toBeGreaterThan(5);
    const nodeOnly = /from\s+["'](node:|better-sqlite3|pg|@duckdb\/|kysely|fastify|bullmq|ioredis)/;
    const offenders = server.filter((f) => nodeOnly.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
