/**
 * The `gyre-model.json` manifest as zod schemas: the one definition that parses manifests, types them and
 * generates the JSON schema shipped in `schemas/gyre-model.schema.json`.
 */
import { z } from "zod";
import { MANIFEST_FILE, SAFE_RELATIVE_PATH } from "./paths.js";

/** The manifest format this code writes and reads; a reader refuses any other version. */
export const PACKAGE_FORMAT_VERSION = 1;

/** Tensor element types a signature can name (the ONNX Runtime / numpy spellings). */
export const DTYPES = ["float32", "float64", "int64", "int32", "bool", "string"] as const;

const name = z.string().min(1).max(256);
const count = z.int().min(0);
const relativePath = z.string().regex(SAFE_RELATIVE_PATH, {
  message: "must be a relative path with / separators, no '.', '..' or empty segments, and not the manifest",
});

const tensorSpec = z.strictObject({
  name,
  dtype: z.enum(DTYPES),
  shape: z.array(z.union([z.literal(-1), z.int().positive()])).describe("dims; -1 for a dynamic dim"),
});

const featureSpec = z.discriminatedUnion("type", [
  z.strictObject({ name, type: z.literal("numeric") }),
  z.strictObject({
    name,
    type: z.literal("categorical"),
    categories: z.array(z.string()).optional().describe("allowed categories, when the set is closed"),
  }),
]);

const signature = z.strictObject({
  inputs: z.array(tensorSpec).min(1),
  outputs: z.array(tensorSpec).min(1),
  features: z.array(featureSpec).optional().describe("tabular models: the ordered raw features"),
});

const quantiles = z.strictObject({
  p1: z.number(),
  p5: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p95: z.number(),
  p99: z.number(),
});

const histogram = z.strictObject({
  edges: z.array(z.number()).min(2).describe("ascending bin edges; bins are [e_i, e_i+1), the last closed"),
  counts: z.array(count),
});

const numericProfile = z.strictObject({
  name,
  type: z.literal("numeric"),
  count: count.describe("values present (finite numbers)"),
  missing: count.describe("null, undefined, NaN or infinite values"),
  mean: z.number().nullable(),
  std: z.number().nullable().describe("population standard deviation (ddof = 0)"),
  min: z.number().nullable(),
  max: z.number().nullable(),
  quantiles: quantiles.nullable().describe("linear interpolation, as numpy.quantile's default"),
  histogram: histogram.nullable(),
});

const categoricalProfile = z.strictObject({
  name,
  type: z.literal("categorical"),
  count: count.describe("values present"),
  missing: count.describe("null or undefined values"),
  distinct: count,
  frequencies: z
    .array(z.strictObject({ value: z.string(), count }))
    .describe("most frequent first; the rest summed under '__other__'"),
});

const profile = z.strictObject({
  rowCount: count,
  features: z.array(z.discriminatedUnion("type", [numericProfile, categoricalProfile])),
});

const fileEntry = z.strictObject({
  path: relativePath,
  size: count.describe("bytes"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const manifestObject = z
  .strictObject({
    formatVersion: z.literal(PACKAGE_FORMAT_VERSION),
    name: name.optional(),
    flavor: z.enum(["onnx", "tfjs"]),
    model: relativePath.describe("the file the flavor loads: the .onnx graph or the TF.js model.json"),
    files: z.array(fileEntry).describe("every file of the package except the manifest"),
    signature,
    profile: profile.optional().describe("the training data's reference profile, for monitoring"),
    metrics: z.record(z.string(), z.number()),
    frameworks: z.record(z.string(), z.string()).describe('versions, e.g. {"onnxruntime-node": "1.30.0"}'),
    createdAt: z.iso.datetime(),
    sourceRunId: z.string().min(1).optional(),
  })
  .meta({
    title: "gyre model package manifest",
    description: `The ${MANIFEST_FILE} of a gyre model package.`,
  });

/** Schema of a parsed manifest, with the cross-field rules the JSON schema cannot state. */
export const manifestSchema = manifestObject.superRefine((m, ctx) => {
  const paths = m.files.map((f) => f.path);
  uniqueNames(paths, ["files"], "path", ctx);
  if (!paths.includes(m.model)) {
    ctx.addIssue({ code: "custom", path: ["model"], message: `'${m.model}' is not listed in files` });
  }
  uniqueNames(
    m.signature.inputs.map((i) => i.name),
    ["signature", "inputs"],
    "name",
    ctx,
  );
  uniqueNames(
    m.signature.outputs.map((o) => o.name),
    ["signature", "outputs"],
    "name",
    ctx,
  );
  uniqueNames(m.signature.features?.map((f) => f.name) ?? [], ["signature", "features"], "name", ctx);
  m.profile?.features.forEach((f, i) => {
    const h = f.type === "numeric" ? f.histogram : null;
    if (h && h.counts.length !== h.edges.length - 1) {
      const message = `has ${h.counts.length} counts for ${h.edges.length} edges; expected one fewer count`;
      ctx.addIssue({ code: "custom", path: ["profile", "features", i, "histogram", "counts"], message });
    }
  });
});

function uniqueNames(names: string[], at: (string | number)[], key: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) ctx.addIssue({ code: "custom", path: [...at, i, key], message: `duplicate '${n}'` });
    seen.add(n);
  });
}

/** The parsed `gyre-model.json`. */
export type PackageManifest = z.infer<typeof manifestSchema>;
/** Named inputs and outputs with dtypes and shapes, plus the ordered raw features of a tabular model. */
export type ModelSignature = z.infer<typeof signature>;
/** One named tensor of a signature; shape dims are -1 where dynamic. */
export type TensorSpec = z.infer<typeof tensorSpec>;
/** One raw feature of a tabular model, in the order the model expects. */
export type FeatureSpec = z.infer<typeof featureSpec>;
/** The training data's reference profile, one entry per feature in feature order. */
export type ReferenceProfile = z.infer<typeof profile>;
/** One feature's reference profile: numeric summary and histogram, or categorical frequencies. */
export type FeatureProfile = ReferenceProfile["features"][number];
/** A tensor element type, as named in signatures. */
export type Dtype = (typeof DTYPES)[number];
/** How a package's model is loaded. */
export type Flavor = PackageManifest["flavor"];

/** The JSON schema (draft 2020-12) of `gyre-model.json`, generated from `manifestSchema`. */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(manifestObject) as Record<string, unknown>;
}
