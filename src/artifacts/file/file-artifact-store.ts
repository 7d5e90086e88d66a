import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { lstat, mkdir, readdir, realpath, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GyreError } from "../../core/errors.js";
import { safeArtifactPath } from "../paths.js";
import type { ArtifactBody, ArtifactEntry, LocalArtifactStore, PutResult } from "../types.js";

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

  /** Resolves a relative path under the root and refuses symlinks that lead outside it. */
  async #resolve(path: string): Promise<string> {
    const rel = safeArtifactPath(path);
    const rootReal = await this.#realRoot();
    const full = join(rootReal, ...rel.split("/").filter(Boolean));
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
        return full;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        if (probe === rootReal) return full;
        probe = dirname(probe);
      }
    }
  }

  async put(path: string, body: ArtifactBody): Promise<PutResult> {
    const full = await this.#resolve(path);
    await mkdir(dirname(full), { recursive: true });
    const tmp = `${full}.${randomBytes(6).toString("hex")}.tmp`;
    if (typeof body === "string" || body instanceof Uint8Array) {
      // Bytes in memory: one write, no stream machinery (most pipeline outputs and logs are small).
      const bytes = typeof body === "string" ? Buffer.from(body) : body;
      try {
        await writeFile(tmp, bytes);
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
    const source =
      typeof body === "string" || body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    try {
      await pipeline(source, tap, createWriteStream(tmp));
      await rename(tmp, full);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return { size, sha256: hash.digest("hex") };
  }

  async get(path: string): Promise<Readable> {
    return createReadStream(await this.localPath(path));
  }

  async localPath(path: string): Promise<string> {
    const full = await this.#resolve(path);
    const s = await stat(full).catch(() => null);
    if (!s || s.isDirectory()) {
      throw new GyreError("ARTIFACT_NOT_FOUND", `Artifact '${path}' does not exist`, { field: "path" });
    }
    return full;
  }

  async stat(path: string): Promise<{ isDir: boolean; size: number } | null> {
    const s = await stat(await this.#resolve(path)).catch(() => null);
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
  }

  async close(): Promise<void> {}
}
