import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { GyreError } from "../../core/index.js";
import type { Deployment, ServingService } from "../../serving/index.js";
import { cliConfig, globalOptions } from "../context.js";
import { examples, parseCount } from "../options.js";
import { emit, printTable } from "../output.js";

function parsePercent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError("expected a percentage from 0 to 100");
  return n;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError("expected a fraction from 0 to 1, e.g. 0.1");
  return n;
}

async function withService<T>(cmd: Command, fn: (svc: ServingService) => Promise<T>): Promise<T> {
  const config = await cliConfig(cmd);
  const serving = await import("../../serving/index.js");
  const { deployments } = await serving.loadServingModule(
    resolve(globalOptions(cmd).config ?? "gyre.config.ts"),
  );
  const opened = await serving.openServingService(config, deployments);
  try {
    return await fn(opened.service);
  } finally {
    await opened.close();
  }
}

/** One line describing a deployment's traffic: `flights@champion 90% · canary flights@challenger 10% · shadow …`. */
export function describeTraffic(d: Deployment): string {
  const fmt = (r: { model: string; alias?: string | undefined; version?: number | undefined }) =>
    r.alias !== undefined ? `${r.model}@${r.alias}` : `${r.model}/${r.version}`;
  const parts = d.traffic.variants.map((v) => `${v.name} ${fmt(v.ref)} ${Math.round(v.weight * 10) / 10}%`);
  if (d.traffic.shadow)
    parts.push(`shadow ${fmt(d.traffic.shadow.ref)} (${d.traffic.shadow.sampleRate * 100}% mirrored)`);
  if (d.traffic.stickyKey) parts.push(`sticky by ${d.traffic.stickyKey}`);
  return parts.join(" · ");
}

interface CreateOptions {
  model: string;
  canary?: string;
  percent?: number;
  stickyKey?: string;
  shadow?: string;
  shadowRate?: number;
  featureService?: string;
  entityKey?: string[];
  maxBatchSize?: number;
  maxWaitMs?: number;
  description?: string;
}

function specOf(name: string, o: CreateOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = { name, model: o.model };
  if (o.canary)
    spec.canary = {
      model: o.canary,
      percent: o.percent ?? 10,
      ...(o.stickyKey ? { stickyKey: o.stickyKey } : {}),
    };
  if (o.shadow)
    spec.shadow = { model: o.shadow, ...(o.shadowRate === undefined ? {} : { sampleRate: o.shadowRate }) };
  if (o.featureService) spec.features = { service: o.featureService, entityKeys: o.entityKey ?? [] };
  if (o.maxBatchSize !== undefined || o.maxWaitMs !== undefined) {
    spec.batching = {
      ...(o.maxBatchSize === undefined ? {} : { maxBatchSize: o.maxBatchSize }),
      ...(o.maxWaitMs === undefined ? {} : { maxWaitMs: o.maxWaitMs }),
    };
  }
  if (o.description) spec.description = o.description;
  return spec;
}

function registerList(group: Command): void {
  group
    .command("list")
    .description(
      "List deployments (declared in gyre.config.ts and stored in the metadata database) with their traffic",
    )
    .addHelpText("after", examples(["gyre deployments list", "gyre deployments list --json"]))
    .action(async (_opts: unknown, cmd: Command) => {
      const list = await withService(cmd, (s) => s.list());
      emit(cmd, { deployments: list.map((d) => ({ name: d.name, origin: d.origin, spec: d.spec })) }, () => {
        if (list.length === 0)
          process.stdout.write("No deployments. Create one with `gyre deployments create`.\n");
        else
          printTable(
            ["NAME", "ORIGIN", "TRAFFIC"],
            list.map((d) => [d.name, d.origin, describeTraffic(d)]),
          );
      });
    });
}

function registerCreate(group: Command): void {
  group
    .command("create <name>")
    .description(
      "Create a deployment that serves a registered model by alias (follows it) or a fixed version",
    )
    .requiredOption(
      "--model <ref>",
      "model@alias (follows the alias) or model/version, e.g. flights@champion",
    )
    .option("--canary <ref>", "a challenger that gets --percent of the requests")
    .option("--percent <n>", "canary share in percent (default 10)", parsePercent)
    .option("--sticky-key <field>", "request field whose value keeps a caller on one variant")
    .option(
      "--shadow <ref>",
      "a version that gets a copy of the traffic; its answers are logged, never returned",
    )
    .option("--shadow-rate <fraction>", "share of requests mirrored to the shadow (default 1)", parseRate)
    .option("--feature-service <name>", "fill missing inputs from this feature service's online features")
    .option("--entity-key <field...>", "request fields that are the feature service's entity keys")
    .option(
      "--max-batch-size <rows>",
      "largest merged inference call (default 64; 1 disables batching)",
      parseCount,
    )
    .option("--max-wait-ms <ms>", "how long a request may wait for a batch (default 0)", parseCount)
    .option("--description <text>", "what this deployment is for")
    .addHelpText(
      "after",
      examples([
        "gyre deployments create flights --model flights@champion",
        "gyre deployments create flights --model flights@champion --canary flights@challenger --percent 10",
        "gyre deployments create flights --model flights/3 --shadow flights@challenger --shadow-rate 0.2 --json",
      ]),
    )
    .action(async (name: string, opts: CreateOptions, cmd: Command) => {
      const d = await withService(cmd, (s) => s.create(specOf(name, opts)));
      emit(cmd, { name: d.name, origin: d.origin, spec: d.spec }, () => {
        process.stdout.write(`Created deployment ${d.name}: ${describeTraffic(d)}\n`);
        process.stdout.write("Running `gyre serve` processes pick it up within one poll interval.\n");
      });
    });
}

