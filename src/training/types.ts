import type * as tf from "@tensorflow/tfjs";
import type { ActiveRun } from "../sdk/index.js";
import type { ClassificationMetrics, RegressionMetrics } from "./evaluate.js";
import type { Preprocessing } from "./preprocessing.js";

/** One training or inference row: feature name → raw value (numbers for numeric, strings for categorical). */
export type Row = Readonly<Record<string, unknown>>;

/** A numeric feature: standardised with the training mean and (population) standard deviation. */
export interface NumericFeatureSpec {
  name: string;
  type: "numeric";
}

/** A categorical feature: the `maxCategories` most frequent training values one-hot, the rest share one bucket. */
export interface CategoricalFeatureSpec {
  name: string;
  type: "categorical";
  /** Vocabulary size before the out-of-vocabulary bucket (default 50). */
  maxCategories?: number;
}

export type FeatureSpec = NumericFeatureSpec | CategoricalFeatureSpec;

/** What to learn: the ordered input features, the label column and the task. */
export interface ColumnSpec {
  features: FeatureSpec[];
  label: string;
  /** `binary`: label is 0/1 or boolean, output is P(label = 1). `regression`: numeric label. Default binary. */
  task?: "binary" | "regression";
}

/** The network on top of the preprocessing: no hidden layer (logistic/linear regression) or an MLP. */
export type Head = { kind: "linear" } | { kind: "mlp"; hidden: number[] };

/** Trainer options; every field has a default so `{}` trains a logistic regression. */
export interface TrainOptions {
  head?: Head;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Fraction of rows held out (seeded, random) for validation and early stopping; 0 disables both. */
  validationSplit?: number;
  /** Epochs without a val_loss improvement before stopping; the best epoch's weights are restored. */
  patience?: number;
  /** Seeds the split, the weight initialisers and the per-epoch shuffles. */
  seed?: number;
  /** Held-out rows to evaluate on; default the validation split. */
  testData?: readonly Row[];
  /** Log params, per-epoch metrics and artifacts into this run (the caller ends it). */
  run?: ActiveRun;
  /** Draw a progress bar on stderr; default: when stderr is a TTY. */
  progress?: boolean;
  /** Called after every epoch with that epoch's metrics. */
  onEpochEnd?: (log: EpochLog) => void;
}

/** The options after defaults, as logged into the run's params. */
export interface ResolvedOptions {
  head: Head;
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationSplit: number;
  patience: number;
  seed: number;
}

/**
 * Metrics of one epoch (1-based). `val*` only with a validation split, `valAuc` only for binary tasks.
 * Losses are binary cross-entropy, or for regression the MSE in standardised label units.
 */
export interface EpochLog {
  epoch: number;
  loss: number;
  valLoss?: number;
  valAuc?: number;
  /** Training rows processed per second of wall time in this epoch. */
  rowsPerSecond: number;
}

/** Per-epoch logs plus where early stopping landed. */
export interface History {
  epochs: EpochLog[];
  /** The epoch whose weights the model holds (the best val_loss, or the last epoch). */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** Evaluation of the trained model on the test data (or the validation split). */
export type Evaluation =
  | { task: "binary"; rows: number; metrics: ClassificationMetrics }
  | { task: "regression"; rows: number; metrics: RegressionMetrics };

/** What `trainTabular` returns; `model` maps the encoded matrix to probabilities (or predictions). */
export interface TrainedModel {
  model: tf.LayersModel;
  preprocessing: Preprocessing;
  spec: Required<Pick<ColumnSpec, "task">> & ColumnSpec;
  options: ResolvedOptions;
  history: History;
  /** Null when there was neither a validation split nor test data. */
  evaluation: Evaluation | null;
}
