import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import { withTracking } from "../context.js";
import { TransferMeter } from "../meter.js";
import { examples } from "../options.js";
import { emit, formatBytes, printFields, printTable } from "../output.js";

function registerList(group: Command): void {
  group
    .command("list <run-id> [path]")
    .description("List a run's artifacts under path (default: the top level) with size and sha256")
    .addHelpText(
      "after",
      examples(["gyre artifacts list 7f3a9c…", "gyre artifacts list 7f3a9c… model --json"]),
    )
    .action(async (runId: string, path: string | undefined, _opts: unknown, cmd: Command) => {
      const items = await withTracking(cmd, async (client) => {
        const [entries, records] = await Promise.all([
          client.listArtifacts(runId, path ?? ""),
          client.artifactRecords(runId, path ?? ""),
        ]);
        const sha = new Map(records.map((r) => [r.path, r.sha256]));
        return entries.map((e) => ({ ...e, sha256: sha.get(e.path) ?? null }));
      });
      emit(cmd, { items }, () => {
        if (items.length === 0) process.stdout.write(`No artifacts under '${path ?? ""}' in run ${runId}\n`);
        else
          printTable(
            ["PATH", "SIZE", "SHA256"],
            items.map((e) => [
              e.isDir ? `${e.path}/` : e.path,
              e.size === undefined ? "-" : formatBytes(e.size),
              e.sha256 ?? "-",
            ]),
          );
      });
    });
}

/** Downloads to `out` through a `.part` file, so an interrupted download never leaves a truncated `out`. */
async function downloadToFile(source: Readable, meter: TransferMeter, out: string): Promise<void> {
  const part = `${out}.part`;
  try {
    await pipeline(source, meter, createWriteStream(part));
    await rename(part, out);
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
}

function registerGet(group: Command): void {
  group
    .command("get <run-id> <path>")
    .description("Download one artifact file to stdout, or to a file with -o")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .addHelpText(
      "after",
      examples([
        "gyre artifacts get 7f3a9c… model/model.onnx -o model.onnx",
        "gyre artifacts get 7f3a9c… metrics.csv | head",
      ]),
    )
    .action(async (runId: string, path: string, opts: { output?: string }, cmd: Command) => {
      const meter = new TransferMeter(`Downloading ${path}`);
      await withTracking(cmd, async (client) => {
        const source = await client.downloadArtifact(runId, path);
        if (opts.output) await downloadToFile(source, meter, opts.output);
        else await pipeline(source, meter, process.stdout, { end: false });
      });
      if (!opts.output) return;
      const result = { path, output: opts.output, size: meter.bytes, sha256: meter.sha256() };
      emit(cmd, result, () => {
        process.stdout.write(`Downloaded ${path} to ${opts.output}\n`);
        printFields([
          ["size", `${formatBytes(result.size)} (${result.size} bytes)`],
          ["sha256", result.sha256],
        ]);
      });
    });
}

async function localFileSize(file: string): Promise<number> {
  const info = await stat(file).catch(() => null);
  if (!info) throw new GyreError("REQUEST_INVALID", `File '${file}' does not exist`, { field: "local-file" });
  if (!info.isFile()) {
    throw new GyreError("REQUEST_INVALID", `'${file}' is not a file; upload files one at a time`, {
      field: "local-file",
    });
  }
  return info.size;
}

function destination(file: string, dest: string | undefined): string {
  if (!dest) return basename(file);
  return dest.endsWith("/") ? `${dest}${basename(file)}` : dest;
}

function registerPut(group: Command): void {
  group
    .command("put <run-id> <local-file> [dest-path]")
    .description(
      "Upload a file as a run artifact (dest-path defaults to its name; end it with / for a folder)",
    )
    .addHelpText(
      "after",
      examples([
        "gyre artifacts put 7f3a9c… model.onnx",
        "gyre artifacts put 7f3a9c… report.html reports/ --json",
      ]),
    )
    .action(async (runId: string, file: string, dest: string | undefined, _opts: unknown, cmd: Command) => {
      const size = await localFileSize(file);
      const path = destination(file, dest);
      const meter = new TransferMeter(`Uploading ${file}`, size);
      const input = createReadStream(file);
      input.on("error", (e) => meter.destroy(e));
      const record = await withTracking(cmd, (client) =>
        client.uploadArtifact(runId, path, input.pipe(meter)),
      ).finally(() => input.destroy());
      if (record.sha256 !== meter.sha256()) {
        throw new GyreError(
          "INTERNAL",
          `The store recorded a different sha256 for ${path} than was sent; upload it again`,
        );
      }
      emit(cmd, { runId, ...record }, () => {
        process.stdout.write(`Uploaded ${file} to ${record.path} in run ${runId}\n`);
        printFields([
          ["size", `${formatBytes(record.size)} (${record.size} bytes)`],
          ["sha256", record.sha256],
        ]);
      });
    });
}

/** `gyre artifacts list | get | put`. */
export function registerArtifacts(program: Command): void {
  const group = program
    .command("artifacts")
    .description("List, download and upload run artifacts")
    .addHelpText(
      "after",
      examples([
        "gyre artifacts put 7f3a9c… model.onnx",
        "gyre artifacts get 7f3a9c… model.onnx -o model.onnx",
      ]),
    );
  registerList(group);
  registerGet(group);
  registerPut(group);
}
