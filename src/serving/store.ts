/** A stored deployment: its name and the spec as written (JSON object), with ms-since-epoch timestamps. */
export interface StoredDeployment {
  name: string;
  spec: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Where deployments created through the API/CLI are kept (the metadata database). Backends trust their input. */
export interface DeploymentStore {
  /** Sorted by name. */
  list(): Promise<StoredDeployment[]>;
  get(name: string): Promise<StoredDeployment | null>;
  /** Throws SERVING_DEPLOYMENT_EXISTS when the name is taken. */
  create(name: string, spec: Record<string, unknown>): Promise<StoredDeployment>;
  /** Throws SERVING_DEPLOYMENT_NOT_FOUND. */
  update(name: string, spec: Record<string, unknown>): Promise<StoredDeployment>;
  /** Returns false when there was no such deployment. */
  delete(name: string): Promise<boolean>;
}
