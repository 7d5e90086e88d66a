import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { GyreError } from "../core/errors.js";
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
  const listed = mod.features;
  const candidates =
    listed === undefined
      ? Object.values(mod)
      : Array.isArray(listed)
        ? listed
        : Object.values(listed as object);
  return candidates.filter(isDefinition);
}
