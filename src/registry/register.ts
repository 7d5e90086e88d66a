import { isGyreError } from "../core/errors.js";
import type { RegistryStore } from "./store.js";
import type { ModelVersion, RegistrationValidator } from "./types.js";

/**
 * Runs the registration validator on a PENDING_REGISTRATION version. Its verdict changes only this version:
 * READY with the flavor and signature it reported, or FAILED_REGISTRATION with `CODE: message` as the
 * status message (any error counts; a non-GyreError is reported as REGISTRY_VALIDATION_FAILED).
 */
export async function runValidator(
  store: RegistryStore,
  v: ModelVersion,
  validator: RegistrationValidator,
): Promise<ModelVersion> {
  const input = {
    name: v.name,
    version: v.version,
    source: v.source,
    artifactLocation: v.artifactLocation,
    runId: v.runId,
  };
  try {
    const found = await validator(input);
    return await store.updateModelVersion(v.name, v.version, {
      status: "READY",
      statusMessage: null,
      flavor: found.flavor ?? null,
      signature: found.signature ?? null,
    });
  } catch (e) {
    const reason = isGyreError(e)
      ? `${e.code}: ${e.message}`
      : `REGISTRY_VALIDATION_FAILED: ${e instanceof Error ? e.message : String(e)}`;
    return store.updateModelVersion(v.name, v.version, {
      status: "FAILED_REGISTRATION",
      statusMessage: reason,
    });
  }
}
