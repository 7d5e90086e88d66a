import { createHash } from "node:crypto";
import { chmodSync, createReadStream, createWriteStream, linkSync, statSync, unlinkSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  isLocalArtifactStore,
  joinArtifactPath,
  type PutResult,
  safeArtifactPath,
} from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import type { MetadataStore, Run, TrackingService } from "../metadata/index.js";
import type { ArtifactFile, ArtifactKind, ArtifactRef, OutputValue, PortType } from "./types.js";

/** Files below this size are read into memory rather than streamed (cheaper for the many small ones). */
const SMALL = 1 << 20;

const byName = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** sha256 over the sorted "path sha256" lines of a directory's files, relative to the directory. */
function treeDigest(root: string, files: ArtifactFile[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.path.slice(root.length + 1)} ${f.sha256}\n`);
  return h.digest("hex");
}

/** Errors of link() that mean "copy instead": another file system, no hard links there, too many links. */
const LINK_REFUSED = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "EACCES"]);

/**
 * Hard-links `src` as `dest`, or copies it where links are refused. The link is made synchronously: one
 * directory-entry syscall costs less than a trip through libuv's thread pool.
 */
async function linkOrCopy(src: string, dest: string): Promise<void> {
  try {
    linkSync(src, dest);
  } catch (e) {
    if (!LINK_REFUSED.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
    return copyFile(src, dest);
  }
  try {
    // The link shares the stored bytes: make them read-only unless they are (step outputs already are).
    const mode = statSync(dest).mode;
    if (mode & 0o222) chmodSync(dest, mode & 0o7555);
  } catch {
    // Bytes that cannot be protected are not shared: a private copy instead (never a copy onto the link).
    unlinkSync(dest);
    await copyFile(src, dest);
  }
}

/** Maps `items` through `fn` with at most `width` calls in flight; results keep the input order. */
async function inBatches<T, R>(items: T[], fn: (item: T, i: number) => Promise<R>, width = 8): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

async function walk(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) =>
    byName(a.name, b.name),
  )) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/**
 * Moves step artifacts between local work directories and tracking runs' artifact roots: outputs are
 * uploaded with sha256 digests recorded on the run, inputs are downloaded into the next step's work dir.
 */
export class ArtifactIO {
  readonly #roots = new Map<string, string>();

  constructor(readonly tracking: TrackingService) {}

  /** Caches the artifact root of a run just created, sparing a read of it later. */
  remember(run: Run): void {
    this.#roots.set(run.info.runId, this.tracking.runArtifactRoot(run));
  }

  /** The artifact-store key of a run's artifact root (cached per run). */
  async root(runId: string): Promise<string> {
    let root = this.#roots.get(runId);
    if (root === undefined) {
      root = this.tracking.runArtifactRoot(await this.tracking.getRun(runId));
      this.#roots.set(runId, root);
    }
    return root;
  }

  /**
   * Stores one file under a run this service created (so known to be active), with `adopt` by taking the
   * local file over (see `store`). Its digest is not recorded on the run here: see `record`.
   */
  async #put(
    runId: string,
    path: string,
    local: string,
    adopt: boolean,
    size?: number,
  ): Promise<ArtifactFile> {
    const key = joinArtifactPath(await this.root(runId), safeArtifactPath(path, "path", false));
    const store = this.tracking.artifacts;
    let res: PutResult;
    if (adopt && isLocalArtifactStore(store)) res = await store.putFile(key, local);
    else {
      const body = size !== undefined && size < SMALL ? await readFile(local) : createReadStream(local);
      res = await store.put(key, body);
    }
    return { path, size: res.size, sha256: res.sha256 };
  }

  /**
   * Stores the local file or directory at `local` as `path` of run `runId`, without recording it on the run
   * (`record` does, so that it can join a transaction). With `adopt`, the files are the caller's to give away
   * (a step's outputs): a local store takes them over by hard link instead of copying, so they must not be
   * written afterwards. Throws PIPELINE_OUTPUT_MISSING.
   */
  async store(
    runId: string,
    path: string,
    type: ArtifactKind,
    local: string,
    adopt: boolean,
  ): Promise<ArtifactRef> {
    // A step's output was just written, so its inode is cached: a synchronous stat is one cheap syscall.
    const s = statSync(local, { throwIfNoEntry: false });
    if (!s) throw new GyreError("PIPELINE_OUTPUT_MISSING", `Nothing was written to ${local}`);
    if (!s.isDirectory()) {
      const file = await this.#put(runId, path, local, adopt, s.size);
      return { type, runId, path, isDir: false, digest: file.sha256, files: [file] };
    }
    const rels = await walk(local);
    const files = await inBatches(rels, (rel) => this.#put(runId, `${path}/${rel}`, join(local, rel), adopt));
    return { type, runId, path, isDir: true, digest: treeDigest(path, files), files };
  }

  /** Copies the local file or directory at `local` to `path` of run `runId` and records it there. */
  async upload(runId: string, path: string, type: ArtifactKind, local: string): Promise<ArtifactRef> {
    const ref = await this.store(runId, path, type, local, false);
    await this.record(this.tracking.store, [ref]);
    return ref;
  }

  /** Stores text as `path` of run `runId` (e.g. a step's logs), unrecorded like `store`. */
  async storeText(runId: string, path: string, text: string): Promise<ArtifactRef> {
    const key = joinArtifactPath(await this.root(runId), safeArtifactPath(path, "path", false));
    const res = await this.tracking.artifacts.put(key, text);
    const file = { path, size: res.size, sha256: res.sha256 };
    return { type: "file", runId, path, isDir: false, digest: res.sha256, files: [file] };
  }

  /** Records the files of stored values (with their sizes and digests) on their runs, through `meta`. */
  async record(meta: MetadataStore, values: OutputValue[]): Promise<void> {
    const now = Date.now();
    for (const ref of values.flat()) {
      for (const f of ref.files)
        await meta.recordArtifact(ref.runId, {
          path: f.path,
          size: f.size,
          sha256: f.sha256,
          updatedTime: now,
        });
    }
  }

  /**
   * Stores a step's output port, adopting its files (see `store`; record them with `record`): one artifact,
   * or for `kind[]` one per entry of the directory, in name order.
   */
  async storePort(runId: string, port: string, type: PortType, local: string): Promise<OutputValue> {
    const path = `outputs/${port}`;
    if (!type.endsWith("[]")) return this.store(runId, path, type as ArtifactKind, local, true);
    const kind = type.slice(0, -2) as ArtifactKind;
    const names = (await readdir(local).catch(() => null))?.sort(byName);
    if (!names) throw new GyreError("PIPELINE_OUTPUT_MISSING", `List output directory ${local} is missing`);
    return inBatches(names, (name) => this.store(runId, `${path}/${name}`, kind, join(local, name), true));
  }

  /**
   * Downloads `ref` to `dest` (a file, or a directory for tree artifacts). From a local store the files are
   * hard links to the stored ones where the file system allows (no copy): read-only, like every input.
   */
  async download(ref: ArtifactRef, dest: string): Promise<void> {
    const root = await this.root(ref.runId);
    const store = this.tracking.artifacts;
    const made = new Set<string>();
    for (const f of ref.files) {
      const target = ref.isDir ? join(dest, f.path.slice(ref.path.length + 1)) : dest;
      // A single file's directory is the caller's; a tree's subdirectories are created once each.
      if (ref.isDir && !made.has(dirname(target))) {
        await mkdir(dirname(target), { recursive: true });
        made.add(dirname(target));
      }
      const key = joinArtifactPath(root, f.path);
      if (isLocalArtifactStore(store)) await linkOrCopy(await store.localPath(key), target);
      else await pipeline(await store.get(key), createWriteStream(target));
    }
  }

  /** Stages an input value at `base`: that path, or for lists a directory there and the paths in list order. */
  async stage(value: OutputValue, base: string): Promise<string | string[]> {
    if (!Array.isArray(value)) {
      await this.download(value, base);
      return base;
    }
    await mkdir(base, { recursive: true });
    const paths = value.map((ref, i) => join(base, `${i}-${basename(ref.path)}`));
    await inBatches(value, (ref, i) => this.download(ref, paths[i]!));
    return paths;
  }

  /** The text of a single-file artifact (for conditions on metrics outputs). */
  async readText(ref: ArtifactRef): Promise<string> {
    const root = await this.root(ref.runId);
    const chunks: Buffer[] = [];
    for await (const c of await this.tracking.artifacts.get(
      joinArtifactPath(root, ref.files[0]?.path ?? ref.path),
    )) {
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /** True when every file of `value` is still in the artifact store with its recorded size. */
  async intact(value: OutputValue): Promise<boolean> {
    const live = new Set<string>();
    for (const ref of Array.isArray(value) ? value : [value]) {
      if (!live.has(ref.runId)) {
        const info = await this.tracking.store.getRunInfo(ref.runId);
        if (info?.lifecycleStage !== "active") return false;
        live.add(ref.runId);
      }
      const root = await this.root(ref.runId);
      for (const f of ref.files) {
        const s = await this.tracking.artifacts.stat(joinArtifactPath(root, f.path));
        if (!s || s.isDir || s.size !== f.size) return false;
      }
    }
    return true;
  }
}

/** A short lineage label: "runId/path@sha256:…", or for lists "N items@sha256:<digest of digests>". */
export function lineageLabel(value: OutputValue): string {
  if (!Array.isArray(value)) return `${value.runId}/${value.path}@sha256:${value.digest}`;
  const h = createHash("sha256");
  for (const r of value) h.update(`${r.digest}\n`);
  return `${value.length} items@sha256:${h.digest("hex")}`;
}
