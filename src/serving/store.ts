/** A stored deployment: its name and the spec as written (JSON object), with ms-since-epoch timestamps. */
export interface StoredDeployment {
  name: string;
  spec: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** One recorded change of a stored deployment: created, its spec changed, or deleted (`spec` null). */
export interface DeploymentChange {
  name: string;
  /** Orders the changes of one deployment name, from 1. */
  seq: number;
  /** ms since the epoch. */
  time: number;
  action: "create" | "update" | "delete";
  /** The spec after the change (null after a delete). */
  spec: Record<string, unknown> | null;
}

/** Where deployments created through the API/CLI are kept (the metadata database). Backends trust their input. */
export interface DeploymentStore {
  /** Sorted by name. */
  list(): Promise<StoredDeployment[]>;
  get(name: string): Promise<StoredDeployment | null>;
  /** Throws SERVING_DEPLOYMENT_EXISTS when the name is taken. Create, update and delete record a change. */
  create(name: string, spec: Record<string, unknown>): Promise<StoredDeployment>;
  /** Throws SERVING_DEPLOYMENT_NOT_FOUND. */
  update(name: string, spec: Record<string, unknown>): Promise<StoredDeployment>;
  /** Returns false when there was no such deployment. */
  delete(name: string): Promise<boolean>;
  /** Every recorded change of `name`, oldest first (kept after a delete; a re-created name continues it). */
  history(name: string): Promise<DeploymentChange[]>;
}
