/**
 * Tokeniser for search filters and `order_by` clauses. Splits `metrics.\`my acc\` >= -1.5e3 AND ...`
 * into identifiers (with their entity prefix split off), literals, comparators and keywords, keeping the
 * 0-based offset of every token so the parser can point at the exact spot of a mistake.
 */
import { GyreError } from "../../core/errors.js";

/** A comparator after normalisation (`<>` becomes `!=`). */
export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** The reserved words of the grammar, always upper-cased (they are matched case-insensitively). */
export type Keyword = "AND" | "OR" | "NOT" | "IN" | "LIKE" | "ILIKE" | "IS" | "NULL";

const KEYWORDS: ReadonlySet<string> = new Set(["AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL"]);

interface Span {
  /** 0-based offset of the first character. */
  pos: number;
  /** Offset just past the last character. */
  end: number;
  /** The token exactly as written. */
  text: string;
}

/** An identifier: `prefix.key` (prefix `null` for bare names such as `run_id`). */
export interface IdentToken extends Span {
  kind: "ident";
  prefix: string | null;
  /** The key with quotes removed and escapes resolved. */
  key: string;
  /** True when the key was written in backticks or double quotes. */
  quoted: boolean;
}

/** One lexical token. `eof` is always the last one and sits at `input.length`. */
export type Token =
  | IdentToken
  | (Span & { kind: "string"; value: string })
  | (Span & { kind: "number"; value: number })
  | (Span & { kind: "op"; value: Comparator })
  | (Span & { kind: "keyword"; value: Keyword })
  | (Span & { kind: "lparen" | "rparen" | "comma" | "eof" });

/** The text being parsed and how errors about it are labelled. */
export interface SyntaxContext {
  input: string;
  /** How the text is named in messages: `filter`, `order_by clause "..."`. */
  label: string;
  /** The request field at fault (`filter`, `order_by`). */
  field: string;
  /** Extra details merged next to `position`. */
  details?: Record<string, unknown>;
}

/** Builds the positioned TRACKING_SEARCH_SYNTAX error: `Invalid filter at position 17: ... (near "AND ...")`. */
export function syntaxError(ctx: SyntaxContext, position: number, message: string): GyreError {
  const rest = ctx.input.slice(position);
  const near =
    rest.trim() === "" ? "at end of input" : `near "${rest.length > 20 ? `${rest.slice(0, 20)}...` : rest}"`;
  return new GyreError(
    "TRACKING_SEARCH_SYNTAX",
    `Invalid ${ctx.label} at position ${position}: ${message} (${near})`,
    {
      field: ctx.field,
      details: { ...ctx.details, position },
    },
  );
}

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Unquoted keys after a prefix: dots, dashes, slashes and colons are allowed (`tags.mlflow.user`, `metrics.train/loss`). */
const KEY = /[A-Za-z0-9_][A-Za-z0-9_.:/-]*/y;
const IDENT_CHAR = /[A-Za-z0-9_]/;

function matchAt(re: RegExp, input: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(input);
  return m === null ? null : m[0];
}

/** Splits `ctx.input` into tokens, ending with an `eof` token. Throws a positioned GyreError on bad input. */
export function tokenize(ctx: SyntaxContext): Token[] {
  return new Lexer(ctx).run();
}

class Lexer {
  private pos = 0;
  private readonly input: string;
  private readonly tokens: Token[] = [];

  constructor(private readonly ctx: SyntaxContext) {
    this.input = ctx.input;
  }

  run(): Token[] {
    for (;;) {
      while (this.pos < this.input.length && /\s/.test(this.input[this.pos]!)) this.pos++;
      if (this.pos >= this.input.length) break;
      this.tokens.push(this.scan());
    }
    this.tokens.push({ kind: "eof", pos: this.input.length, end: this.input.length, text: "" });
    return this.tokens;
  }

  private fail(pos: number, message: string): never {
    throw syntaxError(this.ctx, pos, message);
  }

  private span(start: number, end: number): Span {
    this.pos = end;
    return { pos: start, end, text: this.input.slice(start, end) };
  }

