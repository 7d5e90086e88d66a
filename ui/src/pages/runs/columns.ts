import type { Run } from "../../api/types.js";
import { formatDuration, formatNumber, formatTime } from "../../lib/format.js";

/** A runs-table column: a run attribute, or one metric, param or tag by key. Ids look like `m:loss`. */
export interface Column {
  id: string;
  kind: "attr" | "metric" | "param" | "tag";
  key: string;
  label: string;
  width: number;
  /** The API's order_by column, or null when the column cannot be sorted by the server. */
  sortKey: string | null;
  value(run: Run): string;
  numeric?: boolean;
}

const quote = (key: string) => (/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/.test(key) ? key : `\`${key}\``);

const ATTRS: Column[] = [
  attr("name", "Run", 220, "attributes.run_name", (r) => r.info.runName),
  attr("status", "Status", 100, "attributes.status", (r) => r.info.status),
  attr("start", "Started", 170, "attributes.start_time", (r) => formatTime(r.info.startTime)),
  attr("duration", "Duration", 100, null, (r) =>
    formatDuration(r.info.endTime ? r.info.endTime - r.info.startTime : null),
  ),
  attr("user", "User", 110, "attributes.user_id", (r) => r.info.userId),
];

function attr(
  key: string,
  label: string,
  width: number,
  sortKey: string | null,
  value: (r: Run) => string,
): Column {
  return { id: `a:${key}`, kind: "attr", key, label, width, sortKey, value };
}

/** Builds a column from its id (`a:start`, `m:loss`, `p:lr`, `t:stage`); null for an unknown id. */
export function columnFor(id: string): Column | null {
  const kind = id.slice(0, 2);
  const key = id.slice(2);
  if (kind === "a:") return ATTRS.find((c) => c.id === id) ?? null;
  if (kind === "m:")
    return {
      id,
      kind: "metric",
      key,
      label: key,
      width: 110,
      numeric: true,
      sortKey: `metrics.${quote(key)}`,
      value: (r) => formatNumber(r.data.metrics.find((m) => m.key === key)?.value),
    };
  if (kind === "p:" || kind === "t:") {
    const isParam = kind === "p:";
    return {
      id,
      kind: isParam ? "param" : "tag",
      key,
      label: key,
      width: 120,
      sortKey: `${isParam ? "params" : "tags"}.${quote(key)}`,
      value: (r) => (isParam ? r.data.params : r.data.tags).find((t) => t.key === key)?.value ?? "",
    };
  }
  return null;
}

export const ATTRIBUTE_IDS = ATTRS.map((c) => c.id);

/** Keys seen in `runs`, sorted: what the column picker offers. System tags (mlflow.*, gyre.*) last. */
export function keysOf(runs: Run[]): { metric: string[]; param: string[]; tag: string[] } {
  const m = new Set<string>();
  const p = new Set<string>();
  const t = new Set<string>();
  for (const r of runs.slice(0, 2000)) {
    for (const x of r.data.metrics) m.add(x.key);
    for (const x of r.data.params) p.add(x.key);
    for (const x of r.data.tags) t.add(x.key);
  }
  const sys = (k: string) => /^(mlflow|gyre)\./.test(k);
  const tags = [...t].sort((a, b) => Number(sys(a)) - Number(sys(b)) || a.localeCompare(b));
  return { metric: [...m].sort(), param: [...p].sort(), tag: tags };
}

/** Default columns: the attributes, then up to 6 metrics and 4 params of the loaded runs. */
export function defaultColumns(runs: Run[]): string[] {
  const k = keysOf(runs);
  return [
    ...ATTRIBUTE_IDS,
    ...k.metric.slice(0, 6).map((x) => `m:${x}`),
    ...k.param.slice(0, 4).map((x) => `p:${x}`),
  ];
}
