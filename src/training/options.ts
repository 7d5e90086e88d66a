import { GyreError } from "../core/errors.js";
import type { ColumnSpec, ResolvedOptions, TrainOptions } from "./types.js";

/** Defaults of `trainTabular`: a logistic regression, Adam at 0.01, 20% validation, patience 3, seed 42. */
export const TRAIN_DEFAULTS: ResolvedOptions = {
  head: { kind: "linear" },
  epochs: 20,
  batchSize: 256,
  learningRate: 0.01,
  validationSplit: 0.2,
  patience: 3,
  seed: 42,
};

function fail(field: string, message: string): never {
  throw new GyreError("TRAINING_SPEC_INVALID", message, { field });
}

function positiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) fail(field, `${field} must be a positive integer, got ${value}`);
}

/** Fills in defaults and checks ranges; throws TRAINING_SPEC_INVALID naming the option. */
export function resolveOptions(options: TrainOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    head: options.head ?? TRAIN_DEFAULTS.head,
    epochs: options.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: options.batchSize ?? TRAIN_DEFAULTS.batchSize,
    learningRate: options.learningRate ?? TRAIN_DEFAULTS.learningRate,
    validationSplit: options.validationSplit ?? TRAIN_DEFAULTS.validationSplit,
    patience: options.patience ?? TRAIN_DEFAULTS.patience,
    seed: options.seed ?? TRAIN_DEFAULTS.seed,
  };
  positiveInt(r.epochs, "epochs");
  positiveInt(r.batchSize, "batchSize");
  positiveInt(r.patience, "patience");
  if (r.head.kind === "mlp") {
    if (r.head.hidden.length === 0)
      fail("head.hidden", "An mlp head needs at least one hidden size, e.g. [64, 32]");
    for (const [i, units] of r.head.hidden.entries()) positiveInt(units, `head.hidden[${i}]`);
  }
  if (!(r.learningRate > 0 && Number.isFinite(r.learningRate)))
    fail("learningRate", `learningRate must be a positive number, got ${r.learningRate}`);
  if (!(r.validationSplit >= 0 && r.validationSplit < 1))
    fail("validationSplit", `validationSplit must be in [0, 1), got ${r.validationSplit}`);
  if (!Number.isInteger(r.seed)) fail("seed", `seed must be an integer, got ${r.seed}`);
  return r;
}

/** Checks the column spec: at least one feature, unique names, the label not among the features. */
export function checkSpec(spec: ColumnSpec): void {
  if (spec.features.length === 0) fail("features", "The column spec needs at least one feature");
  const seen = new Set<string>();
  spec.features.forEach((feature, i) => {
    if (!feature.name) fail(`features[${i}].name`, "Every feature needs a non-empty name");
    if (seen.has(feature.name)) fail(`features[${i}].name`, `Feature '${feature.name}' is listed twice`);
    seen.add(feature.name);
    if (feature.type === "categorical" && feature.maxCategories !== undefined)
      positiveInt(feature.maxCategories, `features[${i}].maxCategories`);
  });
  if (seen.has(spec.label)) fail("label", `The label '${spec.label}' is also listed as a feature`);
  if (spec.task !== undefined && spec.task !== "binary" && spec.task !== "regression")
    fail("task", `task must be 'binary' or 'regression', got '${spec.task}'`);
}
