import type { Signature as Sig } from "../../api/types.js";

function Tensors({
  title,
  list,
}: {
  title: string;
  list: Array<{ name: string; dtype: string; shape: number[] }>;
}) {
  return (
    <>
      <h3>{title}</h3>
      <table className="table compact">
        <tbody>
          {list.map((t) => (
            <tr key={t.name}>
              <th>{t.name}</th>
              <td>{t.dtype}</td>
              <td className="mono">[{t.shape.join(", ")}]</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A model signature: input and output tensors and the ordered feature list. */
export function Signature({ signature }: { signature: Sig | null }) {
  if (!signature) return <p className="muted">No signature (the version has no gyre-model.json package).</p>;
  return (
    <div data-testid="signature">
      <Tensors title="Inputs" list={signature.inputs ?? []} />
      <Tensors title="Outputs" list={signature.outputs ?? []} />
      {signature.features?.length ? (
        <>
          <h3>Features</h3>
          <ol className="features">
            {signature.features.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> <span className="muted">{f.type}</span>
                {f.categories ? <span className="muted small"> ({f.categories.join(", ")})</span> : null}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}
