import { existsSync } from "node:fs";
import { GyreError } from "../core/errors.js";
import { importModule } from "../core/module.js";
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
  const mod = await importModule(file);
  const listed = mod.pipelines;
  const candidates =
    listed === undefined
      ? Object.values(mod)
      : Array.isArray(listed)
        ? listed
        : Object.values(listed as object);
  return candidates.filter(isPipeline);
}
