import { stat } from "node:fs/promises";
import { join } from "node:path";
import { GyreError, isGyreError } from "../../core/index.js";
import { hashFile, listDirectory } from "./files.js";
import { parseManifest, readManifestJson } from "./manifest.js";
import { MANIFEST_FILE } from "./paths.js";
import type { PackageManifest } from "./schema.js";

/** Kinds of problem `verifyPackage` reports. */
export type PackageProblemKind = "missing" | "size" | "sha256" | "unexpected" | "schema";

/** One problem: the file (or, for `schema`, the manifest field) at fault and what is wrong. */
export interface PackageProblem {
  path: string;
  problem: PackageProblemKind;
  message: string;
}

/** The outcome of `verifyPackage`: ok when there are no problems; the manifest when it parsed. */
export interface VerifyResult {
  ok: boolean;
  problems: PackageProblem[];
  manifest?: PackageManifest;
}

/**
 * Checks `dir` against its manifest: the schema, then every listed file's presence, size and sha256, and
 * no files besides them (symlinks count as unexpected). Reports problems instead of throwing; problems are
 * in manifest order, unexpected files last. Schema problems stop the file checks.
 */
export async function verifyPackage(dir: string): Promise<VerifyResult> {
  let value: unknown;
  try {
    value = await readManifestJson(dir);
  } catch (e) {
    if (!isGyreError(e)) throw e;
    const missing = e.cause !== undefined && (e.cause as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      problems: [{ path: MANIFEST_FILE, problem: missing ? "missing" : "schema", message: e.message }],
    };
  }
  const parsed = parseManifest(value);
  if ("issues" in parsed) {
    const problems = parsed.issues.map((i) => ({
      path: i.field,
      problem: "schema" as const,
      message: `${MANIFEST_FILE}: ${i.message}`,
    }));
    return { ok: false, problems };
  }
  const problems = await verifyFiles(dir, parsed.manifest);
  return { ok: problems.length === 0, problems, manifest: parsed.manifest };
}

/** File problems of a package whose manifest already parsed (see `verifyPackage`). */
export async function verifyFiles(dir: string, manifest: PackageManifest): Promise<PackageProblem[]> {
  const listing = await listDirectory(dir);
  const present = new Set(listing.files);
  const problems: PackageProblem[] = [];
  for (const file of manifest.files) {
    if (!present.has(file.path)) {
      problems.push({
        path: file.path,
        problem: "missing",
        message: "listed in the manifest but not a file here",
      });
      continue;
    }
    const full = join(dir, file.path);
    const size = (await stat(full)).size;
    if (size !== file.size) {
      problems.push({
        path: file.path,
        problem: "size",
        message: `${size} bytes, the manifest says ${file.size}`,
      });
      continue;
    }
    const { sha256 } = await hashFile(full);
    if (sha256 !== file.sha256) {
      problems.push({
        path: file.path,
        problem: "sha256",
        message: `sha256 ${sha256}, the manifest says ${file.sha256}`,
      });
    }
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of listing.files) {
    if (path !== MANIFEST_FILE && !listed.has(path)) {
      problems.push({ path, problem: "unexpected", message: "not listed in the manifest" });
    }
  }
  for (const other of listing.others) {
    problems.push({
      path: other.path,
      problem: "unexpected",
      message: `a ${other.kind}; packages hold regular files only`,
    });
  }
  return problems;
}

/** REGISTRY_PACKAGE_INVALID for a package that failed verification; `details.problems` lists every problem. */
export function verificationError(dir: string, problems: PackageProblem[]): GyreError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : "";
  return new GyreError(
    "REGISTRY_PACKAGE_INVALID",
    `Package '${dir}' failed verification: ${first.path}: ${first.problem} — ${first.message}${more}; ` +
      "run `gyre models verify` on it for the full list",
    { field: first.path, details: { problems } },
  );
}
