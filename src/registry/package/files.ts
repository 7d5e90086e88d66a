import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** Size in bytes and lowercase hex sha256 of one file, streamed so large weight files stay out of memory. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { size, sha256: hash.digest("hex") };
}

/** Size and sha256 of bytes held in memory. */
export function hashBytes(bytes: Uint8Array): { size: number; sha256: string } {
  return { size: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** What a directory walk found: regular files, and anything else (symlinks, sockets…) by kind. */
export interface DirectoryListing {
  files: string[];
  others: { path: string; kind: string }[];
}

/** Every entry under `dir` as `/`-separated relative paths, sorted; symlinks are reported, never followed. */
export async function listDirectory(dir: string): Promise<DirectoryListing> {
  const listing: DirectoryListing = { files: [], others: [] };
  await walk(dir, "", listing);
  listing.files.sort();
  listing.others.sort((a, b) => (a.path < b.path ? -1 : 1));
  return listing;
}

async function walk(root: string, prefix: string, out: DirectoryListing): Promise<void> {
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, rel, out);
    else if (entry.isFile()) out.files.push(rel);
    else out.others.push({ path: rel, kind: entry.isSymbolicLink() ? "symbolic link" : "special file" });
  }
}
