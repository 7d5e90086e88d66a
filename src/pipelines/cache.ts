import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { JsonValue, OutputValue, PlanRun, PlanStep } from "./types.js";

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/** Stable JSON: object keys sorted at every depth, so equal values hash equally. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Hashes files by path and mtime so that a run hashes each module once, yet picks up edits. */
export class CodeHasher {
  readonly #memo = new Map<string, string>();

  #file(path: string): string {
    const key = `${path}@${statSync(path).mtimeMs}`;
    let h = this.#memo.get(key);
    if (h === undefined) {
      h = sha(readFileSync(path));
      this.#memo.set(key, h);
    }
    return h;
  }

  /**
   * The code version of a step: its explicit `version`, else the hash of its module file (function steps)
   * or of its argv plus every argument that names an existing file (command steps, e.g. `train.py`).
   */
  version(run: PlanRun, explicit: string | null): string {
    if (explicit !== null) return `v:${explicit}`;
    if (run.kind === "function") return `fn:${run.export}:${this.#file(run.module)}`;
    const cwd = run.cwd ?? process.cwd();
    const files = run.command
      .flatMap((a) => (run.shell ? a.split(/\s+/) : [a]))
      .map((a) => (isAbsolute(a) ? a : resolve(cwd, a)))
      .filter((p) => existsSync(p) && statSync(p).isFile())
      .map((p) => this.#file(p));
    return `cmd:${sha(stableJson({ argv: run.command, shell: run.shell, files }))}`;
  }
}

function digests(v: OutputValue): string | string[] {
  return Array.isArray(v) ? v.map((r) => r.digest) : v.digest;
}

/**
 * The cache key of a step attempt: sha256 over its code version, resolved parameters, input artifact
 * digests, declared environment values and declared outputs. Equal keys mean reusable outputs.
 */
export function cacheKey(parts: {
  step: PlanStep;
  code: string;
  params: Record<string, JsonValue>;
  inputs: Record<string, OutputValue>;
  env: Record<string, string | null>;
}): string {
  const inputs: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(parts.inputs)) inputs[k] = digests(v);
  return sha(
    stableJson({
      v: 1,
      code: parts.code,
      params: parts.params,
      inputs,
      env: parts.env,
      outputs: parts.step.outputs,
    }),
  );
}
