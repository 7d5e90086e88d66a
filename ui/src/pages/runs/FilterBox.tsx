import { useEffect, useState } from "react";
import type { ApiError } from "../../api/client.js";

const EXAMPLE = "metrics.val_auc > 0.6 AND (params.optimizer = 'adam' OR tags.stage IN ('prod', 'staging'))";

/**
 * The search box: MLflow's filter grammar plus OR and parentheses, applied on Enter. A syntax error from the
 * server is explained in place, with a caret under the position it names.
 */
export function FilterBox(props: {
  value: string;
  onApply(filter: string): void;
  error: ApiError | undefined;
}) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const err = props.error?.code === "TRACKING_SEARCH_SYNTAX" ? props.error : undefined;
  const pos = typeof err?.details?.position === "number" ? err.details.position : null;
  return (
    <form
      className="filter"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(text.trim());
      }}
    >
      <label htmlFor="run-filter" className="sr-only">
        Filter runs
      </label>
      <input
        id="run-filter"
        className={err ? "invalid" : ""}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={EXAMPLE}
        spellCheck={false}
        aria-invalid={!!err}
        aria-describedby={err ? "run-filter-error" : undefined}
      />
      <button type="submit">Search</button>
      {text !== "" ? (
        <button
          type="button"
          onClick={() => {
            setText("");
            props.onApply("");
          }}
        >
          Clear
        </button>
      ) : null}
      {err ? (
        <div id="run-filter-error" className="filter-error" role="alert" data-testid="filter-error">
          {pos !== null ? (
            <pre aria-hidden="true">
              {props.value}
              {"\n"}
              {" ".repeat(pos)}^
            </pre>
          ) : null}
          <span>{err.message}</span>
        </div>
      ) : null}
    </form>
  );
}
