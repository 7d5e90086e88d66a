/** Artifact listing types without Node imports (the web UI imports them). */

/** One entry of a directory listing. `path` is relative to the store root, '/'-separated. */
export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  /** Bytes; undefined for directories. */
  size?: number | undefined;
}
