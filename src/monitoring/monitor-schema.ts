/** The monitor definition schema, without Node imports (the web UI imports its types). */
import { z } from "zod";
import { driftMetricInput } from "./metrics/methods.js";
import { windowSchema } from "./windows.js";

const time = z.union([z.iso.datetime({ offset: true }), z.int().min(0)]);
const duration = z.string().regex(/^\d+(\.\d+)?\s*[smhd]$/, { message: "a duration such as 15m, 1h or 7d" });

const action = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/ }),
    /** "slack" posts `{ text }` (Slack incoming webhooks); "json" posts the alert itself. */
    format: z.enum(["json", "slack"]).default("json"),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  z.strictObject({ type: z.literal("log") }),
  z.strictObject({
    type: z.literal("pipeline"),
    pipeline: z.string().min(1),
    /** Fixed parameters; declared parameters named alert_id, deployment, monitor, features are filled from the alert. */
    params: z.record(z.string(), z.unknown()).optional(),
  }),
]);
export type AlertAction = z.infer<typeof action>;

const bound = z.strictObject({ min: z.number().optional(), max: z.number().optional() });

/** A monitor definition as written in gyre.config.ts. */
export const monitorSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: "letters, digits, '.', '_' or '-'" }),
  deployment: z.string().min(1),
  /** Feature keys (`prediction.<output>` for model outputs); default: every feature of the reference. */
  features: z.array(z.string().min(1)).optional(),
  /** Drift metrics per feature; default: chosen by sample size (KS/chi² up to 1,000 values, distances above). */
  metrics: z.array(driftMetricInput).optional(),
  window: windowSchema,
  reference: z
    .union([
      z.strictObject({ type: z.literal("profile") }),
      z.strictObject({ type: z.literal("window"), from: time, to: time }),
      z.strictObject({ type: z.literal("window"), first: z.int().min(1) }),
    ])
    .default({ type: "profile" }),
  schedule: z
    .union([
      z.strictObject({ everyMinutes: z.number().positive() }),
      z.strictObject({ everyPredictions: z.int().min(1) }),
    ])
    .optional(),
  minRows: z.int().min(1).default(30),
  /** Keep the deployment's prediction log this long (whole hours); older partitions are deleted by the server. */
  retention: duration.optional(),
  /** Data-quality limits as shares of the window's rows (0–1). */
  quality: z
    .strictObject({
      maxMissingShare: z.number().min(0).max(1).optional(),
      maxOutOfRangeShare: z.number().min(0).max(1).optional(),
      maxUnseenShare: z.number().min(0).max(1).optional(),
      maxTypeErrorShare: z.number().min(0).max(1).optional(),
    })
    .optional(),
  performance: z
    .strictObject({
      prediction: z.string().optional(),
      score: z.string().optional(),
      /** Decision threshold on `score` when the model outputs one probability (predicted = score ≥ threshold). */
      threshold: z.number().min(0).max(1).optional(),
      task: z.enum(["classification", "regression"]).optional(),
      positive: z.string().optional(),
      /** Limits per metric, e.g. { accuracy: { min: 0.8 }, rmse: { max: 12 } }. */
      thresholds: z.record(z.string(), bound).optional(),
      /** Alert when a metric is worse than the version's evaluation metric by more than this (absolute). */
      maxDrop: z.number().positive().optional(),
      minLabels: z.int().min(1).default(30),
    })
    .optional(),
  alert: z
    .strictObject({
      severity: z.enum(["info", "warning", "critical"]).default("warning"),
      /** After actions run for a series, they do not run again for it (nor a pipeline for the monitor) within this time. */
      cooldown: duration.default("1h"),
      actions: z.array(action).default([{ type: "log" }]),
    })
    .default({ severity: "warning", cooldown: "1h", actions: [{ type: "log" }] }),
});
export type MonitorInput = z.input<typeof monitorSchema>;
export type Monitor = z.output<typeof monitorSchema>;

/**
 * A webhook URL as it may be shown: scheme, host and port only. The path and query of a webhook are often
 * its secret (a Slack incoming-webhook URL is the credential), and so are user info and header values.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.pathname !== "/" || u.search !== "" || u.username !== "" || u.password !== "";
    return hidden ? `${u.protocol}//${u.host}/…` : `${u.protocol}//${u.host}/`;
  } catch {
    return "(invalid URL)";
  }
}

/** A monitor as the API and the UI show it: webhook URLs redacted, header values hidden. */
export function publicMonitor(m: Monitor): Monitor {
  const actions = m.alert.actions.map((a) =>
    a.type === "webhook"
      ? {
          ...a,
          url: redactUrl(a.url),
          ...(a.headers
            ? { headers: Object.fromEntries(Object.keys(a.headers).map((k) => [k, "(hidden)"])) }
            : {}),
        }
      : a,
  );
  return { ...m, alert: { ...m.alert, actions } };
}
