import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileArtifactStore } from "./file-artifact-store.js";

const fresh = (p: string) => mkdtempSync(join(tmpdir(), p));

describe("file artifact store confinement", () => {
  it("refuses paths through a symlinked directory that leads outside the root, before and after caching", async () => {
    const root = fresh("gyre-root-");
    const outside = fresh("gyre-outside-");
    const store = new FileArtifactStore(root);
    await store.put("runs/a/ok.txt", "fine");
    symlinkSync(outside, join(root, "runs", "escape"));
    await expect(store.put("runs/escape/x.txt", "no")).rejects.toMatchObject({
      code: "ARTIFACT_PATH_INVALID",
    });
    writeFileSync(join(outside, "secret.txt"), "secret");
    await expect(store.get("runs/escape/secret.txt")).rejects.toMatchObject({
      code: "ARTIFACT_PATH_INVALID",
    });
    // A second file in an already-seen directory is still confined.
    await store.put("runs/a/ok2.txt", "fine too");
    expect(readFileSync(await store.localPath("runs/a/ok2.txt"), "utf8")).toBe("fine too");
  });

  it("refuses a file that is itself a symlink out of the root, in a directory it has seen", async () => {
    const root = fresh("gyre-root-");
    const outside = fresh("gyre-outside-");
    writeFileSync(join(outside, "secret.txt"), "secret");
    const store = new FileArtifactStore(root);
    await store.put("d/first.txt", "1");
    symlinkSync(join(outside, "secret.txt"), join(root, "d", "link.txt"));
    await expect(store.localPath("d/link.txt")).rejects.toMatchObject({ code: "ARTIFACT_PATH_INVALID" });
  });

  it("writes again into a directory that was removed behind its back", async () => {
    const root = fresh("gyre-root-");
    const store = new FileArtifactStore(root);
    await store.put("d/e/one.txt", "1");
    const other = new FileArtifactStore(root);
    await other.delete("d");
    await store.put("d/e/two.txt", "2");
    expect(readFileSync(join(root, "d", "e", "two.txt"), "utf8")).toBe("2");
    mkdirSync(join(root, "x"));
    expect(await store.list("d/e")).toEqual([{ path: "d/e/two.txt", isDir: false, size: 1 }]);
  });
});

describe("file artifact store putFile", () => {
  const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

  it("takes a file over by hard link, read-only, and replaces an existing artifact atomically", async () => {
    const root = fresh("gyre-root-");
    const work = fresh("gyre-work-");
    const store = new FileArtifactStore(root);
    writeFileSync(join(work, "a"), "first");
    expect(await store.putFile("r/outputs/a", join(work, "a"))).toEqual({ size: 5, sha256: sha("first") });
    const stored = statSync(join(root, "r", "outputs", "a"));
    expect(stored.ino).toBe(statSync(join(work, "a")).ino);
    expect(stored.mode & 0o222).toBe(0);
    writeFileSync(join(work, "b"), "second");
    await store.putFile("r/outputs/a", join(work, "b"));
    expect(readFileSync(await store.localPath("r/outputs/a"), "utf8")).toBe("second");
    expect(readdirSync(join(root, "r", "outputs"))).toEqual(["a"]);
  });

  it("copies across file systems, stores a symlink's target bytes, and hashes large files", async () => {
    const root = fresh("gyre-root-");
    const store = new FileArtifactStore(root);
    const other = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/gyre-other-") : fresh("gyre-other-");
    writeFileSync(join(other, "x"), "elsewhere");
    expect(await store.putFile("r/x", join(other, "x"))).toEqual({ size: 9, sha256: sha("elsewhere") });
    expect(readFileSync(join(root, "r", "x"), "utf8")).toBe("elsewhere");
    const work = fresh("gyre-work-");
    const big = Buffer.alloc(3 << 20, 7);
    writeFileSync(join(work, "big"), big);
    symlinkSync(join(work, "big"), join(work, "link"));
    expect(await store.putFile("r/big", join(work, "link"))).toEqual({ size: big.length, sha256: sha(big) });
    expect(lstatSync(join(root, "r", "big")).isSymbolicLink()).toBe(false);
    expect(statSync(join(root, "r", "big")).ino).not.toBe(statSync(join(work, "big")).ino);
    rmSync(other, { recursive: true, force: true });
  });

  it("refuses a new directory chain that passes through a symlink out of the root", async () => {
    const root = fresh("gyre-root-");
    const outside = fresh("gyre-outside-");
    const store = new FileArtifactStore(root);
    await store.put("0/run1/artifacts/outputs/a", "fine");
    symlinkSync(outside, join(root, "0", "run2"));
    await expect(store.put("0/run2/artifacts/outputs/b", "no")).rejects.toMatchObject({
      code: "ARTIFACT_PATH_INVALID",
    });
    expect(readdirSync(outside)).toEqual([]);
  });
});
