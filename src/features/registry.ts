import type { DesiredDefinition } from "./plan.js";
import type { Plan, StoredDefinition } from "./types.js";

/**
 * Where applied definitions live, versioned. Backends trust their input (the service validates definitions
 * before applying). `apply` is one transaction that serialises with every other apply, so concurrent applies
 * never lose each other's changes.
 */
export interface DefinitionStore {
  readonly kind: string;
  /** The currently applied definitions and the registry revision they belong to. */
  current(): Promise<{ revision: number; definitions: StoredDefinition[] }>;
  /** The registry revision alone: a cheap check whether `current` would return something new. */
  revision(): Promise<number>;
  /** One version of a definition (any, including superseded ones), or null. */
  version(kind: StoredDefinition["kind"], name: string, version: number): Promise<StoredDefinition | null>;
  /**
   * Makes `desired` the applied set (diffed inside the transaction against what is there now) and returns
   * what changed. With `expectedRevision`, throws FEATURES_REGISTRY_CONFLICT if the registry moved since.
   */
  apply(desired: DesiredDefinition[], expectedRevision?: number): Promise<Plan>;
  close(): Promise<void>;
}
