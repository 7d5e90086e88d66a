import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { logisticPackageOptions } from "../../../test/fixtures/model-package.js";
import { manifestJsonSchema } from "./index.js";

const SCHEMA_FILE = new URL("../../../schemas/gyre-model.schema.json", import.meta.url);
const REGENERATE = "GYRE_WRITE_SCHEMAS=1 npx vitest run src/registry/package/schema.test.ts";

function committedSchema() {
  return JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
}

describe("schemas/gyre-model.schema.json", () => {
  it("is the JSON schema generated from the zod manifest schema", () => {
    // Compared as JSON values, not text, so formatting the file (biome) does not make it stale.
    if (process.env.GYRE_WRITE_SCHEMAS === "1") {
      writeFileSync(SCHEMA_FILE, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
    }
    expect(committedSchema(), `the committed schema is stale; regenerate it with ${REGENERATE}`).toEqual(
      manifestJsonSchema(),
    );
  });

  it("describes a manifest as writePackage writes it: required fields, closed objects, dtypes", () => {
    const schema = committedSchema();
    const options = logisticPackageOptions();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.required).toEqual(
      expect.arrayContaining([
        "formatVersion",
        "flavor",
        "model",
        "files",
        "signature",
        "metrics",
        "createdAt",
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(Object.keys(options).filter((k) => k !== "files")),
    );
    const dtype = schema.properties.signature.properties.inputs.items.properties.dtype;
    expect(dtype.enum).toEqual(["float32", "float64", "int64", "int32", "bool", "string"]);
  });
});
