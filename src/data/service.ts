import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { isLocalArtifactStore, joinArtifactPath } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import type { TrackingService } from "../metadata/index.js";
import { inspectFile } from "./inspect.js";
import type { SqlDataStore } from "./sql/sql-data-store.js";
import type { DatasetVersion, Expectations, Inspection } from "./types.js";

/** The experiment whose runs hold registered dataset versions. */
export const DATASETS_EXPERIMENT = "datasets";
const NAME = /^[A-Za-z][\w.-]{0,127}$/;

export interface RegisterOptions {
  expectations?: Expectations;
  description?: string;
  /** Register even when the expectations fail (the report is stored with the version). */
  allowInvalid?: boolean;
}

/** A registration: the version, and whether it is new (false when the same bytes were already the latest). */
export interface Registered {
  version: DatasetVersion;
  created: boolean;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function notFound(name: string, version?: number): GyreError {
  const what = version === undefined ? `Dataset '${name}'` : `Version ${version} of dataset '${name}'`;
  return new GyreError(
    "DATA_DATASET_NOT_FOUND",
    `${what} not found — list datasets with \`gyre data list\``,
    {
      field: version === undefined ? "name" : "version",
    },
  );
}

function failedReport(name: string, inspection: Inspection): GyreError {
  const issues = inspection.validation.issues;
  const shown = issues
    .slice(0, 3)
    .map((i) => i.message)
    .join("; ");
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return new GyreError(
    "DATA_VALIDATION_FAILED",
    `Dataset '${name}' fails its expectations: ${shown}${more} — fix the data or the expectations (or register with --allow-invalid)`,
    { field: "expectations", details: { report: inspection.validation } },
  );
}

/**
 * Versioned datasets (C2): a registered file is profiled and validated with DuckDB, stored in the artifact
 * store under a tracking run of the `datasets` experiment, and recorded as an MLflow dataset (name, digest,
 * schema, profile), so MLflow clients see it, runs can name it as input, and dataset triggers fire.
 */
export class DataService {
  constructor(
    readonly tracking: TrackingService,
    readonly store: SqlDataStore,
  ) {}

  /** Profiles and validates a file without registering it. Throws DATA_INVALID. */
  async inspect(path: string, expectations: Expectations = {}): Promise<Inspection> {
    await this.#checkFile(path);
    return inspectFile(path, expectations);
  }

  /**
   * Registers `path` as the next version of dataset `name` (the same bytes as the latest version register
   * nothing new). Throws DATA_INVALID (name, unreadable file) and DATA_VALIDATION_FAILED (with the report)
   * before anything is stored.
   */
  async register(name: string, path: string, options: RegisterOptions = {}): Promise<Registered> {
    if (!NAME.test(name))
      throw new GyreError(
        "DATA_INVALID",
        `Invalid dataset name '${name}': use a letter, then letters, digits, '_', '-' or '.'`,
        {
          field: "name",
        },
      );
    await this.#checkFile(path);
    const digest = await sha256(path);
    const latest = await this.store.latest(name);
    if (latest?.digest === digest) return { version: latest, created: false };
    const inspection = await inspectFile(path, options.expectations ?? {});
    if (!inspection.validation.valid && !options.allowInvalid) throw failedReport(name, inspection);
    return { version: await this.#store(name, path, digest, inspection, options), created: true };
  }

  async #checkFile(path: string): Promise<void> {
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) throw new GyreError("DATA_INVALID", `No data file at '${path}'`, { field: "path" });
  }

