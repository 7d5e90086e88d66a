import { useState } from "react";
import { useSearchParams } from "react-router";
import { artifactUrl, listArtifacts } from "../../api/tracking.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { formatBytes } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { Preview } from "./Preview.js";

function Dir({
  runId,
  path,
  selected,
  onSelect,
}: {
  runId: string;
  path: string;
  selected: string;
  onSelect(p: string): void;
}) {
  const { data, error } = useApi((s) => listArtifacts(runId, path, s), [runId, path]);
  const [open, setOpen] = useState<Set<string>>(
    () => new Set(selected.split("/").map((_, i, a) => a.slice(0, i + 1).join("/"))),
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="artifacts" />;
  if (data.length === 0 && path === "") return <p className="muted">No artifacts.</p>;
  return (
    <ul className="tree">
      {data.map((e) => {
        const name = e.path.split("/").pop();
        if (!e.isDir)
          return (
            <li key={e.path}>
              <button
                type="button"
                className={`link ${selected === e.path ? "current" : ""}`}
                onClick={() => onSelect(e.path)}
              >
                {name}
              </button>{" "}
              <span className="muted small">{formatBytes(e.size)}</span>
            </li>
          );
        const isOpen = open.has(e.path);
        return (
          <li key={e.path}>
            <button
              type="button"
              className="link"
              aria-expanded={isOpen}
              onClick={() =>
                setOpen((o) => {
                  const n = new Set(o);
                  if (isOpen) n.delete(e.path);
                  else n.add(e.path);
                  return n;
                })
              }
            >
              {isOpen ? "▾" : "▸"} {name}/
            </button>
            {isOpen ? <Dir runId={runId} path={e.path} selected={selected} onSelect={onSelect} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The run's artifact tree with a preview of the chosen file (URL `file`). */
export function Artifacts({ runId }: { runId: string }) {
  const [search, setSearch] = useSearchParams();
  const file = search.get("file") ?? "";
  const select = (p: string) =>
    setSearch((s) => {
      const n = new URLSearchParams(s);
      n.set("file", p);
      return n;
    });
  return (
    <div className="split">
      <div className="card tree-pane">
        <Dir runId={runId} path="" selected={file} onSelect={select} />
      </div>
      <div className="card preview-pane">
        {file ? (
          <>
            <h2>
              {file}{" "}
              <a href={artifactUrl(runId, file)} download className="small">
                download
              </a>
            </h2>
            <Preview runId={runId} path={file} />
          </>
        ) : (
          <p className="muted">Choose a file to preview it.</p>
        )}
      </div>
    </div>
  );
}
