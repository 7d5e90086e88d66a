import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GyreError, isGyreError } from "../core/errors.js";
import type { Run, TrackingClient } from "../metadata/index.js";

/** Where a new version's files are, and the run it links to. */
export interface ResolvedSource {
  runId: string | null;
  artifactLocation: string;
}

const RUNS_URI = /^runs:\/([^/]+)(?:\/(.*))?$/;

function invalidSource(source: string, why: string): GyreError {
  return new GyreError("REGISTRY_INVALID_VALUE", `Invalid model version source: '${source}'. ${why}`, {
    field: "source",
  });
}

/** A path on this machine: a `file:` URI or a string without a URI scheme (drive letters count as paths). */
function localPath(uri: string): string | null {
  if (uri.startsWith("file:")) {
    try {
      return fileURLToPath(uri);
    } catch {
      return null;
    }
  }
  return /^[A-Za-z][A-Za-z0-9+.-]+:/.test(uri) ? null : resolve(uri);
}

async function getRun(tracking: TrackingClient, runId: string): Promise<Run> {
  try {
    return await tracking.getRun(runId);
  } catch (e) {
    if (!isGyreError(e) || e.code !== "TRACKING_RUN_NOT_FOUND") throw e;
    throw new GyreError(
      "REGISTRY_RUN_NOT_FOUND",
      `Run with id=${runId} not found; register versions from an existing run (list runs with \`gyre runs search\`)`,
      { field: "run_id" },
    );
  }
}

/**
 * Resolves a version's source: `runs:/<run_id>/<path>` becomes the run's artifact root plus `path` (and sets
 * the run id); any other URI is used as is. A given run must exist (REGISTRY_RUN_NOT_FOUND). With
 * `restrictLocal` (MLflow's server rule) a local path is accepted only inside the run's own artifact directory.
 */
export async function resolveSource(
  tracking: TrackingClient,
  source: string,
  runId: string | null,
  restrictLocal: boolean,
): Promise<ResolvedSource> {
  const m = RUNS_URI.exec(source);
  if (m && runId && runId !== m[1]) {
    throw invalidSource(source, `It names run ${m[1]} but run_id is ${runId}; give one run.`);
  }
  const id = m ? m[1]! : runId;
  const run = id ? await getRun(tracking, id) : null;
  if (m && run) {
    const root = run.info.artifactUri.replace(/\/+$/, "");
    return { runId: id, artifactLocation: m[2] ? `${root}/${m[2].replace(/^\/+/, "")}` : root };
  }
  const local = localPath(source);
  if (restrictLocal && local !== null) {
    const runDir = run ? localPath(run.info.artifactUri) : null;
    const inside =
      runDir !== null && !relative(runDir, local).startsWith("..") && !isAbsolute(relative(runDir, local));
    if (!inside) {
      throw invalidSource(
        source,
        "To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.",
      );
    }
  }
  return { runId: id, artifactLocation: source };
}
