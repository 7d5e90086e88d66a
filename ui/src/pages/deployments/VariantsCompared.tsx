import { useState } from "react";
import { compareVariants, type VariantStats, type VariantTest } from "../../api/monitoring.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { formatNumber } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";

const WINDOWS = ["1h", "24h", "7d", "30d"];
const TESTS: Record<VariantTest["test"], string> = {
  chi2_contingency: "χ² contingency",
  mcnemar: "McNemar (paired)",
  z: "z-test",
  paired_z: "paired z-test",
};

const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);

function mainMetric(s: VariantStats): string {
  if (s.task === "classification") return `accuracy ${num(s.metrics.accuracy)}`;
  if (s.task === "regression") return `MAE ${num(s.metrics.mae)}`;
  return "no labels yet";
}

function Verdict({ s, alpha }: { s: VariantStats; alpha: number }) {
  const t = s.vsBaseline;
  if (!t) return <span className="muted">baseline</span>;
  if (t.pValue === null) return <span className="muted">{t.note ?? "–"}</span>;
  const sign = (t.difference ?? 0) > 0 ? "+" : "";
  const p = t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(4);
  // Better is higher accuracy, lower error.
  const better = t.metric === "accuracy" ? (t.difference ?? 0) > 0 : (t.difference ?? 0) < 0;
  return (
    <span title={`${TESTS[t.test]} on ${t.n} ${t.paired ? "shared requests" : "labelled rows"}`}>
      {t.metric} {sign}
      {num(t.difference)}, p = {p}{" "}
      {t.significant ? (
        <span className={`badge ${better ? "badge-succeeded" : "badge-failed"}`}>
          {better ? "better" : "worse"} at α = {alpha}
        </span>
      ) : (
        <span className="muted">not significant</span>
      )}
    </span>
  );
}

/** Variants side by side on the prediction log and the labels so far: the A/B, canary or shadow verdict. */
export function VariantsCompared({ deployment, baseline }: { deployment: string; baseline: string }) {
  const [window, setWindow] = useState("24h");
  const c = useApi(
    (s) => compareVariants(deployment, window, baseline, s),
    [deployment, window, baseline],
    30_000,
  );
  return (
    <div data-testid="variants-compared">
      <div className="toolbar">
        <label>
          Window{" "}
          <select value={window} onChange={(e) => setWindow(e.target.value)} aria-label="comparison window">
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                last {w}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={c.error} />
      {!c.data && !c.error ? <Loading what="the variant comparison" /> : null}
      {c.data && c.data.variants.length === 0 ? (
        <p className="muted">The prediction log holds nothing of this deployment in the last {window}.</p>
      ) : null}
      {c.data && c.data.variants.length > 0 ? (
        <>
          <table className="table compact">
            <thead>
              <tr>
                <th>Variant</th>
                <th>Versions</th>
                <th className="num">Rows</th>
                <th className="num">Labelled</th>
                <th className="num">p50 ms</th>
                <th className="num">p99 ms</th>
                <th>Metric</th>
                <th>Against {c.data.baseline ?? "the baseline"}</th>
              </tr>
            </thead>
            <tbody>
              {c.data.variants.map((s) => (
                <tr key={s.variant} data-variant={s.variant}>
                  <td>
                    {s.variant}
                    {s.shadow && s.variant !== "shadow" ? <span className="muted"> (shadow)</span> : null}
                  </td>
                  <td>{s.versions.map((v) => `v${v}`).join(", ")}</td>
                  <td className="num">{formatNumber(s.predictions)}</td>
                  <td className="num">{formatNumber(s.labelled)}</td>
                  <td className="num">{num(s.latencyMs.p50, 2)}</td>
                  <td className="num">{num(s.latencyMs.p99, 2)}</td>
                  <td>{mainMetric(s)}</td>
                  <td>
                    <Verdict s={s} alpha={c.data!.alpha} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="small muted">
            Labels come from ground-truth feedback. Variants that served different requests are compared with
            a χ² contingency test (accuracy) or a z-test (MAE); the shadow answered the same requests, so it
            is compared request by request. No test runs below {c.data.minLabels} labelled rows a side.
          </p>
        </>
      ) : null}
    </div>
  );
}
