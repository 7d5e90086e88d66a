import type { Readable } from "node:stream";
import type { ArtifactEntry } from "./entry-types.js";

export type { ArtifactEntry } from "./entry-types.js";

/** What a completed upload wrote. */
export interface PutResult {
  size: number;
  /** Lower-case hex sha256 of the bytes written. */
  sha256: string;
}

export type ArtifactBody = Readable | Buffer | Uint8Array | string;

/**
 * A blob store addressed by relative, '/'-separated paths. Callers pass paths through `safeArtifactPath`
 * first; backends still refuse anything that would leave their root (including through symlinks).
 */
export interface ArtifactStore {
  readonly kind: string;
  /** Writes (or atomically replaces) the file at `path`; readers never see a half-written file. */
  put(path: string, body: ArtifactBody): Promise<PutResult>;
  /** Streams the file; throws ARTIFACT_NOT_FOUND if it does not exist or is a directory. */
  get(path: string): Promise<Readable>;
  /** Size and kind of `path`, or null if nothing is there. */
  stat(path: string): Promise<{ isDir: boolean; size: number } | null>;
  /** Direct children of directory `dir` ('' for the root), sorted by path; [] if it does not exist. */
  list(dir: string): Promise<ArtifactEntry[]>;
  /** Removes a file or a whole directory tree; no error if absent. */
  delete(path: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Optional ability of stores that keep artifacts as local files: the file's path, so that callers on the
 * same machine can copy (or read) it directly instead of streaming it.
 */
export interface LocalArtifactStore extends ArtifactStore {
  /** The local path of the file at `path`; throws ARTIFACT_NOT_FOUND if it is missing or a directory. */
  localPath(path: string): Promise<string>;
  /**
   * Stores the local file `file` as `path`, taking it over: by hard link when both are on one file system
   * (no copy; the stored file is made read-only and the caller must not write `file` afterwards), else by
   * copy. Atomic like `put`. Throws ENOENT when `file` does not exist.
   */
  putFile(path: string, file: string): Promise<PutResult>;
}

/** Whether `store` can hand out local file paths. */
export function isLocalArtifactStore(store: ArtifactStore): store is LocalArtifactStore {
  return typeof (store as Partial<LocalArtifactStore>).localPath === "function";
}
