import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { listModels } from "../../api/registry.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";

/** Registered models with their aliases and latest version; URL `filter` is the registry's search grammar. */
export function ModelsPage() {
  const [search, setSearch] = useSearchParams();
  const filter = search.get("filter") ?? "";
  const [text, setText] = useState(filter);
  const { data, error } = useApi((s) => listModels(filter, s), [filter], 5000);
  return (
    <section className="page">
      <h1>Models</h1>
      <form
        className="filter"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(text ? { filter: text } : {});
        }}
      >
        <label htmlFor="model-filter" className="sr-only">
          Filter models
        </label>
        <input
          id="model-filter"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="name LIKE '%flights%'"
        />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="models" /> : null}
      {data?.length === 0 ? <p className="muted">No registered models{filter ? " match" : " yet"}.</p> : null}
      {data && data.length > 0 ? (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Latest version</th>
              <th>Aliases</th>
              <th>Updated</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {data.map((m) => {
              const latest = Math.max(0, ...m.latestVersions.map((v) => v.version));
              return (
                <tr key={m.name}>
                  <td>
                    <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                  </td>
                  <td>
                    {latest ? (
                      <Link to={`/models/${encodeURIComponent(m.name)}/versions/${latest}`}>v{latest}</Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    {m.aliases.map((a) => (
                      <span key={a.alias} className="chip">
                        @{a.alias} → v{a.version}
                      </span>
                    ))}
                  </td>
                  <td>{formatTime(m.lastUpdatedTimestamp)}</td>
                  <td>{m.description ?? ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
