/** The one place the UI talks HTTP: same-origin fetches to gyre's public REST API, errors as ApiError. */

/** An error answered by the server (native `{ error: { code, message, field } }` or MLflow's shape). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Hand-made: either error shape, all optional (GyreError.toJSON is untyped on the server; MLflow routes differ). */
interface NativeErrorBody {
  error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> };
  error_code?: string;
  message?: string;
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text();
  let body: NativeErrorBody = {};
  try {
    body = JSON.parse(text) as NativeErrorBody;
  } catch {
    return new ApiError(text.slice(0, 200) || `HTTP ${res.status}`, res.status, `HTTP_${res.status}`);
  }
  if (body.error)
    return new ApiError(
      body.error.message ?? `HTTP ${res.status}`,
      res.status,
      body.error.code ?? `HTTP_${res.status}`,
      body.error.field,
      body.error.details,
    );
  return new ApiError(
    body.message ?? `HTTP ${res.status}`,
    res.status,
    body.error_code ?? `HTTP_${res.status}`,
  );
}

/** Fetches `path` (relative to the server root) and parses its JSON; throws ApiError on a non-2xx answer. */
export async function request<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: init.body === undefined ? {} : { "content-type": "application/json" },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      signal: init.signal ?? null,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError("Cannot reach the gyre server — is `gyre server` still running?", 0, "UNAVAILABLE");
  }
  if (!res.ok) throw await toError(res);
  return (await res.json()) as T;
}

/** Fetches a file's text (artifact previews); at most `limit` bytes are decoded. */
export async function requestText(path: string, limit: number, signal?: AbortSignal): Promise<string> {
  const res = await fetch(path, { signal: signal ?? null });
  if (!res.ok) throw await toError(res);
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all.subarray(0, limit));
}

/** Encodes each path segment, keeping the slashes. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** `?a=1&b=2` from the defined entries of `q`, or "". */
export function query(q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}
