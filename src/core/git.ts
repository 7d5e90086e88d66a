import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Source-control facts recorded on every run started from a git checkout. */
export interface GitInfo {
  commit: string;
  branch: string | null;
  dirty: boolean;
  repoUrl: string | null;
}

async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run("git", args, { cwd, timeout: 5000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

/** Returns the checkout's commit, branch, dirty flag and origin URL, or null outside a git checkout. */
export async function readGitInfo(cwd: string = process.cwd()): Promise<GitInfo | null> {
  const commit = await git(cwd, ["rev-parse", "HEAD"]);
  if (!commit) return null;
  const [branch, status, url] = await Promise.all([
    git(cwd, ["rev-parse", "--abbrev-ref", "HEAD"]),
    git(cwd, ["status", "--porcelain", "--untracked-files=no"]),
    git(cwd, ["config", "--get", "remote.origin.url"]),
  ]);
  return {
    commit,
    branch: branch && branch !== "HEAD" ? branch : null,
    dirty: (status ?? "") !== "",
    repoUrl: url || null,
  };
}
