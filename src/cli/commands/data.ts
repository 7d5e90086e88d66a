import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import { type DatasetVersion, type Expectations, type Inspection, openData } from "../../data/index.js";
import { cliConfig } from "../context.js";
import { examples } from "../options.js";
import { emit, formatTime, printFields, printTable } from "../output.js";

async function withData<T>(
  cmd: Command,
  fn: (data: Awaited<ReturnType<typeof openData>>["data"]) => Promise<T>,
) {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre data` registers files from this machine: point --store at the database (sqlite://…, postgres://…)",
      { field: "store" },
    );
  }
  const opened = await openData({ store: config.store, artifacts: config.artifacts });
  try {
    return await fn(opened.data);
  } finally {
    await opened.close();
  }
}

async function readExpectations(file: string | undefined): Promise<Expectations> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, "utf8")) as Expectations;
  } catch (e) {
    throw new GyreError("DATA_INVALID", `Cannot read expectations from ${file}: ${(e as Error).message}`, {
      field: "expect",
    });
  }
}

function printReport(i: Pick<Inspection, "rows" | "schema" | "profile" | "validation">): void {
  const rows = i.profile.map((p) => {
    const type = i.schema.find((c) => c.name === p.name)?.type ?? "";
    const range = p.top
      ? p.top
          .slice(0, 3)
          .map((t) => `${t.value} (${t.count})`)
          .join(", ")
      : p.min !== undefined
        ? `${p.min} … ${p.max}${p.mean !== undefined ? `, mean ${Number(p.mean).toPrecision(4)}` : ""}`
        : "";
    return [p.name, type, `${(p.nullRate * 100).toFixed(1)} %`, String(p.distinct), range];
  });
  printTable(["COLUMN", "TYPE", "NULLS", "DISTINCT", "RANGE / TOP"], rows);
  const v = i.validation;
  process.stdout.write(
    `\n${i.rows} rows — ${v.valid ? "valid" : `${v.issues.length} failed expectation(s):`}\n`,
  );
  for (const issue of v.issues) process.stdout.write(`  ✗ ${issue.message}\n`);
}

function printVersion(v: DatasetVersion): void {
  printFields([
    ["dataset", `${v.name} v${v.version}`],
    ["digest", v.digest],
    ["format", v.format],
    ["source", v.source],
    ["stored in", `run ${v.runId}, ${v.artifactPath}`],
    ["registered", `${formatTime(v.createdTime)} UTC`],
    ...(v.description ? ([["description", v.description]] as [string, string][]) : []),
  ]);
  process.stdout.write("\n");
  printReport(v);
}

/** `gyre data register|list|describe|validate`: versioned datasets (C2). */
export function registerData(program: Command): void {
  const group = program
    .command("data")
    .description("Versioned datasets: register, profile and validate data files");
  group
    .command("register <name> <file>")
    .description(
      "Register a Parquet, CSV or JSON file as the next version of a dataset (unchanged bytes: nothing new)",
    )
    .option(
      "--expect <file.json>",
      "expectations the data must meet: {minRows, columns: {col: {type, nullable, min, max, values, pattern}}}",
    )
    .option("--description <text>", "what this version is")
    .option("--allow-invalid", "register even when expectations fail (the report is kept with the version)")
    .addHelpText(
      "after",
      examples([
        "gyre data register flights ./flights-3m.parquet --expect flights.expect.json",
        "gyre data register flights ./march.csv --description 'March 2001' --json",
      ]),
    )
    .action(
      async (
        name: string,
        file: string,
        o: { expect?: string; description?: string; allowInvalid?: boolean },
        cmd: Command,
      ) => {
        const expectations = await readExpectations(o.expect);
        const res = await withData(cmd, (data) =>
          data.register(name, resolve(file), {
            expectations,
            description: o.description,
            allowInvalid: o.allowInvalid,
          }),
        );
        emit(cmd, res, () => {
          const v = res.version;
          const what = res.created
            ? `registered ${v.name} v${v.version}`
            : `unchanged: ${v.name} v${v.version} has the same bytes`;
          process.stdout.write(`${what} (${v.rows} rows, digest ${v.digest.slice(0, 12)})\n`);
        });
      },
    );
  group
    .command("list [name]")
    .description("List datasets (latest version of each), or every version of one dataset")
    .addHelpText("after", examples(["gyre data list", "gyre data list flights --json"]))
    .action(async (name: string | undefined, _o: unknown, cmd: Command) => {
      const list = await withData(cmd, (data) => (name ? data.versions(name) : data.datasets()));
      const rows = list.map((v) => [
        v.name,
        String(v.version),
        String(v.rows),
        v.validation.valid ? "valid" : `${v.validation.issues.length} issue(s)`,
        v.digest.slice(0, 12),
        formatTime(v.createdTime),
      ]);
      emit(cmd, list, () =>
        printTable(["DATASET", "VERSION", "ROWS", "VALIDATION", "DIGEST", "REGISTERED (UTC)"], rows),
      );
    });
  group
    .command("describe <name> [version]")
    .description("Schema, column statistics and validation report of a version (default: the latest)")
    .action(async (name: string, version: string | undefined, _o: unknown, cmd: Command) => {
      const v = await withData(cmd, (data) =>
        data.get(name, version === undefined ? undefined : Number(version)),
      );
      emit(cmd, v, () => printVersion(v));
    });
  group
    .command("validate <file>")
    .description("Profile a file and check expectations without registering it (exit code 6 when it fails)")
    .option("--expect <file.json>", "expectations the data must meet")
    .action(async (file: string, o: { expect?: string }, cmd: Command) => {
      const expectations = await readExpectations(o.expect);
      const r = await withData(cmd, (data) => data.inspect(resolve(file), expectations));
      emit(cmd, r, () => printReport(r));
      if (!r.validation.valid)
        throw new GyreError(
          "DATA_VALIDATION_FAILED",
          `${file} fails ${r.validation.issues.length} expectation(s)`,
          {
            field: "expect",
          },
        );
    });
}
