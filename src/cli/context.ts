import type { Command } from "commander";
import { type GyreConfig, GyreError, isGyreError, loadConfig, type UserConfig } from "../core/index.js";
import { type Experiment, openTracking, type TrackingClient } from "../metadata/index.js";
import { openRegistry, type RegistryClient } from "../registry/index.js";

/** The options declared once on the program and accepted after any command. */
export interface GlobalOptions {
  store?: string;
  artifacts?: string;
  config?: string;
  json?: boolean;
}

/** The global options as seen from `cmd`, whichever position they were given in. */
export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * Loads the configuration for this invocation: defaults → gyre.config.ts (or --config) → GYRE_* → flags,
 * where `flags` are the command's own settings on top of --store/--artifacts. Throws CONFIG_INVALID.
 */
export function cliConfig(cmd: Command, flags: UserConfig = {}): Promise<GyreConfig> {
  const opts = globalOptions(cmd);
  return loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    flags: { store: opts.store, artifacts: opts.artifacts, ...flags },
  });
}

/** Opens a tracking client for the configured store, runs `fn` with it and always closes it. */
export async function withTracking<T>(cmd: Command, fn: (client: TrackingClient) => Promise<T>): Promise<T> {
  const config = await cliConfig(cmd);
  const client = await openTracking({ store: config.store, artifacts: config.artifacts });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Opens a registry client for the configured store (in-process or HTTP), runs `fn` with it and always closes it. */
export async function withRegistry<T>(cmd: Command, fn: (client: RegistryClient) => Promise<T>): Promise<T> {
  const config = await cliConfig(cmd);
  const client = await openRegistry({ store: config.store, artifacts: config.artifacts });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/**
 * Finds an experiment by id (when `ref` is all digits and such an id exists) or else by name.
 * Throws TRACKING_EXPERIMENT_NOT_FOUND telling the user how to list experiments.
 */
export async function resolveExperiment(client: TrackingClient, ref: string): Promise<Experiment> {
  if (/^\d+$/.test(ref)) {
    try {
      return await client.getExperiment(ref);
    } catch (e) {
      if (!isGyreError(e) || e.code !== "TRACKING_EXPERIMENT_NOT_FOUND") throw e;
    }
  }
  const byName = await client.getExperimentByName(ref);
  if (byName) return byName;
  throw new GyreError(
    "TRACKING_EXPERIMENT_NOT_FOUND",
    `Experiment '${ref}' not found — list them with \`gyre experiments list\``,
    { field: "experiment" },
  );
}
