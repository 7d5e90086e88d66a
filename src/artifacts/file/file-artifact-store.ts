import { createHash, randomBytes } from "node:crypto";
import { constants, createReadStream, createWriteStream, type Stats } from "node:fs";
import {
  copyFile,
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GyreError } from "../../core/errors.js";
import { safeArtifactPath } from "../paths.js";
import type { ArtifactBody, ArtifactEntry, LocalArtifactStore, PutResult } from "../types.js";

/** Errors of link() that mean "copy instead": another file system, no hard links there, too many links. */
const LINK_REFUSED = new Set(["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EOPNOTSUPP", "EACCES"]);

/** Files below this size are hashed from one read rather than a stream. */
const SMALL = 1 << 20;

/** Size and sha256 of the file open as `fh` (`size` bytes by fstat: small files are read at once). */
async function hashOpen(fh: FileHandle, size: number): Promise<PutResult> {
  const hash = createHash("sha256");
  if (size < SMALL) {
    const buf = Buffer.allocUnsafe(size + 1);
    const { bytesRead } = await fh.read(buf, 0, size + 1, 0);
    if (bytesRead <= size)
      return { size: bytesRead, sha256: hash.update(buf.subarray(0, bytesRead)).digest("hex") };
  }
  let n = 0;
  for await (const chunk of fh.createReadStream({ autoClose: false, start: 0 })) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
  }
  return { size: n, sha256: hash.digest("hex") };
}

