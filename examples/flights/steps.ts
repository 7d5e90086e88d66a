/**
 * Function steps of the flights project's pipelines. gyre runs them in pooled worker processes; each opens
 * the workspace (project.ts), reads its staged inputs, writes its declared outputs and returns metrics.
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { fatal, type StepContext } from "../../src/pipelines/index.js";
import { type ActiveRun, connect } from "../../src/sdk/index.js";
import { type ColumnSpec, logLoss, type Row, rocAuc, trainTabular } from "../../src/training/index.js";
import { openProject } from "./project.js";
import { scoreVersion } from "./score.js";

const DAY = 86_400_000;
const str = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The model's inputs: the online features of delay_model plus the departure hour from the request. */
export const DELAY_SPEC: ColumnSpec = {
  features: [
    { name: "dep_hour", type: "numeric" },
    { name: "avg_delay_1d", type: "numeric" },
    { name: "share_delayed_1d", type: "numeric" },
    { name: "flights_1d", type: "numeric" },
    { name: "avg_delay_7d", type: "numeric" },
    { name: "share_delayed_7d", type: "numeric" },
    { name: "flights_7d", type: "numeric" },
    { name: "route_share_delayed_7d", type: "numeric" },
    { name: "route_flights_7d", type: "numeric" },
    { name: "route_distance", type: "numeric" },
  ],
  label: "delayed",
};

/** The daily aggregates the feature views read, as DuckDB SQL over the raw flights. */
const DAILY = {
  airport_daily: `SELECT origin, date_trunc('day', date) AS day, count(*) AS n, sum(delay) AS delay_sum,
      count(*) FILTER (WHERE delay > 15) AS n_delayed FROM flights GROUP BY ALL ORDER BY day, origin`,
  route_daily: `SELECT origin, destination, date_trunc('day', date) AS day, count(*) AS n,
      count(*) FILTER (WHERE delay > 15) AS n_delayed, avg(distance) AS distance
      FROM flights GROUP BY ALL ORDER BY day, origin, destination`,
};

/**
 * Feature pipeline, step one: checks that the latest version of the raw dataset passed its expectations,
 * aggregates it per origin and per route and day (DuckDB), and registers the aggregates as datasets
 * (unchanged bytes register nothing new), recording the raw dataset as this step's input.
 */
export async function aggregate(ctx: StepContext) {
  const p = await openProject(ctx.trackingUri);
  try {
    const raw = await p.data.get(String(ctx.params.dataset));
    if (!raw.validation.valid) throw fatal(`Dataset ${raw.name} v${raw.version} failed its expectations`);
    const file = await p.data.localFile(raw.name, raw.version);
    const db = await (await DuckDBInstance.create(":memory:", { threads: "2" })).connect();
    const registered: Record<string, number> = {};
    try {
      await db.run(`CREATE VIEW flights AS SELECT * FROM read_parquet(${str(file.path)})`);
      for (const [name, sql] of Object.entries(DAILY)) {
        const out = join(ctx.workDir, `${name}.parquet`);
        await db.run(`COPY (${sql}) TO ${str(out)} (FORMAT parquet)`);
        const r = await p.data.register(name, out, {
          description: `Daily aggregates of ${raw.name} v${raw.version} (flights pipeline)`,
        });
        registered[`${name}_version`] = r.version.version;
      }
    } finally {
      db.closeSync();
    }
    await p.tracking.logInputs(ctx.runId, [
      {
        tags: [{ key: "mlflow.data.context", value: "feature-pipeline" }],
        dataset: { name: raw.name, digest: raw.digest.slice(0, 16), sourceType: "gyre", source: raw.source },
      },
    ]);
    writeFileSync(
      ctx.outputs.report!,
      JSON.stringify({ dataset: raw.name, version: raw.version, ...registered }),
    );
    return { metrics: { dataset_version: raw.version, rows: raw.rows, ...registered } };
  } finally {
    await p.close();
  }
}

/** Apply the feature definitions (one transaction) and materialize the online store up to `until`. */
export async function materialize(ctx: StepContext) {
  const p = await openProject(ctx.trackingUri);
  try {
    const plan = await p.features.apply();
    const end = Date.parse(String(ctx.params.until));
    if (Number.isNaN(end)) throw fatal(`until '${ctx.params.until}' is not a date (e.g. 2001-04-01)`);
    const res = await p.features.materialize({ incremental: true, end });
    const rows = res.views.reduce((a, v) => a + v.rows, 0);
    writeFileSync(ctx.outputs.summary!, JSON.stringify({ changes: plan.changes?.length ?? 0, ...res }));
    return { metrics: { materialized_rows: rows, watermark: end } };
  } finally {
    await p.close();
  }
}

