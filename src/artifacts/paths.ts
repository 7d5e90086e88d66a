import { GyreError } from "../core/errors.js";

/**
 * Normalises a user-supplied artifact path to 'a/b/c' form, refusing anything that could escape the
 * root: absolute paths, '..' segments, backslashes, NUL bytes, and percent-encoded variants of those.
 * '' (the root) is allowed only when `allowRoot` is set. The result is `raw` without empty or '.' segments.
 */
export function safeArtifactPath(raw: string, field = "path", allowRoot = true): string {
  let decoded = raw;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  const bad = (why: string) =>
    new GyreError(
      "ARTIFACT_PATH_INVALID",
      `Invalid path '${raw}': ${why}. Use a relative path such as 'model/weights.bin'.`,
      {
        field,
      },
    );
  if (decoded.includes("\0")) throw bad("it contains a NUL byte");
  if (decoded.includes("\\")) throw bad("backslashes are not allowed");
  if (decoded.startsWith("/") || /^[a-z]:/i.test(decoded)) throw bad("absolute paths are not allowed");
  if (decoded.split("/").includes("..")) throw bad("'..' segments are not allowed");
  // Decoded forms are only checked: the path itself keeps its characters, so 'a%20b.txt' stays a file name.
  const path = raw
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
  if (!allowRoot && path === "") throw bad("the path is empty");
  return path;
}

/** Joins '/'-separated path parts, skipping empty ones. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}