  private scan(): Token {
    const start = this.pos;
    const c = this.input[start]!;
    if (c === "(") return { kind: "lparen", ...this.span(start, start + 1) };
    if (c === ")") return { kind: "rparen", ...this.span(start, start + 1) };
    if (c === ",") return { kind: "comma", ...this.span(start, start + 1) };
    if (c === "'" || c === '"') {
      const { value, end } = this.readQuoted(start, "string");
      return { kind: "string", value, ...this.span(start, end) };
    }
    if (c === "`") return this.scanIdent(start, null, start);
    if ("=!<>".includes(c)) return this.scanComparator(start);
    if (/[0-9]/.test(c) || ((c === "-" || c === ".") && matchAt(NUMBER, this.input, start) !== null)) {
      return this.scanNumber(start);
    }
    if (/[A-Za-z_]/.test(c)) return this.scanWord(start);
    return this.fail(start, `unexpected character '${c}'`);
  }

  private scanComparator(start: number): Token {
    const two = this.input.slice(start, start + 2);
    if (two === "==") this.fail(start, "use '=' for equality, not '=='");
    if (two === "<>" || two === "!=") return { kind: "op", value: "!=", ...this.span(start, start + 2) };
    if (two === "<=" || two === ">=") return { kind: "op", value: two, ...this.span(start, start + 2) };
    const one = two[0]!;
    if (one === "!") this.fail(start, "expected '!=' (a lone '!' is not an operator)");
    return { kind: "op", value: one as Comparator, ...this.span(start, start + 1) };
  }

  private scanNumber(start: number): Token {
    const text = matchAt(NUMBER, this.input, start);
    if (text === null) return this.fail(start, "invalid number");
    const end = start + text.length;
    const after = this.input[end];
    if (after !== undefined && (IDENT_CHAR.test(after) || after === ".")) {
      const bad = this.input.slice(start).match(/^[^\s(),=!<>]+/)![0];
      this.fail(start, `invalid number '${bad}'; quote text values: '${bad}'`);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(start, `number '${text}' is out of range`);
    return { kind: "number", value, ...this.span(start, end) };
  }

  private scanWord(start: number): Token {
    const word = matchAt(WORD, this.input, start)!;
    const end = start + word.length;
    if (this.input[end] === ".") return this.scanIdent(end + 1, word, start);
    const upper = word.toUpperCase();
    if (KEYWORDS.has(upper)) return { kind: "keyword", value: upper as Keyword, ...this.span(start, end) };
    return { kind: "ident", prefix: null, key: word, quoted: false, ...this.span(start, end) };
  }

  /** Reads the key of an identifier starting at `keyPos` (after `prefix.`, or at a bare backtick). */
  private scanIdent(keyPos: number, prefix: string | null, start: number): IdentToken {
    const q = this.input[keyPos];
    if (q === "`" || q === '"') {
      const { value, end } = this.readQuoted(keyPos, "key");
      if (value === "") this.fail(keyPos, "a quoted key must not be empty");
      return { kind: "ident", prefix, key: value, quoted: true, ...this.span(start, end) };
    }
    const key = matchAt(KEY, this.input, keyPos);
    if (key === null) {
      this.fail(
        keyPos,
        `expected a key after '${prefix}.'; quote keys with spaces or symbols: ${prefix}.\`my key\``,
      );
    }
    return { kind: "ident", prefix, key, quoted: false, ...this.span(start, keyPos + key.length) };
  }

  /**
   * Reads a quoted string or key starting at `start`. A doubled quote (`'it''s'`) or a backslash
   * (`'it\'s'`, `'a\\b'`) escapes the quote character; other backslashes are kept as written (LIKE patterns).
   */
  private readQuoted(start: number, what: "string" | "key"): { value: string; end: number } {
    const q = this.input[start]!;
    let value = "";
    let i = start + 1;
    while (i < this.input.length) {
      const c = this.input[i]!;
      const next = this.input[i + 1];
      if (c === "\\" && (next === q || next === "\\")) {
        value += next;
        i += 2;
      } else if (c === q && next === q) {
        value += q;
        i += 2;
      } else if (c === q) {
        return { value, end: i + 1 };
      } else {
        value += c;
        i++;
      }
    }
    return this.fail(start, `unterminated ${what}: add the closing ${q}`);
  }
}
