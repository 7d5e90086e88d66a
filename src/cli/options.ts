import { InvalidArgumentError } from "commander";
import type { Tag } from "../metadata/index.js";

/** Commander parser for a non-negative integer option value; anything else is a usage error (exit 2). */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number, e.g. 100");
  return Number(value);
}

/** Commander parser for a repeatable `--tag key=value`; collects the tags in the order given. */
export function parseTag(value: string, previous: Tag[] = []): Tag[] {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected key=value, e.g. --tag team=forecasting");
  return [...previous, { key: value.slice(0, eq), value: value.slice(eq + 1) }];
}

/** The "Examples:" section appended to a command's --help. */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}
