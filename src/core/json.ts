/**
 * JSON bodies as Python clients send them: `json.dumps` writes bare NaN, Infinity and -Infinity for
 * non-finite floats. Standard JSON.parse refuses those, so on failure we quote them (outside strings)
 * and parse again; `toDouble` turns the quoted forms back into numbers.
 */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    return JSON.parse(quoteNonFinite(text));
  }
}

function quoteNonFinite(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (m) {
      out += `"${m[1]}"`;
      i += m[1]!.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** Number, or one of the strings "NaN", "Infinity", "-Infinity" (protobuf JSON), or a numeric string → number. */
export function toDouble(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity" || v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity" || v === "-inf") return Number.NEGATIVE_INFINITY;
  const n = v.trim() === "" ? Number.NaN : Number(v);
  return Number.isNaN(n) ? undefined : n;
}

/** A double for a JSON response: non-finite values become protobuf's JSON strings. */
export function fromDouble(v: number): number | string {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}
