import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import {
  MANIFEST_FILE,
  type PackageProblem,
  packPackage,
  unpackPackage,
  validatePackage,
  verifyPackage,
  withPackageDir,
} from "../../registry/index.js";
import { examples } from "../options.js";
import { emit, formatBytes, printFields, printTable } from "../output.js";

function registerPack(models: Command): void {
  models
    .command("pack <dir>")
    .description("Verify a model package directory and write it as a .tar.gz")
    .option("-o, --output <file>", "archive to write (default: <dir name>.tar.gz here)")
    .addHelpText(
      "after",
      examples(["gyre models pack ./model", "gyre models pack ./model -o flights-v3.tar.gz --json"]),
    )
    .action(async (dir: string, opts: { output?: string }, cmd: Command) => {
      const out = opts.output ?? `${basename(resolve(dir))}.tar.gz`;
      const packed = await packPackage(dir, out);
      const result = {
        file: packed.file,
        size: packed.size,
        sha256: packed.sha256,
        files: packed.manifest.files.length,
      };
      emit(cmd, result, () => {
        process.stdout.write(`Packed ${dir} into ${packed.file}\n`);
        printFields([
          ["flavor", packed.manifest.flavor],
          ["files", `${result.files} + ${MANIFEST_FILE}`],
          ["size", `${formatBytes(packed.size)} (${packed.size} bytes)`],
          ["sha256", packed.sha256],
        ]);
      });
    });
}

function registerUnpack(models: Command): void {
  models
    .command("unpack <file> <dir>")
    .description("Extract a package .tar.gz into a new or empty directory and verify it")
    .addHelpText("after", examples(["gyre models unpack flights-v3.tar.gz ./flights-v3"]))
    .action(async (file: string, dir: string, _opts: unknown, cmd: Command) => {
      const files = await unpackPackage(file, dir);
      const verified = await verifyPackage(dir);
      emit(cmd, { dir, files, ok: verified.ok, problems: verified.problems }, () => {
        process.stdout.write(`Unpacked ${files.length} files from ${file} into ${dir}\n`);
        if (!verified.ok) printProblems(verified.problems);
      });
      if (!verified.ok) throw failed(file, verified.problems.length);
    });
}

function registerVerify(models: Command): void {
  models
    .command("verify <package>")
    .description(
      "Check a package directory or .tar.gz: manifest schema, file sizes and sha256, no extra files",
    )
    .option("--load", "also load the model with its flavor and check the signature against it")
    .addHelpText(
      "after",
      examples(["gyre models verify ./model", "gyre models verify flights-v3.tar.gz --load --json"]),
    )
    .action(async (path: string, opts: { load?: boolean }, cmd: Command) => {
      const verified = await withPackageDir(path, verifyPackage);
      const { manifest, ...result } = verified;
      const loaded = Boolean(verified.ok && opts.load);
      if (loaded) await validatePackage(path);
      const summary = {
        ...result,
        flavor: manifest?.flavor ?? null,
        files: manifest?.files.length ?? null,
        loaded,
      };
      emit(cmd, summary, () => {
        if (!verified.ok) return printProblems(verified.problems);
        const load = loaded ? "; the model loads and matches its signature" : "";
        process.stdout.write(
          `${path}: ok — ${manifest!.flavor} package, ${manifest!.files.length} files verified${load}\n`,
        );
      });
      if (!verified.ok) throw failed(path, verified.problems.length);
    });
}

function printProblems(problems: PackageProblem[]): void {
  printTable(
    ["PATH", "PROBLEM", "DETAIL"],
    problems.map((p) => [p.path, p.problem, p.message]),
  );
}

function failed(path: string, count: number): GyreError {
  const noun = count === 1 ? "problem" : "problems";
  return new GyreError(
    "REGISTRY_PACKAGE_INVALID",
    `${path} failed verification with ${count} ${noun} (listed above)`,
  );
}

/** Adds `pack`, `unpack` and `verify` to the `gyre models` command group. */
export function registerModelPackage(models: Command): void {
  registerPack(models);
  registerUnpack(models);
  registerVerify(models);
}
