import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GyreError } from "../core/errors.js";

const run = promisify(execFile);

/**
 * The commit `branch` points at in `repo` (a local path or any URL git can read), read with
 * `git ls-remote`, so it works the same for a checkout and a remote. Throws PIPELINE_TRIGGER_INVALID
 * when git cannot read the repository or the branch does not exist.
 */
export async function gitHead(repo: string, branch: string, timeoutMs = 15_000): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await run("git", ["ls-remote", "--", repo, `refs/heads/${branch}`], {
      timeout: timeoutMs,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    }));
  } catch (e) {
    const detail = String((e as { stderr?: string }).stderr ?? (e as Error).message)
      .trim()
      .split("\n")[0];
    throw new GyreError("PIPELINE_TRIGGER_INVALID", `Cannot read git repository '${repo}': ${detail}`, {
      field: "on.repo",
    });
  }
  const sha = stdout.trim().split(/\s+/)[0];
  if (!sha) {
    throw new GyreError(
      "PIPELINE_TRIGGER_INVALID",
      `Branch '${branch}' not found in '${repo}': check the name with \`git ls-remote ${repo}\``,
      { field: "on.branch" },
    );
  }
  return sha;
}
