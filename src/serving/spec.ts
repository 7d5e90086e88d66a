import { z } from "zod";
import { GyreError } from "../core/errors.js";
import type { Deployment, ModelRef, TrafficPolicy } from "./types.js";

/** Defaults of dynamic batching: up to 64 rows per call, no added wait (batches form while the runtime is busy). */
export const BATCHING_DEFAULTS = Object.freeze({ maxBatchSize: 64, maxWaitMs: 0 });

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const REF = /^(?:models:\/)?([^@/\s]+)(?:@([A-Za-z0-9_-]+)|\/(\d+))$/;

const modelRef = z
  .string()
  .regex(REF, { message: "expected 'model@alias' or 'model/version', e.g. flights@champion" });
const percent = z.number().min(0).max(100);

/** A deployment as users write it in `gyre.config.ts` (`export const deployments = [...]`) or send to the API. */
export const deploymentSpecSchema = z
  .strictObject({
    name: z.string().regex(NAME, { message: "letters, digits, '_', '.', '-'; at most 128 characters" }),
    /** The primary model: `flights@champion` follows the alias, `flights/3` pins a version. */
    model: modelRef.optional(),
    canary: z.strictObject({ model: modelRef, percent, stickyKey: z.string().min(1).optional() }).optional(),
    ab: z
      .strictObject({
        variants: z
          .array(z.strictObject({ name: z.string().regex(NAME), model: modelRef, weight: z.number().min(0) }))
          .min(2),
        stickyKey: z.string().min(1).optional(),
      })
      .optional(),
    shadow: z.strictObject({ model: modelRef, sampleRate: z.number().min(0).max(1).optional() }).optional(),
    features: z
      .strictObject({ service: z.string().min(1), entityKeys: z.array(z.string().min(1)).min(1) })
      .optional(),
    batching: z
      .strictObject({
        maxBatchSize: z.number().int().min(1).max(100_000).optional(),
        maxWaitMs: z.number().min(0).max(1000).optional(),
      })
      .optional(),
    description: z.string().max(5000).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.ab && (s.model || s.canary))
      ctx.addIssue({
        code: "custom",
        path: ["ab"],
        message: "an A/B deployment names its models in ab.variants only (no model or canary)",
      });
    if (!s.ab && !s.model)
      ctx.addIssue({ code: "custom", path: ["model"], message: "required (or give ab.variants)" });
    const names = s.ab?.variants.map((v) => v.name) ?? [];
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: "custom", path: ["ab", "variants"], message: "variant names must be unique" });
    if (names.includes("shadow"))
      ctx.addIssue({ code: "custom", path: ["ab", "variants"], message: "'shadow' is reserved" });
    if (s.ab?.variants.every((v) => v.weight === 0))
      ctx.addIssue({
        code: "custom",
        path: ["ab", "variants"],
        message: "at least one weight must be positive",
      });
  });

/** A deployment as written by users; see `deploymentSpecSchema`. */
export type DeploymentSpec = z.input<typeof deploymentSpecSchema>;

/** Parses `models:/flights@champion`, `flights@champion` or `flights/3`; throws SERVING_DEPLOYMENT_INVALID. */
export function parseModelRef(text: string, field = "model"): ModelRef {
  const m = REF.exec(text);
  if (!m) {
    throw new GyreError(
      "SERVING_DEPLOYMENT_INVALID",
      `Invalid model reference '${text}': expected 'model@alias' or 'model/version', e.g. flights@champion`,
      { field },
    );
  }
  return m[2] ? { model: m[1]!, alias: m[2] } : { model: m[1]!, version: Number(m[3]) };
}

/** `flights@champion` or `flights/3`. */
export function formatModelRef(ref: ModelRef): string {
  return ref.alias !== undefined ? `${ref.model}@${ref.alias}` : `${ref.model}/${ref.version}`;
}

/** Validates a spec; throws SERVING_DEPLOYMENT_INVALID naming the first bad field (prefixed with `at`). */
export function checkSpec(value: unknown, at = ""): z.output<typeof deploymentSpecSchema> {
  const res = deploymentSpecSchema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const field =
    [at, ...issue.path.map(String), ...keys.slice(0, 1)].filter(Boolean).join(".") || "deployment";
  throw new GyreError("SERVING_DEPLOYMENT_INVALID", `Invalid deployment '${field}': ${issue.message}`, {
    field,
  });
}

function trafficOf(s: z.output<typeof deploymentSpecSchema>): TrafficPolicy {
  const shadow = s.shadow
    ? { ref: parseModelRef(s.shadow.model, "shadow.model"), sampleRate: s.shadow.sampleRate ?? 1 }
    : null;
  if (s.ab) {
    const total = s.ab.variants.reduce((a, v) => a + v.weight, 0);
    const variants = s.ab.variants.map((v, i) => ({
      name: v.name,
      ref: parseModelRef(v.model, `ab.variants.${i}.model`),
      weight: (v.weight / total) * 100,
    }));
    return { variants, stickyKey: s.ab.stickyKey ?? null, shadow };
  }
  const primary = { name: "primary", ref: parseModelRef(s.model!), weight: 100 - (s.canary?.percent ?? 0) };
  if (!s.canary) return { variants: [primary], stickyKey: null, shadow };
  const canary = {
    name: "canary",
    ref: parseModelRef(s.canary.model, "canary.model"),
    weight: s.canary.percent,
  };
  return { variants: [primary, canary], stickyKey: s.canary.stickyKey ?? null, shadow };
}

/** Validates and normalises a user spec into a Deployment. Throws SERVING_DEPLOYMENT_INVALID. */
export function normaliseDeployment(value: unknown, origin: Deployment["origin"], at = ""): Deployment {
  const s = checkSpec(value, at);
  return {
    name: s.name,
    traffic: trafficOf(s),
    features: s.features ? { service: s.features.service, entityKeys: [...s.features.entityKeys] } : null,
    batching: { ...BATCHING_DEFAULTS, ...s.batching },
    origin,
    description: s.description ?? null,
    spec: s as Record<string, unknown>,
  };
}

/** Every model reference a deployment serves (variants, then shadow), with the variant name. */
export function deploymentRefs(d: Deployment): { variant: string; ref: ModelRef }[] {
  const out = d.traffic.variants.map((v) => ({ variant: v.name, ref: v.ref }));
  if (d.traffic.shadow) out.push({ variant: "shadow", ref: d.traffic.shadow.ref });
  return out;
}
