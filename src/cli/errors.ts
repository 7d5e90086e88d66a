import { CommanderError } from "commander";
import { isGyreError } from "../core/index.js";

/** Exit code for command-line usage mistakes: the same as an invalid argument. */
const USAGE_EXIT = 2;

/**
 * Prints `err` for a person on stderr and returns the exit code: a GyreError's own (by category),
 * 2 for usage mistakes (commander has already printed those), 1 for anything unexpected.
 */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT;
  if (isGyreError(err)) {
    const field = err.field ? `\n  field: ${err.field}` : "";
    process.stderr.write(`error [${err.code}]: ${err.message}${field}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  return 1;
}
