import type { Kysely, Transaction } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { SqlDialect } from "../../metadata/index.js";
import type { DeploymentChange, DeploymentStore, StoredDeployment } from "../store.js";
import { migrateServing } from "./migrations.js";

interface DeploymentsTable {
  name: string;
  spec: string;
  created_at: number | string;
  updated_at: number | string;
}

interface ChangesTable {
  name: string;
  seq: number;
  time: number | string;
  action: DeploymentChange["action"];
  spec: string | null;
}

interface ServingDatabase {
  serving_deployments: DeploymentsTable;
  serving_deployment_changes: ChangesTable;
}

/** Appends a change of `name` inside the caller's transaction (seq is one past the name's last). */
async function recordChange(
  trx: Transaction<ServingDatabase>,
  name: string,
  action: DeploymentChange["action"],
  spec: string | null,
  time: number,
): Promise<void> {
  const last = await trx
    .selectFrom("serving_deployment_changes")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("name", "=", name)
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  await trx.insertInto("serving_deployment_changes").values({ name, seq, time, action, spec }).execute();
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
      await recordChange(trx, name, "create", row.spec, now);
    });
    return hydrate(row);
  }

  async update(name: string, spec: Record<string, unknown>): Promise<StoredDeployment> {
    const now = Date.now();
    const text = JSON.stringify(spec);
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("serving_deployments")
        .set({ spec: text, updated_at: now })
        .where("name", "=", name)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound(name);
      await recordChange(trx, name, "update", text, now);
      return hydrate(row);
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom("serving_deployments").where("name", "=", name).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await recordChange(trx, name, "delete", null, Date.now());
      return true;
    });
  }

  async history(name: string): Promise<DeploymentChange[]> {
    const rows = await this.#db
      .selectFrom("serving_deployment_changes")
      .selectAll()
      .where("name", "=", name)
      .orderBy("seq")
      .execute();
    return rows.map((r) => ({
      name: r.name,
      seq: Number(r.seq),
      time: Number(r.time),
      action: r.action,
      spec: r.spec === null ? null : (JSON.parse(r.spec) as Record<string, unknown>),
    }));
  }
}
