import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { GyreError } from "../core/errors.js";
import type { PipelineDef } from "./dsl.js";

function isPipeline(v: unknown): v is PipelineDef {
  return (
    typeof v === "object" &&
    v !== null &&
    (v as PipelineDef).kind === "pipeline" &&
    typeof (v as PipelineDef).build === "function"
  );
}

/**
 * The pipelines a module defines (e.g. `gyre.config.ts`): its `pipelines` export (an array or a record)
 * when there is one, else every exported pipeline definition. TypeScript loads through tsx.
 * Throws CONFIG_INVALID when the file is missing or does not load.
 */
export async function loadPipelines(file: string): Promise<PipelineDef[]> {
  if (!existsSync(file))
    throw new GyreError("CONFIG_INVALID", `Pipeline module ${file} does not exist`, { field: "file" });
  let mod: Record<string, unknown>;
  try {
    const { tsImport } = await import("tsx/esm/api");
    mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw new GyreError("CONFIG_INVALID", `Could not load ${file}: ${(e as Error).message}`, {
      cause: e,
      field: "file",
    });
  }
  const listed = mod.pipelines;
  const candidates =
    listed === undefined
      ? Object.values(mod)
      : Array.isArray(listed)
        ? listed
        : Object.values(listed as object);
  return candidates.filter(isPipeline);
}
