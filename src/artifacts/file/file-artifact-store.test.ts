import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
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
