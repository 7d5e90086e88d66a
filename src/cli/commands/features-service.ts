import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { GyreError } from "../../core/index.js";
import {
  type FeatureDefinition,
  type FeatureStore,
  loadFeatureDefinitions,
  openFeatureStore,
  type StoredDefinition,
} from "../../features/index.js";
import { cliConfig, globalOptions } from "../context.js";

/** The module definitions come from: `file`, else gyre.config.ts (or --config) when it exists. */
function definitionsModule(cmd: Command, file: string | undefined): string | null {
  if (file) return resolve(file);
  const config = resolve(globalOptions(cmd).config ?? "gyre.config.ts");
  return existsSync(config) ? config : null;
}

/** The feature definitions of gyre.config.ts (or --config), none without one, and the directory they are in. */
export async function featureDefinitions(
  cmd: Command,
): Promise<{ features: FeatureDefinition[]; featuresDir: string }> {
  const module = definitionsModule(cmd, undefined);
  return module
    ? { features: await loadFeatureDefinitions(module), featuresDir: dirname(module) }
    : { features: [], featuresDir: process.cwd() };
}

/**
 * Opens the feature store on the configured stores with the definitions of `file` (or gyre.config.ts)
 * registered, runs `fn`, and closes it. Relative source paths resolve against the module's directory.
 */
export async function withFeatures<T>(
  cmd: Command,
  fn: (fs: FeatureStore, defs: FeatureDefinition[]) => Promise<T>,
  file?: string,
): Promise<T> {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre features` works on the database (sqlite://…, postgres://…); use POST /api/v1/features/online for a server",
      { field: "store" },
    );
  }
  const module = definitionsModule(cmd, file);
  const defs = module ? await loadFeatureDefinitions(module) : [];
  const fs = await openFeatureStore(config, { projectDir: module ? dirname(module) : process.cwd() });
  try {
    fs.register(defs);
    return await fn(fs, defs);
  } finally {
    await fs.close();
  }
}

/** Commander parser for a time: ISO 8601 (UTC unless it says otherwise) or ms since the epoch. */
export function parseTime(value: string): number {
  const ms = /^\d+$/.test(value)
    ? Number(value)
    : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes("T") ? value : `${value}Z`);
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError(
      "expected an ISO time (2001-03-01 or 2001-03-01T12:00:00Z) or ms since the epoch",
    );
  return ms;
}

/** Commander parser for a repeatable `--entity k=v[,k2=v2]`: one entity row per flag. */
export function parseEntity(
  value: string,
  previous: Array<Record<string, string>> = [],
): Array<Record<string, string>> {
  const row: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InvalidArgumentError("expected key=value, e.g. --entity origin=ATL");
    row[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return [...previous, row];
}

/** Entity rows typed for lookup: string join keys stay strings, other numeric values become numbers. */
export function typedEntityRows(
  rows: Array<Record<string, string>>,
  defs: StoredDefinition[],
): Array<Record<string, string | number>> {
  const stringKeys = new Set<string>();
  for (const d of defs)
    if (d.kind === "entity")
      for (const [k, t] of Object.entries(d.spec.joinKeys as Record<string, string>))
        if (t === "string") stringKeys.add(k);
  const typed = (k: string, v: string) => (!stringKeys.has(k) && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typed(k, v)])));
}
