import type { Kysely } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect } from "../../metadata/index.js";
import type { DeploymentStore, StoredDeployment } from "../store.js";
import { migrateServing } from "./migrations.js";

interface DeploymentsTable {
  name: string;
  spec: string;
  created_at: number | string;
  updated_at: number | string;
}

interface ServingDatabase {
  serving_deployments: DeploymentsTable;
}

function hydrate(row: DeploymentsTable): StoredDeployment {
  return {
    name: row.name,
    spec: JSON.parse(row.spec) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function notFound(name: string): GyreError {
  return new GyreError(
    "SERVING_DEPLOYMENT_NOT_FOUND",
    `Deployment '${name}' not found — list them with \`gyre deployments list\``,
    { field: "name" },
  );
}

/** Deployments in the metadata database (SQLite or PostgreSQL through Kysely), in their own table and migrations. */
export class SqlDeploymentStore implements DeploymentStore {
  readonly #db: Kysely<ServingDatabase>;

  private constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Kysely<ServingDatabase>;
  }

  /** Migrates the serving tables (idempotent) and returns the store. */
  static async open(dialect: SqlDialect): Promise<SqlDeploymentStore> {
    await migrateServing(dialect);
    return new SqlDeploymentStore(dialect);
  }

  async list(): Promise<StoredDeployment[]> {
    const rows = await this.#db.selectFrom("serving_deployments").selectAll().orderBy("name").execute();
    return rows.map(hydrate);
  }

  async get(name: string): Promise<StoredDeployment | null> {
    const row = await this.#db
      .selectFrom("serving_deployments")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? hydrate(row) : null;
  }

  async create(name: string, spec: Record<string, unknown>): Promise<StoredDeployment> {
    const now = Date.now();
    const row = { name, spec: JSON.stringify(spec), created_at: now, updated_at: now };
    await this.#db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("serving_deployments")
        .select("name")
        .where("name", "=", name)
        .executeTakeFirst();
      if (taken)
        throw new GyreError(
          "SERVING_DEPLOYMENT_EXISTS",
          `Deployment '${name}' already exists; change it with \`gyre deployments set-traffic\` or delete it first`,
          { field: "name" },
        );
      await trx.insertInto("serving_deployments").values(row).execute();
    });
    return hydrate(row);
  }

  async update(name: string, spec: Record<string, unknown>): Promise<StoredDeployment> {
    const now = Date.now();
    const res = await this.#db
      .updateTable("serving_deployments")
      .set({ spec: JSON.stringify(spec), updated_at: now })
      .where("name", "=", name)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound(name);
    return (
      (await this.get(name)) ??
      hydrate({ name, spec: JSON.stringify(spec), created_at: now, updated_at: now })
    );
  }

  async delete(name: string): Promise<boolean> {
    const res = await this.#db.deleteFrom("serving_deployments").where("name", "=", name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
