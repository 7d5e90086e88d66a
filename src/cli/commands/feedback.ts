import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import { MAX_FEEDBACK_ITEMS } from "../../monitoring/index.js";
import { cliConfig } from "../context.js";
import { examples } from "../options.js";
import { emit } from "../output.js";
import { withMonitoring } from "./monitor-service.js";

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Returns rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.some((c) => c !== "")) rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  row.push(cell);
  if (row.some((c) => c !== "")) rows.push(row);
  return rows;
}

const scalar = (s: string): string | number =>
  /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : s;

interface FeedbackOptions {
  file: string;
  deployment: string;
  labelColumn: string;
  entityKey?: string;
  timestampColumn: string;
}

/** Feedback items from CSV rows: by request_id [+ row_index], or by the --entity-key columns + timestamp. */
export function feedbackItemsFromCsv(
  text: string,
  o: Omit<FeedbackOptions, "file" | "deployment">,
): Record<string, unknown>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header)
    throw new GyreError("MONITOR_FEEDBACK_INVALID", "The CSV file is empty; expected a header row", {
      field: "file",
    });
  const col = (name: string) => header.findIndex((h) => h.trim() === name);
  const label = col(o.labelColumn);
  if (label < 0) {
    throw new GyreError(
      "MONITOR_FEEDBACK_INVALID",
      `No '${o.labelColumn}' column in the CSV header (${header.join(", ")}); name it with --label-column`,
      { field: "label" },
    );
  }
  const entity = o.entityKey?.split(",").map((k) => [k, col(k)] as const);
  const missing =
    entity?.filter(([, i]) => i < 0).map(([k]) => k) ?? (col("request_id") < 0 ? ["request_id"] : []);
  if (missing.length > 0) {
    throw new GyreError(
      "MONITOR_FEEDBACK_INVALID",
      `Missing column(s) ${missing.join(", ")} in the CSV header; use request_id or --entity-key with ${o.timestampColumn}`,
      { field: "file" },
    );
  }
  const ts = col(o.timestampColumn);
  return rows.map((r) => {
    const item: Record<string, unknown> = { label: scalar(r[label] ?? "") };
    if (entity) {
      item.entity_key = Object.fromEntries(entity.map(([k, i]) => [k, scalar(r[i] ?? "")]));
      const t = r[ts] ?? "";
      item.timestamp = /^\d+$/.test(t) ? Number(t) : new Date(t).toISOString();
    } else {
      item.request_id = r[col("request_id")];
      const ri = col("row_index");
      if (ri >= 0 && r[ri] !== "") item.row_index = Number(r[ri]);
    }
    return item;
  });
}

/** Posts feedback items to a gyre server in chunks of MAX_FEEDBACK_ITEMS; totals what it accepted and matched. Throws the server's GyreError. */
export async function postFeedback(url: string, deployment: string, items: unknown[]) {
  const total = { accepted: 0, matched: 0, unmatched: [] as string[] };
  for (let i = 0; i < items.length; i += MAX_FEEDBACK_ITEMS) {
    const res = await fetch(`${url.replace(/\/$/, "")}/api/v1/monitoring/feedback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ deployment, items: items.slice(i, i + MAX_FEEDBACK_ITEMS) }),
    });
    const body = (await res.json()) as {
      accepted: number;
      matched: number;
      unmatched: string[];
      error?: { code: "MONITOR_FEEDBACK_INVALID"; message: string; field?: string };
    };
    if (body.error)
      throw new GyreError(
        body.error.code,
        body.error.message,
        body.error.field ? { field: body.error.field } : {},
      );
    total.accepted += body.accepted;
    total.matched += body.matched;
    total.unmatched.push(...body.unmatched);
  }
  return total;
}

/** `gyre feedback --file labels.csv --deployment <name>`: ground truth for logged predictions. */
export function registerFeedback(program: Command): void {
  program
    .command("feedback")
    .description(
      "Send ground-truth labels for logged predictions (CSV with request_id[,row_index],label or entity key columns + timestamp)",
    )
    .requiredOption("--file <csv>", "CSV file with a header row")
    .requiredOption("--deployment <name>", "the deployment whose predictions the labels belong to")
    .option("--label-column <name>", "column holding the label", "label")
    .option(
      "--entity-key <columns>",
      "comma-separated entity key columns (match by entity and time instead of request_id)",
    )
    .option(
      "--timestamp-column <name>",
      "with --entity-key: when the label applies (ISO time or epoch ms)",
      "timestamp",
    )
    .addHelpText(
      "after",
      examples([
        "gyre feedback --file labels.csv --deployment flights",
        "gyre feedback --file outcomes.csv --deployment flights --entity-key flight --timestamp-column departed_at --label-column delayed",
        "gyre feedback --file labels.csv --deployment flights --store http://127.0.0.1:5000 --json",
      ]),
    )
    .action(async (o: FeedbackOptions, cmd: Command) => {
      const items = feedbackItemsFromCsv(readFileSync(o.file, "utf8"), o);
      const config = await cliConfig(cmd);
      const result = /^https?:\/\//.test(config.store)
        ? await postFeedback(config.store, o.deployment, items)
        : await withMonitoring(cmd, (svc) => svc.ingestFeedback(o.deployment, items));
      emit(cmd, result, () => {
        process.stdout.write(
          `${result.accepted} labels stored for ${o.deployment}: ${result.matched} matched a logged prediction, ${result.unmatched.length} unmatched (kept; re-checked at every evaluation)\n`,
        );
        for (const k of result.unmatched.slice(0, 10)) process.stdout.write(`  unmatched: ${k}\n`);
      });
    });
}
