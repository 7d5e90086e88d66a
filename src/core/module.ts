import { pathToFileURL } from "node:url";
import { GyreError } from "./errors.js";

/**
 * The exports of a TypeScript (or JavaScript) module such as gyre.config.ts, loaded through tsx so users
 * need no build step. Throws CONFIG_INVALID (on `field`) with the loader's message when it does not load.
 */
export async function importModule(file: string, field = "file"): Promise<Record<string, unknown>> {
  try {
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw new GyreError("CONFIG_INVALID", `Could not load ${file}: ${(e as Error).message}`, {
      cause: e,
      field,
    });
  }
}
