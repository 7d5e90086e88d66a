import { join } from "node:path";
import { importModule } from "../../core/module.js";
import type { Expectations } from "../../data/index.js";
import { type FeatureDefinition, loadFeatureDefinitions } from "../../features/index.js";
import { loadMonitors, type Monitor } from "../../monitoring/index.js";
import { loadPipelines, type PipelineDef } from "../../pipelines/index.js";
import type { DeploymentSpec } from "../../serving/index.js";
import { PROJECT_DIR } from "./workspace.js";

/** What the demo drives: the exports of examples/flights/gyre.config.ts, an ordinary gyre project. */
export interface FlightsProject {
  dir: string;
  dataset: { name: string; file: string; expectations: Expectations };
  features: FeatureDefinition[];
  pipelines: PipelineDef[];
  monitors: Monitor[];
  deployment: DeploymentSpec;
}

export async function loadFlightsProject(): Promise<FlightsProject> {
  const file = join(PROJECT_DIR, "gyre.config.ts");
  const mod = await importModule(file, "config");
  const [features, pipelines, monitors] = await Promise.all([
    loadFeatureDefinitions(file),
    loadPipelines(file),
    loadMonitors(file),
  ]);
  return {
    dir: PROJECT_DIR,
    dataset: mod.flightsDataset as FlightsProject["dataset"],
    features,
    pipelines,
    monitors,
    deployment: mod.flightsDeployment as DeploymentSpec,
  };
}
