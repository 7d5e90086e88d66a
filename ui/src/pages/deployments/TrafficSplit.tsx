import { Link } from "react-router";
import type { ResolvedVariant } from "../../api/deployments.js";
import { PALETTE } from "../../lib/theme.js";
import { splitSegments } from "./live.js";

/** Link to the version page of what a variant serves, or the reference with why it does not resolve. */
export function VersionLink({ v }: { v: ResolvedVariant }) {
  if (v.version === null)
    return (
      <span className="bad" title={v.error ?? ""}>
        {v.ref} (unresolved)
      </span>
    );
  return (
    <Link to={`/models/${encodeURIComponent(v.model)}/versions/${v.version}`}>
      {v.model} v{v.version}
    </Link>
  );
}

const pct = (w: number) => `${Math.round(w * 10) / 10}%`;

/** The split of requests between variants as one bar, then each variant (and the shadow) with what it serves. */
export function TrafficSplit({
  variants,
  stickyKey,
}: {
  variants: ResolvedVariant[];
  stickyKey: string | null;
}) {
  const segments = splitSegments(variants);
  const shadow = variants.find((v) => v.variant === "shadow");
  return (
    <div data-testid="traffic-split">
      <div
        className="split-bar"
        role="img"
        aria-label={segments.map((s) => `${s.variant} ${pct(s.weight)}`).join(", ")}
      >
        {segments.map((s) => (
          <div
            key={s.variant}
            className="split-seg"
            data-variant={s.variant}
            style={{ width: `${s.weight}%`, background: PALETTE[s.index % PALETTE.length] }}
            title={`${s.variant}: ${s.ref} → v${s.version ?? "?"} (${pct(s.weight)})`}
          >
            {s.weight >= 8 ? `${s.variant} ${pct(s.weight)}` : ""}
          </div>
        ))}
      </div>
      <table className="table compact split-legend">
        <thead>
          <tr>
            <th>Variant</th>
            <th className="num">Share</th>
            <th>Follows</th>
            <th>Serves now</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v, i) => (
            <tr key={v.variant} data-variant={v.variant}>
              <td>
                <span
                  className={`swatch${v.variant === "shadow" ? " shadow" : ""}`}
                  style={{ background: v.variant === "shadow" ? undefined : PALETTE[i % PALETTE.length] }}
                />
                {v.variant}
              </td>
              <td className="num">{v.variant === "shadow" ? `${pct(v.weight)} mirrored` : pct(v.weight)}</td>
              <td>
                <code>{v.ref}</code>
              </td>
              <td>
                <VersionLink v={v} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shadow ? (
        <p className="small muted">The shadow's answers are logged, never returned to callers.</p>
      ) : null}
      {stickyKey ? (
        <p className="small muted">Requests with the same {stickyKey} always go to the same variant.</p>
      ) : null}
    </div>
  );
}
