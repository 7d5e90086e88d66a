import dagre from "@dagrejs/dagre";
import { Background, Controls, type Edge, MarkerType, type Node, ReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";

/** A node to lay out: its label (any React content), CSS class and size. */
export interface GraphNode {
  id: string;
  label: React.ReactNode;
  className?: string;
  width?: number;
  height?: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  animated?: boolean;
}

const W = 180;
const H = 56;

/** Positions nodes left to right with dagre (top-left corners, as React Flow wants them). */
function layout(nodes: GraphNode[], edges: GraphEdge[]): Node[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width ?? W, height: n.height ?? H });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    const w = n.width ?? W;
    const h = n.height ?? H;
    return {
      id: n.id,
      data: { label: n.label },
      position: { x: (p?.x ?? 0) - w / 2, y: (p?.y ?? 0) - h / 2 },
      className: `graph-node ${n.className ?? ""}`,
      style: { width: w, height: h },
      sourcePosition: "right",
      targetPosition: "left",
      connectable: false,
      draggable: false,
    } as Node;
  });
}

/** A read-only directed graph (pipeline DAG, lineage) laid out automatically with dagre. */
export function Graph(props: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  height?: number;
  onNodeClick?: (id: string) => void;
  testId?: string;
}) {
  const { nodes, edges, onNodeClick } = props;
  const shape = `${nodes.map((n) => n.id).join(",")}|${edges.map((e) => `${e.from}>${e.to}`).join(",")}`;
  // Layout only when the graph's shape changes, so live status updates do not move nodes around.
  // biome-ignore lint/correctness/useExhaustiveDependencies: shape stands for nodes and edges here
  const positions = useMemo(() => layout(nodes, edges), [shape]);
  const flowNodes = useMemo(
    () =>
      positions.map((p, i) => ({
        ...p,
        data: { label: nodes[i]?.label },
        className: `graph-node ${nodes[i]?.className ?? ""}`,
      })),
    [positions, nodes],
  );
  const flowEdges: Edge[] = useMemo(
    () =>
      edges.map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        label: e.label,
        animated: e.animated,
        markerEnd: { type: MarkerType.ArrowClosed },
      })),
    [edges],
  );
  return (
    <div className="graph" style={{ height: props.height ?? 360 }} data-testid={props.testId}>
      <ReactFlow
        nodes={flowNodes}
        edges={flowEdges}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, n) => onNodeClick?.(n.id)}
        minZoom={0.2}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
