import type { Kysely } from "kysely";
import { isUniqueViolation, type SqlDialect } from "../../metadata/index.js";
import type { DatasetVersion } from "../types.js";
import { migrateData } from "./migrations.js";

interface DatasetVersionsTable {
  name: string;
  version: number;
  digest: string;
  format: string;
  rows: number;
  schema: string;
  profile: string;
  validation: string;
  run_id: string;
  artifact_path: string;
  source: string;
  description: string;
  created_time: number;
}

type Db = Kysely<{ dataset_versions: DatasetVersionsTable }>;

function toVersion(r: DatasetVersionsTable): DatasetVersion {
  return {
    name: r.name,
    version: Number(r.version),
    digest: r.digest,
    format: r.format as DatasetVersion["format"],
    rows: Number(r.rows),
    schema: JSON.parse(r.schema),
    profile: JSON.parse(r.profile),
    validation: JSON.parse(r.validation),
    runId: r.run_id,
    artifactPath: r.artifact_path,
    source: r.source,
    description: r.description,
    createdTime: Number(r.created_time),
  };
}

/** Dataset versions in the metadata database (SQLite or PostgreSQL). */
export class SqlDataStore {
  readonly #db: Db;

  private constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Db;
  }

  static async open(dialect: SqlDialect): Promise<SqlDataStore> {
    await migrateData(dialect);
    return new SqlDataStore(dialect);
  }

  /** Stores `v` as the next version of its dataset (the number is assigned here, retried on a concurrent insert). */
  async insertVersion(v: Omit<DatasetVersion, "version">): Promise<DatasetVersion> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#db.transaction().execute(async (trx) => {
          const last = await trx
            .selectFrom("dataset_versions")
            .select((eb) => eb.fn.max("version").as("v"))
            .where("name", "=", v.name)
            .executeTakeFirst();
          const version = Number(last?.v ?? 0) + 1;
          await trx
            .insertInto("dataset_versions")
            .values({
              name: v.name,
              version,
              digest: v.digest,
              format: v.format,
              rows: v.rows,
              schema: JSON.stringify(v.schema),
              profile: JSON.stringify(v.profile),
              validation: JSON.stringify(v.validation),
              run_id: v.runId,
              artifact_path: v.artifactPath,
              source: v.source,
              description: v.description,
              created_time: v.createdTime,
            })
            .execute();
          return { ...v, version };
        });
      } catch (e) {
        if (!isUniqueViolation(e) || attempt >= 5) throw e;
      }
    }
  }

  async getVersion(name: string, version: number): Promise<DatasetVersion | null> {
    const r = await this.#db
      .selectFrom("dataset_versions")
      .selectAll()
      .where("name", "=", name)
      .where("version", "=", version)
      .executeTakeFirst();
    return r ? toVersion(r) : null;
  }

  async latest(name: string): Promise<DatasetVersion | null> {
    const r = await this.#db
      .selectFrom("dataset_versions")
      .selectAll()
      .where("name", "=", name)
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    return r ? toVersion(r) : null;
  }

  async versions(name: string): Promise<DatasetVersion[]> {
    const rows = await this.#db
      .selectFrom("dataset_versions")
      .selectAll()
      .where("name", "=", name)
      .orderBy("version", "desc")
      .execute();
    return rows.map(toVersion);
  }

  /** The latest version of every dataset, by name. */
  async datasets(): Promise<DatasetVersion[]> {
    const rows = await this.#db
      .selectFrom("dataset_versions as d")
      .selectAll("d")
      .where(({ eb, selectFrom }) =>
        eb(
          "d.version",
          "=",
          selectFrom("dataset_versions as x")
            .select((x) => x.fn.max("x.version").as("m"))
            .whereRef("x.name", "=", "d.name"),
        ),
      )
      .orderBy("d.name")
      .execute();
    return rows.map(toVersion);
  }
}
