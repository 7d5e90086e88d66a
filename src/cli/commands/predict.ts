import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { type ErrorCode, GyreError } from "../../core/index.js";
import { examples, parseCount } from "../options.js";
import { emit } from "../output.js";

interface PredictOptions {
  input: string;
  url: string;
  version?: number;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "REQUEST_INVALID",
  404: "SERVING_DEPLOYMENT_NOT_FOUND",
  413: "REQUEST_TOO_LARGE",
  415: "SERVING_UNSUPPORTED_MEDIA_TYPE",
  503: "SERVING_MODEL_NOT_READY",
};

/** Where and how to send `text`: OIP v2 for `{inputs: [{name, datatype, …}]}`, CSV or MLflow JSON otherwise. */
function route(
  deployment: string,
  file: string,
  text: string,
  o: PredictOptions,
): { path: string; type: string } {
  const name = encodeURIComponent(deployment);
  if (file.endsWith(".csv")) return { path: `/deployments/${name}/invocations`, type: "text/csv" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new GyreError(
      "REQUEST_INVALID",
      `${file} is not JSON (${(e as Error).message}); give a .json or .csv file`,
      { field: "input" },
    );
  }
  const inputs = (body as { inputs?: unknown }).inputs;
  const isV2 =
    Array.isArray(inputs) && inputs.some((i) => typeof i === "object" && i !== null && "datatype" in i);
  if (isV2 || o.version !== undefined) {
    const version = o.version === undefined ? "" : `/versions/${o.version}`;
    return { path: `/v2/models/${name}${version}/infer`, type: "application/json" };
  }
  return { path: `/deployments/${name}/invocations`, type: "application/json" };
}

async function predict(deployment: string, o: PredictOptions, cmd: Command): Promise<void> {
  const text = await readFile(o.input, "utf8").catch((e: Error) => {
    throw new GyreError("REQUEST_INVALID", `Cannot read ${o.input}: ${e.message}`, { field: "input" });
  });
  const { path, type } = route(deployment, o.input, text, o);
  const url = `${o.url.replace(/\/+$/, "")}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": type }, body: text });
  } catch {
    throw new GyreError(
      "SERVING_UNREACHABLE",
      `Cannot reach ${o.url} — start it with \`gyre serve\` or pass --url`,
      { field: "url" },
    );
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const message = String(body.message ?? body.error ?? res.statusText);
    throw new GyreError(STATUS_CODES[res.status] ?? "INTERNAL", `${deployment}: ${message}`, {
      field: "input",
    });
  }
  const version = res.headers.get("x-gyre-model-version") ?? (body.model_version as string | undefined);
  emit(cmd, body, () => {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    if (version) process.stderr.write(`(answered by ${deployment} version ${version})\n`);
  });
}

/** `gyre predict <deployment> --input file`: one request to a running `gyre serve`. */
export function registerPredict(program: Command): void {
  program
    .command("predict <deployment>")
    .description("Send one prediction request to a running `gyre serve` and print the answer")
    .requiredOption(
      "--input <file>",
      "request body: MLflow JSON (dataframe_split/_records, instances, inputs), OIP v2 JSON, or .csv",
    )
    .option("--url <url>", "where `gyre serve` listens", "http://127.0.0.1:8080")
    .option(
      "--version <n>",
      "ask this model version (OIP v2 versions path) instead of the traffic split",
      parseCount,
    )
    .addHelpText(
      "after",
      examples([
        "gyre predict flights --input request.json",
        "gyre predict flights --input flights.csv --url http://10.0.0.5:8080",
        "gyre predict flights --input v2-request.json --version 3 --json",
      ]),
    )
    .action(predict);
}
