import type { Command } from "commander";
import { globalOptions } from "./context.js";

/** Prints `value` as one line of JSON when --json is given, otherwise calls `human` to print for people. */
export function emit(cmd: Command, value: unknown, human: () => void): void {
  if (globalOptions(cmd).json) process.stdout.write(`${JSON.stringify(value)}\n`);
  else human();
}

/** Prints `rows` under `headers` as left-aligned columns two spaces apart; newlines in cells show as `\\n`. */
export function printTable(headers: string[], rawRows: string[][], indent = ""): void {
  const rows = rawRows.map((r) => r.map((c) => c.replace(/\r?\n/g, "\\n")));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${[headers, ...rows].map(line).join("\n")}\n`);
}

/** Prints `key value` pairs with the values aligned, indented by two spaces. */
export function printFields(fields: [string, string][]): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`);
}

/** Tells the user how to fetch the next page, if there is one. */
export function printNextPage(token: string | null): void {
  if (token) process.stdout.write(`More results: repeat with --page-token ${token}\n`);
}

/** ms since the epoch as `YYYY-MM-DD HH:MM:SS` in UTC; '-' for null. */
export function formatTime(ms: number | null | undefined): string {
  if (ms == null) return "-";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

/** A byte count in binary units, e.g. `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The URI with any password replaced by `***`, safe to print. */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (!url.password) return uri;
    url.password = "***";
    return url.toString();
  } catch {
    return uri;
  }
}
