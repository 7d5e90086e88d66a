/**
 * Monitors as code: the `monitors` named export of `gyre.config.ts` (an array or a record), validated with
 * zod. A monitor names a deployment, features, metrics, a window, a reference, a schedule (every N minutes
 * or every N predictions), thresholds and what to do when an alert fires.
 */
import { existsSync } from "node:fs";
import { GyreError } from "../core/errors.js";
import { importModule } from "../core/module.js";
import { type Monitor, type MonitorInput, monitorSchema } from "./monitor-schema.js";

export {
  type AlertAction,
  type Monitor,
  type MonitorInput,
  monitorSchema,
  publicMonitor,
  redactUrl,
} from "./monitor-schema.js";

/** Identity helper that type-checks a monitor in gyre.config.ts. */
export function defineMonitor(monitor: MonitorInput): MonitorInput {
  return monitor;
}

/** Validates one monitor; throws MONITOR_INVALID naming the field (`monitors[2].window.size`). */
export function parseMonitor(raw: unknown, at = "monitor"): Monitor {
  const r = monitorSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [at, ...issue.path.map(String)].join(".");
  throw new GyreError("MONITOR_INVALID", `${field}: ${issue.message}`, { field });
}

/** The monitors of a module's `monitors` export (array or record; a record's keys name unnamed monitors). */
export async function loadMonitors(file: string): Promise<Monitor[]> {
  if (!existsSync(file)) return [];
  const mod = await importModule(file);
  const listed = mod.monitors ?? (mod.default as Record<string, unknown> | undefined)?.monitors;
  if (listed === undefined) return [];
  const entries = Array.isArray(listed)
    ? listed.map((m, i) => [`monitors[${i}]`, m] as const)
    : Object.entries(listed as object).map(
        ([k, m]) => [`monitors.${k}`, { name: k, ...(m as object) }] as const,
      );
  const monitors = entries.map(([at, m]) => parseMonitor(m, at));
  const seen = new Set<string>();
  for (const m of monitors) {
    if (seen.has(m.name))
      throw new GyreError("MONITOR_INVALID", `Two monitors are named '${m.name}'`, { field: "monitors" });
    seen.add(m.name);
  }
  return monitors;
}

/** Epoch ms of a config time (ISO string or epoch ms). */
export function toEpochMs(t: string | number): number {
  return typeof t === "number" ? t : Date.parse(t);
}
