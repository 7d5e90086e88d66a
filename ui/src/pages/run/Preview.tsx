import { requestText } from "../../api/client.js";
import { artifactUrl } from "../../api/tracking.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { useApi } from "../../lib/use-api.js";

const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp)$/i;
const TABLE = /\.(csv|tsv)$/i;
const JSON_FILE = /\.(json|jsonl|ipynb)$/i;
const BINARY = /\.(onnx|bin|pb|parquet|pkl|pt|pth|h5|npz|npy|zip|gz|tar|whl)$/i;
/** How much of a text file is fetched for its preview. */
const TEXT_LIMIT = 256 * 1024;
const HEAD_ROWS = 50;

/** Splits one CSV line (quoted fields with "" escapes). */
function csvLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function CsvHead({ text, sep }: { text: string; sep: string }) {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l !== "")
    .slice(0, HEAD_ROWS + 1);
  const [head = [], ...rows] = lines.map((l) => csvLine(l, sep));
  return (
    <div className="scroll-x">
      <table className="table compact" data-testid="csv-preview">
        <thead>
          <tr>
            {head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: header cells of a static file
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of a static file
            <tr key={i}>
              {r.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells of a static row
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">First {rows.length} rows.</p>
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function TextPreview({ runId, path }: { runId: string; path: string }) {
  const { data, error } = useApi(
    (s) => requestText(artifactUrl(runId, path), TEXT_LIMIT, s),
    [`${runId}/${path}`],
  );
  if (error) return <ErrorBox error={error} />;
  if (data === undefined) return <Loading what="preview" />;
  if (TABLE.test(path)) return <CsvHead text={data} sep={path.toLowerCase().endsWith(".tsv") ? "\t" : ","} />;
  const body = JSON_FILE.test(path) && data.length < TEXT_LIMIT ? pretty(data) : data;
  return (
    <pre className="text-preview" data-testid="text-preview">
      {body}
      {data.length >= TEXT_LIMIT ? "\n… (truncated; download the file for the rest)" : ""}
    </pre>
  );
}

/** Preview by file type: images inline, CSV/TSV heads as a table, JSON pretty-printed, other text as is. */
export function Preview({ runId, path }: { runId: string; path: string }) {
  if (IMAGE.test(path)) return <img className="image-preview" src={artifactUrl(runId, path)} alt={path} />;
  if (BINARY.test(path))
    return <p className="muted">No preview for this binary file type; download it instead.</p>;
  return <TextPreview runId={runId} path={path} />;
}
