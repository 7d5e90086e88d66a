/** One sample of the Prometheus text exposition format: `name{labels} value`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses one sample line; null for a line that is not a well-formed sample. */
function parseLine(line: string): PromSample | null {
  const brace = line.indexOf("{");
  const space = line.indexOf(" ");
  const labels: Record<string, string> = {};
  let rest: string;
  let name: string;
  if (brace >= 0 && (space < 0 || brace < space)) {
    name = line.slice(0, brace);
    let pos = brace + 1;
    for (;;) {
      LABEL.lastIndex = pos;
      const m = LABEL.exec(line);
      if (!m) break;
      labels[m[1]!] = unescapeLabel(m[2]!);
      pos = LABEL.lastIndex;
    }
    while (line[pos] === " ") pos++;
    // Anything but the closing brace after the last well-formed label makes the line malformed.
    if (line[pos] !== "}") return null;
    const close = pos;
    rest = line.slice(close + 1);
  } else {
    if (space < 0) return null;
    name = line.slice(0, space);
    rest = line.slice(space);
  }
  const value = parseValue(rest.trim().split(/\s+/)[0] ?? "");
  return Number.isNaN(value) ? null : { name, labels, value };
}

/**
 * The samples of the metric families whose names start with one of `prefixes`, from Prometheus text
 * exposition (comments, other families and malformed lines are skipped). Label values are unescaped.
 */
export function parsePrometheusText(text: string, prefixes: string[]): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (!prefixes.some((p) => line.startsWith(p))) continue;
    const s = parseLine(line);
    if (s) out.push(s);
  }
  return out;
}

/**
 * The `q` quantile (0..1) of a histogram from its cumulative bucket counts (`le` upper bounds ascending,
 * the last +Inf), interpolated linearly inside the bucket as Prometheus's `histogram_quantile` does.
 * Null when the histogram is empty; the largest finite bound when the rank falls in the +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: { le: number; count: number }[]): number | null {
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) return prevLe;
      const inBucket = b.count - prevCount;
      return inBucket <= 0 ? b.le : prevLe + ((b.le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}