/** Size and sha256 of a local file. */
async function sha256File(file: string): Promise<PutResult> {
  const fh = await open(file, "r");
  try {
    return await hashOpen(fh, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/** Artifacts as plain files under one root directory (`file://./.gyre/artifacts`). */
export class FileArtifactStore implements LocalArtifactStore {
  readonly kind = "file";

  #rootReal: Promise<string> | null = null;

  constructor(readonly root: string) {}

  /** The root's real path, created on first use (once per store: every operation needs it). */
  #realRoot(): Promise<string> {
    this.#rootReal ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    this.#rootReal.catch(() => {
      this.#rootReal = null;
    });
    return this.#rootReal;
  }

  /**
   * Directories known to lie inside the root (checked with realpath, or created here under such a one), so
   * that writing or reading many files in one directory checks the directory once. Cleared on delete.
   */
  readonly #safeDirs = new Set<string>();

  #remember(dir: string): void {
    if (this.#safeDirs.size >= 50_000) this.#safeDirs.clear();
    this.#safeDirs.add(dir);
  }

  /** Resolves a relative path under the root and refuses symlinks that lead outside it. */
  async #resolve(path: string): Promise<string> {
    return (await this.#locate(path)).full;
  }

  /** `#resolve`, plus the entry's lstat when the check made one (null: nothing there; undefined: not checked). */
  async #locate(path: string): Promise<{ full: string; leaf?: Stats | null }> {
    const rel = safeArtifactPath(path);
    const rootReal = await this.#realRoot();
    const full = join(rootReal, ...rel.split("/").filter(Boolean));
    if (full !== rootReal) {
      const plain = await this.#plainBelowSafe(rootReal, full);
      if (plain) return { full, leaf: plain.leaf };
    }
    let probe = full;
    for (;;) {
      try {
        const real = await realpath(probe);
        if (real !== rootReal && !real.startsWith(rootReal + sep)) {
          throw new GyreError(
            "ARTIFACT_PATH_INVALID",
            `Invalid path '${path}': it leads outside the artifact root`,
            {
              field: "path",
            },
          );
        }
        if (probe !== full) this.#remember(probe);
        return { full };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        if (probe === rootReal) return { full };
        probe = dirname(probe);
      }
    }
  }

  /**
   * True when no component of `full` below its nearest known-safe ancestor is a symlink, checked top-down
   * with one lstat each and stopping at the first that does not exist (nothing below it can be a link):
   * a new run's directory costs one lstat instead of a realpath per level. Null means "check with realpath";
   * else `leaf` is the entry's lstat when it was taken (null when nothing is there).
   */
  async #plainBelowSafe(rootReal: string, full: string): Promise<{ leaf?: Stats | null } | null> {
    const below: string[] = [];
    let dir = dirname(full);
    while (dir !== rootReal && !this.#safeDirs.has(dir)) {
      if (!dir.startsWith(rootReal + sep)) return null;
      below.push(dir);
      dir = dirname(dir);
    }
    for (const d of below.reverse()) {
      const s = await lstat(d).catch(() => null);
      if (!s) return { leaf: null };
      if (!s.isDirectory()) return s.isSymbolicLink() ? null : {};
      this.#remember(d);
    }
    // The directory is inside the root: only the entry itself could be a symlink out of it.
    const leaf = await lstat(full).catch(() => null);
    return leaf?.isSymbolicLink() ? null : { leaf };
  }

  /** Creates the file's directory unless it is known to exist inside the root. */
  async #ensureDir(full: string, force = false): Promise<void> {
    const dir = dirname(full);
    if (!force && this.#safeDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#remember(dir);
  }

  async put(path: string, body: ArtifactBody): Promise<PutResult> {
    const full = await this.#resolve(path);
    const tmp = `${full}.${randomBytes(6).toString("hex")}.tmp`;
    if (typeof body === "string" || body instanceof Uint8Array) {
      // Bytes in memory: one write, no stream machinery (most pipeline outputs and logs are small).
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      await this.#ensureDir(full);
      try {
        await writeFile(tmp, bytes).catch(async (e: NodeJS.ErrnoException) => {
          // The directory went away since it was seen (deleted by another process): create it again.
          if (e.code !== "ENOENT") throw e;
          await this.#ensureDir(full, true);
          await writeFile(tmp, bytes);
        });
        await rename(tmp, full);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
      return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    }
    const hash = createHash("sha256");
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    await this.#ensureDir(full, true);
    try {
      await pipeline(body, tap, createWriteStream(tmp));
      await rename(tmp, full);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return { size, sha256: hash.digest("hex") };
  }

  async putFile(path: string, file: string): Promise<PutResult> {
    const full = await this.#resolve(path);
    await this.#ensureDir(full);
    // O_NOFOLLOW: a symlink is stored as the bytes it points to (link() would store the link itself).
    const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (e: NodeJS.ErrnoException) => {
        if (e.code === "ELOOP") return null;
        throw e;
      },
    );
    if (!fh) {
      await this.#copyInto(file, full);
      return sha256File(full);
    }
    let res: PutResult;
    let linkable: boolean;
    try {
      const st = await fh.stat();
      res = await hashOpen(fh, st.size);
      // The bytes are shared with the caller's (and later readers') names: read-only, or copied.
      linkable =
        st.isFile() &&
        ((st.mode & 0o222) === 0 ||
          (await fh.chmod(0o444).then(
            () => true,
            () => false,
          )));
    } finally {
      await fh.close();
    }
    try {
      if (linkable) await this.#linkInto(file, full);
      else await this.#copyInto(file, full);
    } catch (e) {
      if (!LINK_REFUSED.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
      await this.#copyInto(file, full);
    }
    return res;
  }

  /** Hard-links `file` as `full`, replacing an existing file atomically through a temp name. */
  async #linkInto(file: string, full: string): Promise<void> {
    try {
      await link(file, full);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") await this.#ensureDir(full, true);
      else if (code !== "EEXIST") throw e;
    }
    const tmp = `${full}.${randomBytes(6).toString("hex")}.tmp`;
    await link(file, tmp);
    await rename(tmp, full).catch(async (e) => {
      await unlink(tmp).catch(() => undefined);
      throw e;
    });
  }

  async #copyInto(file: string, full: string): Promise<void> {
    const tmp = `${full}.${randomBytes(6).toString("hex")}.tmp`;
    await this.#ensureDir(full, true);
    try {
      await copyFile(file, tmp);
      await rename(tmp, full);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  async get(path: string): Promise<Readable> {
    return createReadStream(await this.localPath(path));
  }

  async localPath(path: string): Promise<string> {
    const { full, leaf } = await this.#locate(path);
    // An lstat of a checked entry is its stat: it is no symlink.
    const s = leaf !== undefined ? leaf : await stat(full).catch(() => null);
    if (!s || s.isDirectory()) {
      throw new GyreError("ARTIFACT_NOT_FOUND", `Artifact '${path}' does not exist`, { field: "path" });
    }
    return full;
  }

  async stat(path: string): Promise<{ isDir: boolean; size: number } | null> {
    const { full, leaf } = await this.#locate(path);
    const s = leaf !== undefined ? leaf : await stat(full).catch(() => null);
    return s ? { isDir: s.isDirectory(), size: s.size } : null;
  }

  async list(dir: string): Promise<ArtifactEntry[]> {
    const full = await this.#resolve(dir);
    const names = await readdir(full).catch(() => [] as string[]);
    const out: ArtifactEntry[] = [];
    for (const name of names.sort()) {
      if (name.endsWith(".tmp") && /\.[0-9a-f]{12}\.tmp$/.test(name)) continue;
      const s = await lstat(join(full, name)).catch(() => null);
      if (!s || s.isSymbolicLink()) continue;
      const path = relative(await this.#realRoot(), join(full, name))
        .split(sep)
        .join("/");
      out.push(s.isDirectory() ? { path, isDir: true } : { path, isDir: false, size: s.size });
    }
    return out;
  }

  async delete(path: string): Promise<void> {
    const full = await this.#resolve(path);
    if (full === (await this.#realRoot())) {
      throw new GyreError("ARTIFACT_PATH_INVALID", "Refusing to delete the artifact root", { field: "path" });
    }
    await rm(full, { recursive: true, force: true });
    this.#safeDirs.clear();
  }

  async close(): Promise<void> {}
}
