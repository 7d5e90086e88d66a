import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { openArtifactStore } from "../../src/artifacts/index.js";
import { DEFAULTS, type GyreConfig } from "../../src/core/config.js";
import {
  openMetadataStore,
  openTracking,
  type TrackingClient,
  TrackingService,
} from "../../src/metadata/index.js";
import { type RunningServer, startServer } from "../../src/server/index.js";
import { createDatabase } from "./postgres.js";

export type Backend = "sqlite" | "postgres";
export const BACKENDS: Backend[] = ["sqlite", "postgres"];

/** A fresh temp directory. */
export function tempDir(prefix = "gyre-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A store URI for a brand-new, empty database of the given backend. */
export async function freshStoreUri(backend: Backend): Promise<string> {
  if (backend === "sqlite") return `sqlite://${join(tempDir(), "gyre.db")}`;
  return createDatabase(inject("pgUrl"), `gyre_${randomBytes(6).toString("hex")}`);
}

/** A TrackingService over a fresh database and a fresh artifact directory. */
export async function freshTracking(backend: Backend): Promise<TrackingService> {
  const storeUri = await freshStoreUri(backend);
  const [store, artifacts] = await Promise.all([
    openMetadataStore(storeUri),
    openArtifactStore(`file://${tempDir("gyre-artifacts-")}`),
  ]);
  return new TrackingService(store, artifacts);
}

/** Configuration for a server on a free loopback port over fresh stores. */
export async function freshConfig(
  backend: Backend,
  overrides: Partial<GyreConfig> = {},
): Promise<GyreConfig> {
  return {
    ...DEFAULTS,
    store: await freshStoreUri(backend),
    artifacts: `file://${tempDir("gyre-artifacts-")}`,
    server: { ...DEFAULTS.server, port: 0 },
    logLevel: "warn",
    ...overrides,
  };
}

/** A running gyre server on a free loopback port over fresh stores. */
export async function freshServer(
  backend: Backend,
  overrides: Partial<GyreConfig> = {},
): Promise<RunningServer> {
  return startServer(await freshConfig(backend, overrides));
}

/** Every TrackingClient implementation: in-process on each SQL engine, and over HTTP to a server. */
export const CLIENT_KINDS = ["sqlite", "postgres", "http"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export async function freshClient(
  kind: ClientKind,
): Promise<{ client: TrackingClient; close(): Promise<void> }> {
  if (kind !== "http") {
    const client = await freshTracking(kind);
    return { client, close: () => client.close() };
  }
  const server = await freshServer("sqlite");
  const client = await openTracking({ store: server.url, artifacts: "file://unused" });
  return { client, close: () => server.close() };
}