  async #store(
    name: string,
    path: string,
    digest: string,
    inspection: Inspection,
    options: RegisterOptions,
  ): Promise<DatasetVersion> {
    const t = this.tracking;
    const experimentId = await t.ensureExperiment(DATASETS_EXPERIMENT);
    const run = await t.createRun({
      experimentId,
      runName: `${name}@${digest.slice(0, 12)}`,
      tags: [{ key: "gyre.dataset.name", value: name }],
    });
    const runId = run.info.runId;
    try {
      const artifactPath = `data/${basename(path)}`;
      await t.uploadArtifact(runId, artifactPath, createReadStream(path));
      await t.uploadArtifact(runId, "validation.json", JSON.stringify(inspection.validation, null, 2));
      await t.uploadArtifact(runId, "profile.json", JSON.stringify(inspection.profile, null, 2));
      const colspec = inspection.schema.map((c) => ({ name: c.name, type: c.mlflowType }));
      const elements = inspection.rows * inspection.schema.length;
      await t.logInputs(runId, [
        {
          tags: [{ key: "mlflow.data.context", value: "registration" }],
          dataset: {
            name,
            digest: digest.slice(0, 16),
            sourceType: "gyre",
            source: `${run.info.artifactUri}/${artifactPath}`,
            schema: JSON.stringify({ mlflow_colspec: colspec }),
            profile: JSON.stringify({ num_rows: inspection.rows, num_elements: elements }),
          },
        },
      ]);
      const version = await this.store.insertVersion({
        name,
        digest,
        format: inspection.format,
        rows: inspection.rows,
        schema: inspection.schema,
        profile: inspection.profile,
        validation: inspection.validation,
        runId,
        artifactPath,
        source: path,
        description: options.description ?? "",
        createdTime: Date.now(),
      });
      await t.setTag(runId, "gyre.dataset.version", String(version.version));
      await t.updateRun(runId, { status: "FINISHED", endTime: Date.now() });
      return version;
    } catch (e) {
      await t.updateRun(runId, { status: "FAILED", endTime: Date.now() }).catch(() => undefined);
      throw e;
    }
  }

  /** A version (default: the latest). Throws DATA_DATASET_NOT_FOUND. */
  async get(name: string, version?: number): Promise<DatasetVersion> {
    const v =
      version === undefined ? await this.store.latest(name) : await this.store.getVersion(name, version);
    if (!v) throw notFound(name, version);
    return v;
  }

  /** Every version of a dataset, newest first. Throws DATA_DATASET_NOT_FOUND. */
  async versions(name: string): Promise<DatasetVersion[]> {
    const all = await this.store.versions(name);
    if (all.length === 0) throw notFound(name);
    return all;
  }

  /** The latest version of every dataset. */
  datasets(): Promise<DatasetVersion[]> {
    return this.store.datasets();
  }

  /**
   * A local path of a version's file (default: the latest) for readers on this machine: the stored file
   * itself when the artifact store keeps local files, else a copy downloaded once into the temp directory.
   * Throws DATA_DATASET_NOT_FOUND.
   */
  async localFile(
    name: string,
    version?: number,
  ): Promise<{ path: string; format: string; version: number }> {
    const v = await this.get(name, version);
    const info = await this.tracking.store.getRunInfo(v.runId);
    if (!info) throw notFound(name, v.version);
    const key = joinArtifactPath(this.tracking.runArtifactRoot({ info }), v.artifactPath);
    const store = this.tracking.artifacts;
    if (isLocalArtifactStore(store))
      return { path: await store.localPath(key), format: v.format, version: v.version };
    const dir = join(tmpdir(), "gyre-datasets", v.digest);
    const path = join(dir, basename(v.artifactPath));
    if (!(await stat(path).catch(() => null))) await this.download(name, v.version, dir);
    return { path, format: v.format, version: v.version };
  }

  /** Writes a version's stored file into `dir` and returns its path. Throws DATA_DATASET_NOT_FOUND. */
  async download(name: string, version: number | undefined, dir: string): Promise<string> {
    const v = await this.get(name, version);
    await mkdir(dir, { recursive: true });
    const target = join(dir, basename(v.artifactPath));
    await pipeline(await this.tracking.downloadArtifact(v.runId, v.artifactPath), createWriteStream(target));
    return target;
  }
}
