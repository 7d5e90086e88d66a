import { SchemeRegistry, uriPath } from "../core/schemes.js";
import type { ArtifactStore } from "./types.js";

export { joinArtifactPath, safeArtifactPath } from "./paths.js";
export type { ArtifactBody, ArtifactEntry, ArtifactStore, LocalArtifactStore, PutResult } from "./types.js";
export { isLocalArtifactStore } from "./types.js";

/** Artifact backends by URI scheme: `file://dir` (S3 comes with the scale-out work). */
export const artifactStores = new SchemeRegistry<ArtifactStore>("artifact store").register(
  "file",
  async (_u, raw) => {
    const { FileArtifactStore } = await import("./file/file-artifact-store.js");
    return new FileArtifactStore(uriPath(raw, process.cwd()));
  },
);
/** Opens the artifact store named by `uri` (see `artifactStores.schemes()`). */
export function openArtifactStore(uri: string): Promise<ArtifactStore> {
  return artifactStores.open(uri);
}
