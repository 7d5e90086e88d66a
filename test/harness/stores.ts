import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { openArtifactStore } from "../../src/artifacts/index.js";
import { openMetadataStore, TrackingService } from "../../src/metadata/index.js";
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
export async function freshTracking(
  backend: Backend,
): Promise<{ tracking: TrackingService; storeUri: string; artifactsUri: string }> {
  const storeUri = await freshStoreUri(backend);
  const artifactsUri = `file://${tempDir("gyre-artifacts-")}`;
  const [store, artifacts] = await Promise.all([
    openMetadataStore(storeUri),
    openArtifactStore(artifactsUri),
  ]);
  return { tracking: new TrackingService(store, artifacts), storeUri, artifactsUri };
}
