import { GyreError } from "../core/errors.js";
import type { ModelVersion } from "./types.js";

/** The registry's errors, worded as MLflow words them where MLflow has the same error. */

/** "Registered Model with name=X not found" (REGISTRY_MODEL_NOT_FOUND). */
export function modelNotFound(name: string): GyreError {
  return new GyreError("REGISTRY_MODEL_NOT_FOUND", `Registered Model with name=${name} not found`, {
    field: "name",
  });
}

/** "Registered Model (name=X) already exists." (REGISTRY_MODEL_EXISTS). */
export function modelExists(name: string): GyreError {
  return new GyreError("REGISTRY_MODEL_EXISTS", `Registered Model (name=${name}) already exists.`, {
    field: "name",
  });
}

/** "Model Version (name=X, version=N) not found" (REGISTRY_VERSION_NOT_FOUND). */
export function versionNotFound(name: string, version: number): GyreError {
  return new GyreError(
    "REGISTRY_VERSION_NOT_FOUND",
    `Model Version (name=${name}, version=${version}) not found`,
    { field: "version" },
  );
}

/** "Registered model alias X not found." (REGISTRY_ALIAS_NOT_FOUND). */
export function aliasNotFound(alias: string): GyreError {
  return new GyreError("REGISTRY_ALIAS_NOT_FOUND", `Registered model alias ${alias} not found.`, {
    field: "alias",
  });
}

/** Deleting a version that aliases point to (REGISTRY_VERSION_IN_USE); `details.aliases` names them. */
export function versionInUse(v: ModelVersion): GyreError {
  const list = v.aliases.map((a) => `'${a}'`).join(", ");
  return new GyreError(
    "REGISTRY_VERSION_IN_USE",
    `Model Version (name=${v.name}, version=${v.version}) is in use by alias ${list}; move or delete the alias first, or delete with force`,
    { field: "version", details: { aliases: v.aliases } },
  );
}

/** Pointing an alias at a version that is not READY (REGISTRY_VERSION_NOT_READY). */
export function versionNotReady(v: ModelVersion): GyreError {
  const why = v.statusMessage ? ` (${v.statusMessage})` : "";
  return new GyreError(
    "REGISTRY_VERSION_NOT_READY",
    `Model Version (name=${v.name}, version=${v.version}) is ${v.status}${why}; aliases can only point at READY versions`,
    { field: "version" },
  );
}
