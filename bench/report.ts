/** Figures of a bench run: what was measured, against which target, and how it prints. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Figure {
  backend: string;
  name: string;
  unit: string;
  value: number;
  /** null when the figure is informational. */
  target: number | null;
  better: "higher" | "lower";
  pass: boolean | null;
  /** value / target (higher-is-better) or target / value (lower-is-better): ≥ 1 meets the target. */
  ofTarget: number | null;
  /** The raw-driver ceiling for the same work, and value / ceiling. */
  ceiling?: number;
  ofCeiling?: number;
  detail?: Record<string, unknown>;
}

export function figure(f: Omit<Figure, "pass" | "ofTarget">): Figure {
  const ofTarget =
    f.target === null
      ? null
      : f.better === "higher"
        ? f.value / f.target
        : f.target / Math.max(f.value, 1e-9);
  const out: Figure = { ...f, pass: ofTarget === null ? null : ofTarget >= 1, ofTarget };
  if (f.ceiling !== undefined) out.ofCeiling = f.value / f.ceiling;
  return out;
}

function num(v: number, unit: string): string {
  if (unit === "%") return `${v.toFixed(1)} %`;
  if (unit === "ms") return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
  // Small values keep their precision (a 2.97× speed-up must not print as "3 ×", 1.8e-3 not as "0").
  if (v !== 0 && Math.abs(v) < 0.01) return `${v.toExponential(1)} ${unit}`;
  if (Math.abs(v) < 100) return `${Number(v.toPrecision(3))} ${unit}`;
  return `${Math.round(v).toLocaleString("en-US")} ${unit}`;
}

/** A fixed-width table of figures for the terminal. */
export function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.backend,
    f.name,
    num(f.value, f.unit),
    f.target === null ? "—" : `${f.better === "higher" ? "≥" : "≤"} ${num(f.target, f.unit)}`,
    f.pass === null ? "info" : f.pass ? "PASS" : "FAIL",
    [
      f.ofTarget === null ? "" : `${f.ofTarget.toFixed(2)}× target`,
      f.ofCeiling === undefined ? "" : `${(f.ofCeiling * 100).toFixed(1)} % of ceiling`,
    ]
      .filter(Boolean)
      .join("; "),
  ]);
  const head = ["backend", "figure", "measured", "target", "result", "ratio"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Writes `{ meta, figures }` as bench/results/<name>.json. */
export function writeResults(name: string, meta: unknown, figures: Figure[]): void {
  const dir = new URL("./results/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ meta, figures }, null, 2)}\n`);
}
