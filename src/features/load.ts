import { existsSync } from "node:fs";
import { GyreError } from "../core/errors.js";
import { importModule } from "../core/module.js";
import { isDefinition } from "./dsl.js";
import type { FeatureDefinition } from "./types.js";

/**
 * The feature definitions a module exports (e.g. `gyre.config.ts`): its `features` export (an array or a
 * record) when there is one, else every exported definition. TypeScript loads through tsx.
 * Throws CONFIG_INVALID when the file is missing or does not load.
 */
export async function loadFeatureDefinitions(file: string): Promise<FeatureDefinition[]> {
  if (!existsSync(file))
    throw new GyreError("CONFIG_INVALID", `Feature definitions module ${file} does not exist`, {
      field: "file",
    });
  const mod = await importModule(file);
  const listed = mod.features;
  const candidates =
    listed === undefined
      ? Object.values(mod)
      : Array.isArray(listed)
        ? listed
        : Object.values(listed as object);
  return candidates.filter(isDefinition);
}
