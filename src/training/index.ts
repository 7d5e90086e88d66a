/**
 * Training infrastructure (C5): the reference tabular trainer on TF.js (wasm backend), its ONNX export
 * with the preprocessing inside the graph, and evaluation metrics.
 *
 *   const trained = await trainTabular(rows, { features, label: "delayed" }, { head: { kind: "mlp", hidden: [32] }, run });
 *   const { bytes, signature } = exportOnnx(trained);   // raw feature values in, `probability` out
 */
export type {
  ClassificationMetrics,
  ConfusionMatrix,
  RegressionMetrics,
  RocCurve,
} from "./evaluate.js";
export {
  brierScore,
  classificationMetrics,
  confusionMatrix,
  logLoss,
  regressionMetrics,
  rocAuc,
  rocCurve,
} from "./evaluate.js";
export type { FeatureSignature, OnnxExport, OnnxSignature, TensorSignature } from "./onnx-export.js";
export { exportOnnx } from "./onnx-export.js";
export { ONNX_ML_OPSET, ONNX_OPSET } from "./onnx-graph.js";
export { TRAIN_DEFAULTS } from "./options.js";
export { evaluateModel, predict } from "./predict.js";
export type { CategoryVocabulary, NumericStats, Preprocessing } from "./preprocessing.js";
export { encodedColumnNames, encodeFeatures } from "./preprocessing.js";
export { TRAINING_ARTIFACTS } from "./run-logging.js";
export { confusionMatrixSvg, rocCurveSvg } from "./svg.js";
export type { SyntheticShape } from "./synthetic.js";
export { syntheticTabular } from "./synthetic.js";
export { trainTabular } from "./trainer.js";
export type {
  CategoricalFeatureSpec,
  ColumnSpec,
  EpochLog,
  Evaluation,
  FeatureSpec,
  Head,
  History,
  NumericFeatureSpec,
  ResolvedOptions,
  Row,
  TrainedModel,
  TrainOptions,
} from "./types.js";