interface TrafficOptions {
  model?: string;
  canary?: string | false;
  percent?: number;
  stickyKey?: string;
  shadow?: string | false;
  shadowRate?: number;
}

function registerSetTraffic(group: Command): void {
  group
    .command("set-traffic <name>")
    .description("Change a stored deployment's traffic: primary model, canary share, shadow")
    .option("--model <ref>", "new primary model (model@alias or model/version)")
    .option("--canary <ref>", "set the canary model")
    .option("--no-canary", "remove the canary (all traffic to the primary)")
    .option("--percent <n>", "canary share in percent", parsePercent)
    .option("--sticky-key <field>", "request field whose value keeps a caller on one variant")
    .option("--shadow <ref>", "set the shadow model")
    .option("--no-shadow", "stop mirroring traffic")
    .option("--shadow-rate <fraction>", "share of requests mirrored to the shadow", parseRate)
    .addHelpText(
      "after",
      examples([
        "gyre deployments set-traffic flights --canary flights@challenger --percent 25",
        "gyre deployments set-traffic flights --percent 50 --sticky-key origin",
        "gyre deployments set-traffic flights --no-canary --no-shadow",
      ]),
    )
    .action(async (name: string, opts: TrafficOptions, cmd: Command) => {
      const d = await withService(cmd, async (s) => {
        const current = await s.get(name);
        const canary = current.spec.canary as
          | { model: string; percent: number; stickyKey?: string }
          | undefined;
        const shadow = current.spec.shadow as { model: string; sampleRate?: number } | undefined;
        const change: Parameters<ServingService["setTraffic"]>[1] = {};
        if (opts.model) change.model = opts.model;
        if (opts.canary === false) change.canary = null;
        else if (opts.canary || opts.percent !== undefined || opts.stickyKey) {
          const model = opts.canary || canary?.model;
          if (!model)
            throw new GyreError(
              "SERVING_DEPLOYMENT_INVALID",
              `Deployment ${name} has no canary; give --canary <ref>`,
              { field: "canary" },
            );
          const stickyKey = opts.stickyKey ?? canary?.stickyKey;
          change.canary = {
            model,
            percent: opts.percent ?? canary?.percent ?? 10,
            ...(stickyKey ? { stickyKey } : {}),
          };
        }
        if (opts.shadow === false) change.shadow = null;
        else if (opts.shadow || opts.shadowRate !== undefined) {
          const model = opts.shadow || shadow?.model;
          if (!model)
            throw new GyreError(
              "SERVING_DEPLOYMENT_INVALID",
              `Deployment ${name} has no shadow; give --shadow <ref>`,
              { field: "shadow" },
            );
          change.shadow = { model, sampleRate: opts.shadowRate ?? shadow?.sampleRate ?? 1 };
        }
        return s.setTraffic(name, change);
      });
      emit(cmd, { name: d.name, origin: d.origin, spec: d.spec }, () =>
        process.stdout.write(`${d.name}: ${describeTraffic(d)}\n`),
      );
    });
}

function registerDelete(group: Command): void {
  group
    .command("delete <name>")
    .description("Delete a stored deployment; serving processes stop serving it within one poll interval")
    .addHelpText("after", examples(["gyre deployments delete flights"]))
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await withService(cmd, (s) => s.delete(name));
      emit(cmd, { deleted: name }, () => process.stdout.write(`Deleted deployment ${name}\n`));
    });
}

function registerHistory(group: Command): void {
  group
    .command("history <name>")
    .description(
      "A deployment's version timeline, newest first: its recorded changes (create, canary, shadow, delete) and the moves of the aliases it follows",
    )
    .addHelpText(
      "after",
      examples(["gyre deployments history flights", "gyre deployments history flights --json"]),
    )
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const timeline = await withService(cmd, (s) => s.timeline(name));
      emit(cmd, timeline, () => {
        if (timeline.events.length === 0) process.stdout.write(`No recorded changes of ${name}.\n`);
        else
          printTable(
            ["WHEN", "KIND", "CHANGE", "WHO", "WHY"],
            timeline.events.map((e) => [
              new Date(e.time).toISOString(),
              e.kind,
              e.summary,
              e.userId ?? "",
              e.reason ?? "",
            ]),
          );
      });
    });
}

/** `gyre deployments list|create|set-traffic|delete|history` against the metadata database. */
export function registerDeployments(program: Command): void {
  const group = program
    .command("deployments")
    .description("Manage model deployments (which model version serves, canary, shadow, A/B)")
    .addHelpText(
      "after",
      examples(["gyre deployments list", "gyre deployments create flights --model flights@champion"]),
    );
  registerList(group);
  registerCreate(group);
  registerSetTraffic(group);
  registerDelete(group);
  registerHistory(group);
}
