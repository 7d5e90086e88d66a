/** The lineage graph's downstream part: version → the deployments serving it → the monitors watching them. */
import { deploymentsServing } from "../../api/deployments.js";
import { listMonitors } from "../../api/monitoring.js";
import type { LineageGraph } from "../../api/types.js";

const pct = (w: number) => `${Math.round(w * 10) / 10}%`;

/**
 * Deployment nodes (`deployment:<name>`, labelled with the variants serving the version and their shares)
 * with a `serves` edge from the version, and monitor nodes (`monitor:<name>`) of those deployments. Monitors are
 * asked for only when a deployment serves the version.
 */
export async function downstreamOf(
  model: string,
  version: number,
  signal?: AbortSignal,
): Promise<Pick<LineageGraph, "nodes" | "edges">> {
  const uses = await deploymentsServing(model, version, signal);
  if (uses.length === 0) return { nodes: [], edges: [] };
  const root = `model_version:${model}/${version}`;
  const names = [...new Set(uses.map((u) => u.deployment))];
  // One node and one edge per deployment; the node names the variants (shares are on its page).
  const nodes: LineageGraph["nodes"] = names.map((d) => ({
    id: `deployment:${d}`,
    kind: "deployment",
    label: `${d} (${uses
      .filter((u) => u.deployment === d)
      .map((u) => (u.variant === "shadow" ? "shadow" : `${u.variant} ${pct(u.weight)}`))
      .join(", ")})`,
    attributes: { deployment: d },
  }));
  const edges: LineageGraph["edges"] = names.map((d) => ({
    from: root,
    to: `deployment:${d}`,
    kind: "serves",
  }));
  for (const m of await listMonitors(signal)) {
    if (!names.includes(m.monitor.deployment)) continue;
    nodes.push({ id: `monitor:${m.monitor.name}`, kind: "monitor", label: m.monitor.name, attributes: {} });
    edges.push({
      from: `deployment:${m.monitor.deployment}`,
      to: `monitor:${m.monitor.name}`,
      kind: "watched by",
    });
  }
  return { nodes, edges };
}
