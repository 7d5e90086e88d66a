import type { TestProject } from "vitest/node";
import { type PgServer, startPostgres } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

let server: PgServer | undefined;

/** One PostgreSQL for the whole run; test files create their own databases on it. */
export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  project.provide("pgUrl", server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
