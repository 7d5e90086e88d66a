import type { Run } from "../../api/types.js";
import { ATTRIBUTE_IDS, columnFor, keysOf } from "./columns.js";

/** Chooses the table's columns from the attributes and the metric, param and tag keys of the loaded runs. */
export function ColumnPicker(props: { runs: Run[]; columns: string[]; onChange(ids: string[]): void }) {
  const keys = keysOf(props.runs);
  const on = new Set(props.columns);
  const toggle = (id: string) =>
    props.onChange(on.has(id) ? props.columns.filter((c) => c !== id) : [...props.columns, id]);
  const group = (title: string, ids: string[]) =>
    ids.length === 0 ? null : (
      <fieldset>
        <legend>{title}</legend>
        {ids.map((id) => (
          <label key={id}>
            <input type="checkbox" checked={on.has(id)} onChange={() => toggle(id)} />{" "}
            {columnFor(id)?.label ?? id}
          </label>
        ))}
      </fieldset>
    );
  return (
    <details className="picker">
      <summary>Columns ({props.columns.length})</summary>
      <div className="picker-body">
        {group("Attributes", ATTRIBUTE_IDS)}
        {group(
          "Metrics",
          keys.metric.map((k) => `m:${k}`),
        )}
        {group(
          "Params",
          keys.param.map((k) => `p:${k}`),
        )}
        {group(
          "Tags",
          keys.tag.map((k) => `t:${k}`),
        )}
      </div>
    </details>
  );
}
