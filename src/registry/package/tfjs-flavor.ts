import { readFile, stat } from "node:fs/promises";
import { posix } from "node:path";
import { z } from "zod";
import { GyreError } from "../../core/index.js";
import { isSafeRelativePath, jsonPath, resolveInside } from "./paths.js";
import type { PackageManifest } from "./schema.js";

/** Bytes per stored element, by TF.js weight dtype (or quantization dtype). */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  float16: 2,
  complex64: 8,
};

const weightEntry = z.looseObject({
  name: z.string(),
  shape: z.array(z.int().min(0)),
  dtype: z.string(),
  quantization: z.looseObject({ dtype: z.string() }).optional(),
});

const modelJson = z.looseObject({
  format: z.literal("layers-model").optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(
    z.looseObject({ paths: z.array(z.string()).min(1), weights: z.array(weightEntry) }),
  ),
});

/**
 * Checks a TF.js layers model: `model.json` parses with a model topology and weights manifest, every weight
 * file it names is a package file, and the weight files hold exactly the bytes the weight specs need.
 * Throws REGISTRY_MODEL_INVALID saying what is wrong.
 */
export async function checkTfjsFlavor(dir: string, manifest: PackageManifest): Promise<void> {
  const file = resolveInside(dir, manifest.model);
  const text = file ? await readFile(file, "utf8").catch(() => null) : null;
  if (text === null) throw modelInvalid(`Cannot read the TF.js model '${manifest.model}' in '${dir}'`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw modelInvalid(`${manifest.model} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = modelJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw modelInvalid(
      `${manifest.model} is not a TF.js layers model: ${jsonPath(issue.path)}: ${issue.message}`,
    );
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  const base = posix.dirname(manifest.model);
  let expected: number | null = 0;
  let actual = 0;
  for (const group of parsed.data.weightsManifest) {
    for (const p of group.paths)
      actual += await weightFileSize(dir, posix.join(base, p), listed, manifest.model);
    for (const w of group.weights) {
      const bytes = DTYPE_BYTES[w.quantization?.dtype ?? w.dtype];
      expected = bytes === undefined || expected === null ? null : expected + bytes * product(w.shape);
    }
  }
  if (expected !== null && expected !== actual) {
    throw modelInvalid(
      `${manifest.model}'s weights need ${expected} bytes but its weight files hold ${actual}`,
    );
  }
}

async function weightFileSize(dir: string, rel: string, listed: Set<string>, model: string): Promise<number> {
  if (!isSafeRelativePath(rel) || !listed.has(rel)) {
    throw modelInvalid(`${model} names weight file '${rel}', which is not a file of the package`);
  }
  const info = await stat(resolveInside(dir, rel)!).catch(() => null);
  if (!info?.isFile()) throw modelInvalid(`Weight file '${rel}' named by ${model} is missing`);
  return info.size;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function modelInvalid(message: string): GyreError {
  return new GyreError("REGISTRY_MODEL_INVALID", message, { field: "model" });
}
