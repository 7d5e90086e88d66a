import { useState } from "react";
import { useNavigate } from "react-router";
import { startRun } from "../../api/pipelines.js";
import type { ParamSpec } from "../../api/types.js";
import { ErrorBox } from "../../components/Status.js";

/** The form value of a parameter's default, as text. */
function initial(p: ParamSpec): string {
  if (p.default === undefined || p.default === null) return "";
  return typeof p.default === "string" ? p.default : JSON.stringify(p.default);
}

/** Text → the parameter's type; empty fields are left out so the pipeline's default applies. */
function parse(type: string, text: string): unknown {
  if (type === "number") return Number(text);
  if (type === "boolean") return text === "true";
  if (type === "json") return JSON.parse(text);
  return text;
}

/** Starts a run of a pipeline with parameters (the server validates them and explains what is wrong). */
export function RunForm({ name, params }: { name: string; params: Record<string, ParamSpec> }) {
  const navigate = useNavigate();
  const [values, setValues] = useState(() =>
    Object.fromEntries(Object.entries(params).map(([k, p]) => [k, initial(p)])),
  );
  const [error, setError] = useState<Error>();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const chosen = Object.fromEntries(
        Object.entries(values)
          .filter(([, v]) => v !== "")
          .map(([k, v]) => [k, parse(params[k]?.type ?? "string", v)]),
      );
      navigate(`/pipelines/runs/${await startRun(name, chosen)}`);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="run-form" onSubmit={submit}>
      {Object.entries(params).map(([k, p]) => (
        <label key={k} htmlFor={`run-param-${k}`}>
          <span>
            {k} <span className="muted small">{p.type}</span>
          </span>
          {p.type === "boolean" ? (
            <select
              id={`run-param-${k}`}
              value={values[k]}
              onChange={(e) => setValues({ ...values, [k]: e.target.value })}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              id={`run-param-${k}`}
              value={values[k]}
              inputMode={p.type === "number" ? "decimal" : undefined}
              onChange={(e) => setValues({ ...values, [k]: e.target.value })}
              title={p.description}
            />
          )}
        </label>
      ))}
      <button type="submit">Run {name}</button>
      <ErrorBox error={error} />
    </form>
  );
}
