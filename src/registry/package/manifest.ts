import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { GyreError } from "../../core/index.js";
import { hashBytes, hashFile } from "./files.js";
import { isSafeRelativePath, jsonPath, MANIFEST_FILE, resolveInside } from "./paths.js";
import {
  type Flavor,
  type ModelSignature,
  manifestSchema,
  PACKAGE_FORMAT_VERSION,
  type PackageManifest,
  type ReferenceProfile,
} from "./schema.js";

/** What `writePackage` puts in a package; everything not given here is computed. */
export interface WritePackageOptions {
  flavor: Flavor;
  /** Package-relative path → the file's bytes, or the path of a local file to copy. */
  files: Record<string, Uint8Array | string>;
  signature: ModelSignature;
  /** The file the flavor loads; default: the only `.onnx` file (onnx) or `model.json` (tfjs). */
  model?: string;
  name?: string;
  profile?: ReferenceProfile;
  metrics?: Record<string, number>;
  /** Framework name → version, e.g. `{"@tensorflow/tfjs": "4.22.0"}`. */
  frameworks?: Record<string, string>;
  sourceRunId?: string;
  /** Default: now. Written as an ISO 8601 UTC timestamp. */
  createdAt?: Date;
}

/** One schema violation of a manifest: the JSON path of the bad field and what is wrong with it. */
export interface ManifestIssue {
  field: string;
  message: string;
}

/**
 * Writes the package into `dir` (created if needed; files already there are overwritten) and returns
 * its manifest, with the size and sha256 of every file. The manifest is written last and atomically, so a
 * directory with a manifest is complete. Throws REGISTRY_PACKAGE_INVALID naming the bad field before
 * writing anything when the options do not make a valid manifest.
 */
export async function writePackage(dir: string, options: WritePackageOptions): Promise<PackageManifest> {
  const paths = Object.keys(options.files).sort();
  for (const p of paths) {
    if (!isSafeRelativePath(p))
      throw packageInvalid(`File path '${p}' ${UNSAFE_PATH}`, `files[${JSON.stringify(p)}]`);
  }
  const draft = buildManifest(options, paths, () => ({ size: 0, sha256: "0".repeat(64) }));
  assertValid(draft, "The package options");
  const hashes = new Map<string, { size: number; sha256: string }>();
  for (const p of paths) hashes.set(p, await placeFile(dir, p, options.files[p]!));
  const manifest = buildManifest(options, paths, (p) => hashes.get(p)!);
  await mkdir(dir, { recursive: true });
  const target = join(dir, MANIFEST_FILE);
  await writeFile(`${target}.part`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${target}.part`, target);
  return manifest;
}

const UNSAFE_PATH = "must be relative, use / separators and stay inside the package (no '..')";

function buildManifest(
  o: WritePackageOptions,
  paths: string[],
  hash: (path: string) => { size: number; sha256: string },
): PackageManifest {
  return {
    formatVersion: PACKAGE_FORMAT_VERSION,
    ...(o.name === undefined ? {} : { name: o.name }),
    flavor: o.flavor,
    model: o.model ?? defaultModel(o.flavor, paths),
    files: paths.map((path) => ({ path, ...hash(path) })),
    signature: o.signature,
    ...(o.profile === undefined ? {} : { profile: o.profile }),
    metrics: o.metrics ?? {},
    frameworks: o.frameworks ?? {},
    createdAt: (o.createdAt ?? new Date()).toISOString(),
    ...(o.sourceRunId === undefined ? {} : { sourceRunId: o.sourceRunId }),
  };
}

function defaultModel(flavor: Flavor, paths: string[]): string {
  const candidates = flavor === "onnx" ? paths.filter((p) => p.endsWith(".onnx")) : ["model.json"];
  if (candidates.length === 1 && paths.includes(candidates[0]!)) return candidates[0]!;
  const expected = flavor === "onnx" ? "exactly one .onnx file" : "a model.json at the top";
  throw packageInvalid(`A ${flavor} package needs ${expected}, or name the model file with 'model'`, "model");
}

async function placeFile(dir: string, rel: string, source: Uint8Array | string) {
  const target = resolveInside(dir, rel)!;
  await mkdir(dirname(target), { recursive: true });
  if (typeof source !== "string") {
    await writeFile(target, source);
    return hashBytes(source);
  }
  try {
    if (resolve(source) !== target) await copyFile(source, target);
  } catch (e) {
    throw packageInvalid(
      `Cannot copy '${source}' into the package as '${rel}'`,
      `files[${JSON.stringify(rel)}]`,
      e,
    );
  }
  return hashFile(target);
}

/**
 * Reads and schema-validates `dir/gyre-model.json`. Throws REGISTRY_PACKAGE_INVALID when it is missing,
 * is not JSON, or breaks the schema; `field` is the JSON path of the first bad field and `details.issues`
 * lists them all.
 */
export async function readPackage(dir: string): Promise<PackageManifest> {
  const value = await readManifestJson(dir);
  const result = parseManifest(value);
  if ("issues" in result) throw issuesError(`${MANIFEST_FILE} in '${dir}'`, result.issues);
  return result.manifest;
}

/** The manifest's JSON value; throws REGISTRY_PACKAGE_INVALID when the file is absent or not JSON. */
export async function readManifestJson(dir: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    const why = missing ? "there is no" : "cannot read";
    throw packageInvalid(`'${dir}' is not a model package: ${why} ${MANIFEST_FILE}`, MANIFEST_FILE, e);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw packageInvalid(
      `${MANIFEST_FILE} in '${dir}' is not valid JSON: ${(e as Error).message}`,
      MANIFEST_FILE,
    );
  }
}

/** Validates a manifest value against the schema; on failure every issue with the JSON path of its field. */
export function parseManifest(value: unknown): { manifest: PackageManifest } | { issues: ManifestIssue[] } {
  const result = manifestSchema.safeParse(value);
  if (result.success) return { manifest: result.data };
  return {
    issues: result.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => ({ field: jsonPath([...issue.path, k]), message: "unknown field" }));
      }
      const message =
        issue.path.join(".") === "formatVersion"
          ? `must be ${PACKAGE_FORMAT_VERSION}: this gyre reads package format ${PACKAGE_FORMAT_VERSION} only`
          : issue.message;
      return [{ field: jsonPath(issue.path), message }];
    }),
  };
}

function assertValid(manifest: PackageManifest, what: string): void {
  const result = parseManifest(manifest);
  if ("issues" in result) throw issuesError(what, result.issues);
}

function issuesError(what: string, issues: ManifestIssue[]): GyreError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new GyreError(
    "REGISTRY_PACKAGE_INVALID",
    `${what} is invalid at ${first.field || "(root)"}: ${first.message}${more}`,
    {
      field: first.field,
      details: { issues },
    },
  );
}

/** A REGISTRY_PACKAGE_INVALID error for `field`. */
export function packageInvalid(message: string, field: string, cause?: unknown): GyreError {
  return new GyreError("REGISTRY_PACKAGE_INVALID", message, { field, cause });
}
