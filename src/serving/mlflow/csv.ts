import { GyreError } from "../../core/errors.js";

/**
 * Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into a header and rows of strings.
 * Throws SERVING_INPUT_FORMAT for an unterminated quote or a row whose width differs from the header's.
 */
export function parseCsv(text: string): { columns: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (quoted)
    throw new GyreError("SERVING_INPUT_FORMAT", "CSV input has an unterminated quoted field", {
      field: "body",
    });
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const nonEmpty = records.filter((r) => !(r.length === 1 && r[0] === ""));
  const [columns, ...rows] = nonEmpty;
  if (!columns)
    throw new GyreError("SERVING_INPUT_FORMAT", "CSV input is empty; send a header row and data rows", {
      field: "body",
    });
  rows.forEach((r, i) => {
    if (r.length !== columns.length) {
      throw new GyreError(
        "SERVING_INPUT_FORMAT",
        `CSV row ${i + 1} has ${r.length} fields but the header has ${columns.length}`,
        { field: `row ${i + 1}` },
      );
    }
  });
  return { columns, rows };
}
