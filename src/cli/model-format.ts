import type {
  AliasHistory,
  LineageGraph,
  LineageNode,
  ModelVersion,
  RegisteredModel,
} from "../registry/index.js";
import { formatTime, printFields, printTable } from "./output.js";

/** Human-readable printing of registry entities for `gyre models …`. */

function aliasList(m: RegisteredModel): string {
  return m.aliases.map((a) => `${a.alias}→v${a.version}`).join(", ") || "-";
}

/** One row per registered model. */
export function printModels(items: RegisteredModel[]): void {
  if (items.length === 0) {
    process.stdout.write(
      "No registered models found. Register one from a run with the MLflow client or the SDK\n",
    );
    return;
  }
  const rows = items.map((m) => [
    m.name,
    m.latestVersions[0] ? `v${m.latestVersions[0].version}` : "-",
    aliasList(m),
    formatTime(m.lastUpdatedTimestamp),
    m.description ?? "",
  ]);
  printTable(["NAME", "LATEST", "ALIASES", "UPDATED (UTC)", "DESCRIPTION"], rows);
}

/** A model's fields, tags and aliases. */
export function printModel(m: RegisteredModel): void {
  process.stdout.write(`Registered model '${m.name}'\n`);
  printFields([
    ["description", m.description || "-"],
    ["latest version", m.latestVersions[0] ? String(m.latestVersions[0].version) : "-"],
    ["aliases", aliasList(m)],
    ["created (UTC)", formatTime(m.creationTimestamp)],
    ["updated (UTC)", formatTime(m.lastUpdatedTimestamp)],
    ["tags", m.tags.map((t) => `${t.key}=${t.value}`).join(", ") || "-"],
  ]);
}

/** One row per version, with status (and why registration failed). */
export function printVersions(items: ModelVersion[]): void {
  if (items.length === 0) {
    process.stdout.write("No versions found.\n");
    return;
  }
  const rows = items.map((v) => [
    String(v.version),
    v.status === "FAILED_REGISTRATION" && v.statusMessage ? `${v.status}: ${v.statusMessage}` : v.status,
    v.aliases.join(", ") || "-",
    v.flavor ?? "-",
    v.runId ?? "-",
    formatTime(v.creationTimestamp),
    v.source,
  ]);
  printTable(["VERSION", "STATUS", "ALIASES", "FLAVOR", "RUN", "CREATED (UTC)", "SOURCE"], rows);
}

const show = (v: number | null) => (v === null ? "-" : `v${v}`);

/** The alias's changes, oldest first, then where it pointed at the requested moment. */
export function printAliasHistory(h: AliasHistory): void {
  if (h.events.length === 0) {
    process.stdout.write(
      `Alias '${h.alias}' of '${h.name}' has no recorded changes${h.at === null ? "" : " by then"}.\n`,
    );
    return;
  }
  const rows = h.events.map((e) => [
    formatTime(e.timestamp),
    e.fromVersion === null ? "set" : e.toVersion === null ? "delete" : "move",
    show(e.fromVersion),
    show(e.toVersion),
    e.userId || "-",
    e.reason ?? "",
  ]);
  printTable(["WHEN (UTC)", "CHANGE", "FROM", "TO", "USER", "REASON"], rows);
  const target =
    h.at === null
      ? h.version === null
        ? "Now it is not set"
        : `Now it points to version ${h.version}`
      : `At ${formatTime(h.at)} UTC ${h.version === null ? "it was not set" : `it pointed to version ${h.version}`}`;
  process.stdout.write(`${target}.\n`);
}

function describeNode(n: LineageNode): string {
  const a = n.attributes;
  switch (n.kind) {
    case "run":
      return a.missing
        ? `run ${String(a.runId)} (no longer exists)`
        : `run ${String(a.runId)} (${n.label}, ${String(a.status)})`;
    case "dataset":
      return `dataset ${n.label} digest=${String(a.digest)}${a.context ? ` context=${String(a.context)}` : ""}`;
    case "commit":
      return `commit ${String(a.commit)}${a.branch ? ` (${String(a.branch)})` : ""}${a.dirty ? " dirty" : ""}`;
    default:
      return `${n.label} [${String(a.status)}]`;
  }
}

/** The upstream graph as an indented tree under the model version. */
export function printLineage(g: LineageGraph): void {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const walk = (id: string, depth: number, seen: Set<string>): void => {
    const node = byId.get(id);
    if (!node) return;
    const pad = depth === 0 ? "" : `${"  ".repeat(depth)}← `;
    process.stdout.write(`${pad}${describeNode(node)}\n`);
    if (seen.has(id)) return;
    seen.add(id);
    for (const e of g.edges.filter((x) => x.to === id)) walk(e.from, depth + 1, seen);
  };
  walk(g.root, 0, new Set());
}
