/**
 * Where the prediction log lives (the contract shared with serving): hive-partitioned Parquet under the
 * artifact store's root, `<root>/predictions/deployment=<d>/hour=<YYYY-MM-DDTHH>/part-*.parquet`.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GyreError } from "../../core/errors.js";

const DEPLOYMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The local directory of a `file://` artifact store URI; the log needs files DuckDB can read. */
export function logRootOf(artifacts: string): string {
  if (!artifacts.startsWith("file:")) {
    throw new GyreError(
      "CONFIG_INVALID",
      `Monitoring reads the prediction log from a file:// artifact store; got '${artifacts}'. Point GYRE_ARTIFACTS at a file:// directory (S3 comes with the scale-out work).`,
      { field: "artifacts" },
    );
  }
  const path =
    artifacts.startsWith("file://") && !artifacts.startsWith("file:///")
      ? artifacts.slice(7)
      : fileURLToPath(artifacts);
  return isAbsolute(path) ? path : resolve(path);
}

/** Throws MONITOR_INVALID_DEPLOYMENT unless `name` is a deployment name that is safe in a path and in SQL. */
export function checkDeployment(name: string): string {
  if (!DEPLOYMENT.test(name)) {
    throw new GyreError(
      "MONITOR_INVALID_DEPLOYMENT",
      `'${name}' is not a deployment name: use 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { field: "deployment" },
    );
  }
  return name;
}

/** The directory of one deployment's log. */
export function deploymentDir(root: string, deployment: string): string {
  return join(root, "predictions", `deployment=${checkDeployment(deployment)}`);
}

/** True when the deployment has at least one finished (non-.tmp) Parquet file. */
export function hasLog(root: string, deployment: string): boolean {
  const dir = deploymentDir(root, deployment);
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((hour) => readdirSync(join(dir, hour)).some((f) => f.endsWith(".parquet")));
}

/** Deployments with a log directory, sorted. */
export function loggedDeployments(root: string): string[] {
  const dir = join(root, "predictions");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => d.startsWith("deployment="))
    .map((d) => d.slice("deployment=".length))
    .sort();
}

/** `read_parquet(...)` over one deployment's finished files, as a SQL table expression. */
export function logTable(root: string, deployment: string): string {
  const glob = join(deploymentDir(root, deployment), "*", "*.parquet");
  return `read_parquet('${glob.replaceAll("'", "''")}', hive_partitioning = true, union_by_name = true)`;
}

/** A JSON pointer (RFC 6901) for one top-level key (plus an optional raw `suffix`), as a SQL string literal. */
export function jsonPointer(key: string, suffix = ""): string {
  const pointer = `/${key.replaceAll("~", "~0").replaceAll("/", "~1")}${suffix}`;
  return `'${pointer.replaceAll("'", "''")}'`;
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Deletes whole hour partitions of a deployment's log that end at or before `before` (epoch ms, UTC).
 * Returns the partitions removed (e.g. `hour=2026-01-05T03`). Idempotent.
 */
export function pruneLog(root: string, deployment: string, before: number): string[] {
  const dir = deploymentDir(root, deployment);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const part of readdirSync(dir).sort()) {
    const m = /^hour=(\d{4}-\d{2}-\d{2}T\d{2})$/.exec(part);
    if (!m) continue;
    const start = Date.parse(`${m[1]}:00:00Z`);
    if (Number.isFinite(start) && start + 3_600_000 <= before) {
      rmSync(join(dir, part), { recursive: true, force: true });
      removed.push(part);
    }
  }
  return removed;
}
