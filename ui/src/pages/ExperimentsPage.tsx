import { Link } from "react-router";
import { listExperiments } from "../api/tracking.js";
import { ErrorBox, Loading } from "../components/Status.js";
import { formatTime } from "../lib/format.js";
import { useApi } from "../lib/use-api.js";

/** All active experiments; each opens its runs table. */
export function ExperimentsPage() {
  const { data, error } = useApi((s) => listExperiments(s), []);
  return (
    <section className="page">
      <h1>Experiments</h1>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="experiments" /> : null}
      {data && data.length === 0 ? (
        <p className="muted">No experiments yet. Log a run with the SDK or an MLflow client to create one.</p>
      ) : null}
      {data && data.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>ID</th>
              <th>Created</th>
              <th>Updated</th>
              <th>Tags</th>
            </tr>
          </thead>
          <tbody>
            {data.map((e) => (
              <tr key={e.experimentId}>
                <td>
                  <Link to={`/experiments/${e.experimentId}`}>{e.name}</Link>
                </td>
                <td className="mono">{e.experimentId}</td>
                <td>{formatTime(e.creationTime)}</td>
                <td>{formatTime(e.lastUpdateTime)}</td>
                <td>
                  {e.tags
                    .filter((t) => !t.key.startsWith("mlflow."))
                    .map((t) => `${t.key}=${t.value}`)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
