import { GyreError } from "./errors.js";

/**
 * A registry of backends chosen by URI scheme, with lazy `import()` so that e.g. SQLite users never load `pg`.
 * One registry per role (metadata store, artifact store, ...).
 */
export class SchemeRegistry<T> {
  readonly #loaders = new Map<string, (uri: URL, raw: string) => Promise<T>>();

  constructor(readonly role: string) {}

  /** Registers `scheme` (without the colon); a later registration of the same scheme replaces the earlier. */
  register(scheme: string, loader: (uri: URL, raw: string) => Promise<T>): this {
    this.#loaders.set(scheme, loader);
    return this;
  }

  schemes(): string[] {
    return [...this.#loaders.keys()].sort();
  }

  /** Opens the backend for `uri`; throws CONFIG_UNKNOWN_SCHEME listing the registered schemes. */
  async open(uri: string): Promise<T> {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new GyreError(
        "CONFIG_INVALID",
        `Invalid ${this.role} URI '${uri}': expected e.g. ${this.#example()}`,
        {
          field: this.role,
        },
      );
    }
    const scheme = parsed.protocol.replace(/:$/, "");
    const loader = this.#loaders.get(scheme);
    if (!loader) {
      throw new GyreError(
        "CONFIG_UNKNOWN_SCHEME",
        `Unknown ${this.role} scheme '${scheme}:' in '${uri}'. Registered schemes: ${this.schemes().join(", ")}`,
        { field: this.role },
      );
    }
    return loader(parsed, uri);
  }

  #example(): string {
    return this.schemes()
      .map((s) => `${s}://…`)
      .join(" or ");
  }
}

/**
 * Turns the path part of `sqlite://./.gyre/gyre.db`, `sqlite:///abs/path.db` or `file://./dir` into a
 * filesystem path. Relative paths are resolved against `cwd`.
 */
export function uriPath(raw: string, cwd: string): string {
  const rest = raw.replace(/^[a-z0-9+.-]+:\/\//i, "");
  if (rest === ":memory:") return rest;
  const decoded = decodeURIComponent(rest.split("?")[0] ?? "");
  if (decoded.startsWith("/")) return decoded;
  return `${cwd.replace(/\/$/, "")}/${decoded.replace(/^\.\//, "")}`;
}
