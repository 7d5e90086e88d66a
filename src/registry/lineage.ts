import { isGyreError } from "../core/errors.js";
import type { Comparison, Run, TrackingClient } from "../metadata/index.js";
import type { RegistryStore } from "./store.js";
import type { LineageEdge, LineageGraph, LineageNode, ModelVersion } from "./types.js";

/** The lineage graph is built from the tracking service's view of runs, never from its tables. */

const GIT_COMMIT = "mlflow.source.git.commit";
const DATA_CONTEXT = "mlflow.data.context";

function tag(run: Run, key: string): string | null {
  return run.data.tags.find((t) => t.key === key)?.value ?? null;
}

/** Node id of a model version: `model_version:<name>/<version>`. */
export function versionNodeId(v: { name: string; version: number }): string {
  return `model_version:${v.name}/${v.version}`;
}

function versionNode(v: ModelVersion): LineageNode {
  return {
    id: versionNodeId(v),
    kind: "model_version",
    label: `${v.name} v${v.version}`,
    attributes: {
      name: v.name,
      version: v.version,
      status: v.status,
      source: v.source,
      flavor: v.flavor,
      aliases: v.aliases,
      creationTimestamp: v.creationTimestamp,
    },
  };
}

function runNodes(run: Run, target: string): { nodes: LineageNode[]; edges: LineageEdge[] } {
  const runId = `run:${run.info.runId}`;
  const nodes: LineageNode[] = [
    {
      id: runId,
      kind: "run",
      label: run.info.runName || run.info.runId,
      attributes: {
        runId: run.info.runId,
        runName: run.info.runName,
        experimentId: run.info.experimentId,
        status: run.info.status,
        startTime: run.info.startTime,
        userId: run.info.userId,
      },
    },
  ];
  const edges: LineageEdge[] = [{ from: runId, to: target, kind: "produced" }];
  for (const input of run.inputs.datasetInputs) {
    const ds = input.dataset;
    const id = `dataset:${ds.digest}`;
    if (!nodes.some((n) => n.id === id)) {
      const context = input.tags.find((t) => t.key === DATA_CONTEXT)?.value ?? null;
      nodes.push({
        id,
        kind: "dataset",
        label: ds.name,
        attributes: {
          name: ds.name,
          digest: ds.digest,
          sourceType: ds.sourceType,
          source: ds.source,
          context,
        },
      });
      edges.push({ from: id, to: runId, kind: "input_to" });
    }
  }
  const commit = tag(run, GIT_COMMIT);
  if (commit) {
    nodes.push({
      id: `commit:${commit}`,
      kind: "commit",
      label: commit.slice(0, 12),
      attributes: {
        commit,
        branch: tag(run, "mlflow.source.git.branch"),
        repoUrl: tag(run, "mlflow.source.git.repoURL"),
        dirty:
          tag(run, "gyre.source.git.dirty") === null ? null : tag(run, "gyre.source.git.dirty") === "true",
      },
    });
    edges.push({ from: `commit:${commit}`, to: runId, kind: "source_of" });
  }
  return { nodes, edges };
}

/**
 * The upstream graph of `version`: the version, its source run, the run's dataset inputs and git commit.
 * A run that no longer exists appears as a run node with `missing: true` and nothing upstream of it.
 */
export async function buildLineage(tracking: TrackingClient, version: ModelVersion): Promise<LineageGraph> {
  const root = versionNodeId(version);
  const graph: LineageGraph = { root, nodes: [versionNode(version)], edges: [] };
  if (!version.runId) return graph;
  let run: Run;
  try {
    run = await tracking.getRun(version.runId);
  } catch (e) {
    if (!isGyreError(e) || e.code !== "TRACKING_RUN_NOT_FOUND") throw e;
    const id = `run:${version.runId}`;
    graph.nodes.push({
      id,
      kind: "run",
      label: version.runId,
      attributes: { runId: version.runId, missing: true },
    });
    graph.edges.push({ from: id, to: root, kind: "produced" });
    return graph;
  }
  const upstream = runNodes(run, root);
  graph.nodes.push(...upstream.nodes);
  graph.edges.push(...upstream.edges);
  return graph;
}

/** Ids of every run (active or deleted, in any experiment) that consumed a dataset with `digest`. */
async function runsUsingDataset(tracking: TrackingClient, digest: string): Promise<string[]> {
  const experimentIds: string[] = [];
  let token: string | undefined;
  do {
    const page = await tracking.searchExperiments({ viewType: "ALL", maxResults: 50_000, pageToken: token });
    experimentIds.push(...page.items.map((e) => e.experimentId));
    token = page.nextPageToken ?? undefined;
  } while (token);
  if (experimentIds.length === 0) return [];
  const filter = `datasets.digest = '${digest.replaceAll("'", "''")}'`;
  const runIds: string[] = [];
  do {
    const page = await tracking.searchRuns({
      experimentIds,
      filter,
      viewType: "ALL",
      maxResults: 50_000,
      pageToken: token,
    });
    runIds.push(...page.items.map((r) => r.info.runId));
    token = page.nextPageToken ?? undefined;
  } while (token);
  return runIds;
}

/** Model versions whose source run consumed a dataset with `digest`, newest first. */
export async function versionsUsingDataset(
  tracking: TrackingClient,
  store: RegistryStore,
  digest: string,
): Promise<ModelVersion[]> {
  const runIds = await runsUsingDataset(tracking, digest);
  const out: ModelVersion[] = [];
  for (let i = 0; i < runIds.length; i += 400) {
    const value = runIds.slice(i, i + 400);
    const filter: Comparison = { kind: "cmp", entity: "attributes", key: "run_id", op: "IN", value, pos: 0 };
    const q = { filter, orderBy: [], offset: 0, limit: Number.MAX_SAFE_INTEGER };
    out.push(...(await store.searchModelVersions(q)));
  }
  return out.sort((a, b) => b.creationTimestamp - a.creationTimestamp || a.name.localeCompare(b.name));
}
