import type { Readable } from "node:stream";

/** One entry of a directory listing. `path` is relative to the store root, '/'-separated. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  /** Bytes; undefined for directories. */
  size?: number | undefined;
}

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