/** The end of the training data: the `until` parameter, or the online store's watermark (what is known now). */
async function resolveUntil(p: Awaited<ReturnType<typeof openProject>>, until: string): Promise<number> {
  if (until) return Date.parse(until);
  const stats = await p.features.stats("airport_delays_1d");
  if (stats.watermark === null) throw fatal("Nothing is materialized yet: run the flights-features pipeline");
  return stats.watermark;
}

/**
 * Training set: every flight in [until − train_days − eval_days, until) as an entity row (origin, destination,
 * departure time and hour, label), joined point-in-time with delay_model's features, saved as a training set
 * (lineage on this step's run); rows without features are dropped, then split by time into train and eval.
 */
export async function trainingSet(ctx: StepContext) {
  const p = await openProject(ctx.trackingUri);
  try {
    const until = await resolveUntil(p, String(ctx.params.until));
    const evalFrom = until - Number(ctx.params.eval_days) * DAY;
    const from = evalFrom - Number(ctx.params.train_days) * DAY;
    const file = await p.data.localFile(String(ctx.params.dataset));
    const iso = (t: number) => str(new Date(t).toISOString().slice(0, 19).replace("T", " "));
    const set = await p.features.getHistoricalFeatures({
      entities: {
        sql: `SELECT origin, destination, date AS event_timestamp, hour(date) AS dep_hour,
                CAST(delay > 15 AS INTEGER) AS delayed
              FROM read_parquet(${str(file.path)})
              WHERE date >= TIMESTAMP ${iso(from)} AND date < TIMESTAMP ${iso(until)}`,
      },
      featureService: "delay_model",
      name: "flights-delay-training",
      runId: ctx.runId,
    });
    const data = await p.localPath(set.dataPath);
    const db = await (await DuckDBInstance.create(":memory:", { threads: "2" })).connect();
    const complete = DELAY_SPEC.features.map((f) => `${f.name} IS NOT NULL`).join(" AND ");
    // A sample chosen by a hash of each row and written in time order: the same data gives the same bytes,
    // so an unchanged training set is a cache hit for the train step.
    const split = async (where: string, n: number, out: string) => {
      const key = "origin, destination, event_timestamp, dep_hour, delayed";
      const limit = n > 0 ? `LIMIT ${n}` : "";
      await db.run(`COPY (SELECT * FROM (SELECT * FROM read_parquet(${str(data)}) WHERE ${complete} AND ${where}
                      ORDER BY hash(${key}), ${key} ${limit}) ORDER BY event_timestamp, origin, destination, dep_hour, delayed)
                    TO ${str(out)} (FORMAT parquet)`);
    };
    await split(
      `event_timestamp < TIMESTAMP ${iso(evalFrom)}`,
      Number(ctx.params.sample),
      ctx.outputs.train!,
    );
    await split(
      `event_timestamp >= TIMESTAMP ${iso(evalFrom)}`,
      Number(ctx.params.eval_sample),
      ctx.outputs.eval!,
    );
    db.closeSync();
    return { metrics: { rows: set.rowCount, from, eval_from: evalFrom, until } };
  } finally {
    await p.close();
  }
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/** Rows of a Parquet file as plain objects (numbers for numeric columns). */
export async function readRows(path: string): Promise<Row[]> {
  const db = await (await DuckDBInstance.create(":memory:", { threads: "2" })).connect();
  try {
    const cols = [...DELAY_SPEC.features.map((f) => `CAST(${f.name} AS DOUBLE) AS ${f.name}`), "delayed"];
    const reader = await db.runAndReadAll(`SELECT ${cols.join(", ")} FROM read_parquet('${path}')`);
    return reader.getRowObjectsJS().map((r) => ({ ...r, delayed: Number(r.delayed) }) as Row);
  } finally {
    db.closeSync();
  }
}

/** Train: the reference trainer (TF.js → ONNX with the preprocessing in the graph) in a nested tracking run. */
export async function train(ctx: StepContext) {
  const [rows, test] = await Promise.all([
    readRows(ctx.inputs.train as string),
    readRows(ctx.inputs.eval as string),
  ]);
  if (rows.length < 100) throw fatal(`Only ${rows.length} training rows: widen train_days`);
  const gyre = await connect({ store: ctx.trackingUri });
  let run: ActiveRun | null = null;
  try {
    const step = await gyre.tracking.getRun(ctx.runId);
    run = await gyre.startRun({
      experimentId: step.info.experimentId,
      parent: ctx.runId,
      runName: "reference-trainer",
      exitHooks: false,
      git: false,
    });
    // Lineage: the model version registered from this run leads back to the data it learned from.
    await run.logInputs(
      await Promise.all(
        (["train", "eval"] as const).map(async (port) => ({
          tags: [{ key: "mlflow.data.context", value: port === "train" ? "training" : "evaluation" }],
          dataset: {
            name: `flights-delay-${port}`,
            digest: (await sha256(ctx.inputs[port] as string)).slice(0, 16),
            sourceType: "gyre",
            source: `pipeline step training-set (run ${step.info.runId}), output ${port}`,
          },
        })),
      ),
    );
    const hidden = String(ctx.params.hidden).split("x").filter(Boolean).map(Number);
    const trained = await trainTabular(rows, DELAY_SPEC, {
      head: hidden.length ? { kind: "mlp", hidden } : { kind: "linear" },
      epochs: Number(ctx.params.epochs),
      patience: 2,
      seed: 42,
      testData: test,
      run,
      progress: false,
    });
    await run.end("FINISHED");
    const m = trained.evaluation?.metrics;
    const auc = m && "rocAuc" in m ? m.rocAuc : Number.NaN;
    const ll = m && "logLoss" in m ? m.logLoss : Number.NaN;
    writeFileSync(
      ctx.outputs.model!,
      JSON.stringify({ runId: run.runId, artifactPath: "model", auc, logLoss: ll }),
    );
    return {
      metrics: { train_rows: rows.length, eval_rows: test.length, eval_roc_auc: auc, eval_log_loss: ll },
    };
  } catch (e) {
    await run?.end("FAILED").catch(() => undefined);
    throw e;
  } finally {
    await gyre.close();
  }
}

/** Log loss of predicting the base rate of `labels` for every row: what a model must beat. */
function baselineLogLoss(labels: number[]): number {
  const p = labels.reduce((a, b) => a + b, 0) / labels.length;
  return p <= 0 || p >= 1 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
}

/**
 * Quality gate, part one: the candidate against the current champion scored on the same evaluation rows
 * (ONNX Runtime over its registered package); the first model is gated against predicting the base rate.
 * The gate metric is log loss (lower is better; it sees calibration as well as ranking); ROC AUC is reported.
 * Writes `pass` = 1 when the candidate's log loss is at most the champion's plus `tolerance` of it (relative:
 * log loss scales with the base rate, which changes with the season).
 */
export async function gate(ctx: StepContext) {
  const candidate = JSON.parse(await readFile(ctx.inputs.model as string, "utf8")) as {
    auc: number;
    logLoss: number;
  };
  const rows = await readRows(ctx.inputs.eval as string);
  const labels = rows.map((r) => Number(r.delayed));
  const gyre = await connect({ store: ctx.trackingUri });
  try {
    const registry = await gyre.registry();
    const name = String(ctx.params.model);
    const champion = await registry.getModelVersionByAlias(name, "champion").catch(() => null);
    const scores = champion ? await scoreVersion(gyre.tracking, champion, rows) : null;
    const championLogLoss = scores ? logLoss(labels, scores) : baselineLogLoss(labels);
    const improvement = championLogLoss - candidate.logLoss;
    const metrics = {
      candidate_log_loss: candidate.logLoss,
      champion_log_loss: championLogLoss,
      candidate_roc_auc: candidate.auc,
      champion_roc_auc: scores ? rocAuc(labels, scores) : 0.5,
      champion_version: champion ? Number(champion.version) : 0,
      improvement,
      pass: improvement >= -Number(ctx.params.tolerance) * championLogLoss ? 1 : 0,
    };
    writeFileSync(ctx.outputs.decision!, JSON.stringify(metrics));
    return { metrics };
  } finally {
    await gyre.close();
  }
}

/**
 * Quality gate, part two (runs only when the gate passed): registers the candidate and points an alias at it —
 * `champion` for the first model, `challenger` otherwise (serving then runs it as a canary before promotion).
 */
export async function register(ctx: StepContext) {
  const model = JSON.parse(await readFile(ctx.inputs.model as string, "utf8")) as { runId: string };
  const decision = JSON.parse(await readFile(ctx.inputs.decision as string, "utf8")) as Record<
    string,
    number
  >;
  const gyre = await connect({ store: ctx.trackingUri });
  try {
    const registry = await gyre.registry();
    const name = String(ctx.params.model);
    await registry
      .createRegisteredModel(name, { description: "Flight delayed > 15 min" })
      .catch(() => undefined);
    const v = await registry.createModelVersion({
      name,
      source: `runs:/${model.runId}/model`,
      runId: model.runId,
    });
    if (v.status !== "READY") throw fatal(`Registration failed: ${v.statusMessage}`);
    const alias = decision.champion_version ? "challenger" : "champion";
    const against = decision.champion_version ? `champion v${decision.champion_version}` : "the base rate";
    const reason = `gate: log loss ${decision.candidate_log_loss!.toFixed(4)} vs ${against} ${decision.champion_log_loss!.toFixed(4)}`;
    await registry.setAlias(name, alias, v.version, { reason });
    writeFileSync(ctx.outputs.version!, JSON.stringify({ name, version: v.version, alias }));
    return { metrics: { version: Number(v.version), champion: alias === "champion" ? 1 : 0 } };
  } finally {
    await gyre.close();
  }
}
