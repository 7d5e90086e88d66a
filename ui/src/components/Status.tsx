import type { ApiError } from "../api/client.js";

/** A coloured status chip (run, step, model version statuses). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}

/** An error from the API, shown where the content would be, with its code. */
export function ErrorBox({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = (error as Partial<ApiError>).code;
  return (
    <div className="error-box" role="alert">
      {code ? <code>{code}</code> : null} {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

/** A key/value list (run info, version details). */
export function Facts({ rows }: { rows: Array<[string, React.ReactNode]> }) {
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
