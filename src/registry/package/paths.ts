import { isAbsolute, relative, resolve, sep } from "node:path";

/** The manifest's file name at the root of every package directory. */
export const MANIFEST_FILE = "gyre-model.json";

/**
 * A package-relative file path: `/` separators, no empty, `.` or `..` segments, no backslash, NUL or
 * drive letter, and not the manifest itself. Such a path always resolves inside the package directory.
 * A regular expression so that the JSON schema can state it too.
 */
export const SAFE_RELATIVE_PATH =
  /^(?!gyre-model\.json$)(?![A-Za-z]:)(?!(?:[^/]*\/)*\.{1,2}(?:\/|$))[^/\\\0]+(?:\/[^/\\\0]+)*$/;

/** True when `path` is a safe package-relative file path (see SAFE_RELATIVE_PATH). */
export function isSafeRelativePath(path: string): boolean {
  return SAFE_RELATIVE_PATH.test(path);
}

/** The absolute path of `rel` inside `dir`, or null when it would land outside `dir`. */
export function resolveInside(dir: string, rel: string): string | null {
  const root = resolve(dir);
  const full = resolve(root, rel);
  const back = relative(root, full);
  if (back === "" || back.startsWith(`..${sep}`) || back === ".." || isAbsolute(back)) return null;
  return full;
}

/** A zod issue path as a JSON path, e.g. `signature.inputs[0].dtype`; keys that are not identifiers are quoted. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "string" && /^[A-Za-z_$][\w$]*$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}
