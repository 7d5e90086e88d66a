import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { openArtifactStore } from "../../artifacts/index.js";
import { GyreError } from "../../core/index.js";
import { openMetadataStore, TrackingService } from "../../metadata/index.js";
import {
  loadMonitors,
  type Monitor,
  type MonitoringService,
  monitoringFor,
  pipelineTrigger,
} from "../../monitoring/index.js";
import { pipelinesFor, type RunHandle } from "../../pipelines/index.js";
import { registryFor } from "../../registry/index.js";
import { cliConfig, globalOptions } from "../context.js";
import { pipelineDefinitions } from "./pipeline-service.js";

/** Monitors of gyre.config.ts (or --config) when it exists; none otherwise. */
export async function monitorDefinitions(cmd: Command): Promise<Monitor[]> {
  const config = resolve(globalOptions(cmd).config ?? "gyre.config.ts");
  return existsSync(config) ? loadMonitors(config) : [];
}

/**
 * Opens monitoring on the configured database (monitors from the config, pipelines for retraining actions),
 * runs `fn`, waits for pipeline runs its alerts started, and closes everything.
 */
export async function withMonitoring<T>(
  cmd: Command,
  fn: (svc: MonitoringService) => Promise<T>,
): Promise<T> {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre monitor` reads the prediction log itself: point --store at the database (sqlite://…, postgres://…) and --artifacts at the file:// store",
      { field: "store" },
    );
  }
  const tracking = new TrackingService(
    await openMetadataStore(config.store),
    await openArtifactStore(config.artifacts),
  );
  const registry = await registryFor(tracking);
  const pipelines = await pipelinesFor(tracking, { trackingUri: config.store });
  const started: RunHandle[] = [];
  try {
    pipelines.register(...(await pipelineDefinitions(cmd, undefined)));
    const svc = await monitoringFor(tracking, {
      artifacts: config.artifacts,
      registry,
      monitors: await monitorDefinitions(cmd),
      actions: { trigger: pipelineTrigger(pipelines, tracking, (h) => started.push(h)) },
    });
    try {
      const out = await fn(svc);
      await Promise.allSettled(started.map((h) => h.done));
      return out;
    } finally {
      await svc.close();
    }
  } finally {
    await pipelines.close();
    await registry.close();
    await tracking.close();
  }
}
