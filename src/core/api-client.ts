import { type ErrorCode, GyreError } from "./errors.js";

/** `?a=1&b=x&b=y` from `params` (undefined values left out, arrays repeated), or "" when empty. */
export function queryString(
  params: Record<string, string | number | boolean | string[] | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> };
}

/**
 * A caller of a gyre server's native `/api/v1` API: JSON in and out, and every failure as the same GyreError
 * the server raised (code, message, field), or STORE_UNAVAILABLE when the server cannot be reached.
 * The HTTP backends of each component (tracking, registry, …) are built on it.
 */
export class ApiClient {
  /** e.g. http://127.0.0.1:5000 */
  readonly server: string;
  /** e.g. http://127.0.0.1:5000/api/v1 */
  readonly base: string;

  constructor(serverUrl: string) {
    this.server = serverUrl.replace(/\/$/, "");
    this.base = `${this.server}/api/v1`;
  }

  /** Sends the request; `raw` (bytes or a stream) goes as an octet-stream body instead of JSON. */
  async fetch(
    method: string,
    path: string,
    body?: unknown,
    raw?: Uint8Array | ReadableStream,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> =
      raw !== undefined
        ? { "content-type": "application/octet-stream" }
        : body !== undefined
          ? { "content-type": "application/json" }
          : {};
    try {
      return await fetch(this.base + path, {
        method,
        headers,
        body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
        ...(raw instanceof ReadableStream ? { duplex: "half" } : {}),
        ...(signal ? { signal } : {}),
      } as RequestInit);
    } catch (e) {
      throw new GyreError("STORE_UNAVAILABLE", `Cannot reach ${this.server}: start it with \`gyre server\``, {
        cause: e,
      });
    }
  }

  /** The GyreError of a failed response (`fallback` when the body carries no error code). */
  async failure(res: Response, path: string, fallback: ErrorCode = "INTERNAL"): Promise<GyreError> {
    const err = ((await res.json().catch(() => ({}))) as ErrorBody).error;
    return new GyreError(
      (err?.code as ErrorCode) ?? fallback,
      err?.message ?? `HTTP ${res.status} from ${path}`,
      {
        field: err?.field,
        details: err?.details,
      },
    );
  }

  /** Sends the request and returns the parsed JSON response; throws the server's GyreError. */
  async call<T>(method: string, path: string, body?: unknown, raw?: Uint8Array | ReadableStream): Promise<T> {
    const res = await this.fetch(method, path, body, raw);
    if (!res.ok) throw await this.failure(res, path);
    return (await res.json()) as T;
  }
}
