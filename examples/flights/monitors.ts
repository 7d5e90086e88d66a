/**
 * What watches the `flights` deployment: drift of every model input against the training profile in the
 * model package (PSI above 0.5: a major shift), and accuracy and ROC AUC once ground truth arrives (alert below 0.6). An alert starts `flights-train`
 * (with `until` empty: the latest known window), at most once per cooldown.
 */
import { defineMonitor } from "../../src/monitoring/index.js";

export const flightsDrift = defineMonitor({
  name: "flights-drift",
  deployment: "flights",
  window: { type: "count", size: 1000 },
  reference: { type: "profile" },
  schedule: { everyPredictions: 1000 },
  minRows: 200,
  metrics: [{ method: "psi", threshold: 0.5 }],
  performance: {
    score: "probability",
    threshold: 0.5,
    task: "classification",
    positive: "1",
    thresholds: { roc_auc: { min: 0.6 } },
    minLabels: 200,
  },
  alert: {
    severity: "warning",
    cooldown: "1h",
    actions: [
      { type: "log" },
      // Retrain on everything known so far (up to 120 days) but the latest two weeks, gated on those two weeks.
      {
        type: "pipeline",
        pipeline: "flights-train",
        params: { train_days: 120, eval_days: 14, sample: 100_000, epochs: 6 },
      },
    ],
  },
});

export const monitors = [flightsDrift];
