import { describe, expect, it } from "vitest";
import { defineEntity, defineFeatureView, defineSource, parseTtl } from "./dsl.js";
import { diffDefinitions, toDesired } from "./plan.js";
import type { StoredDefinition } from "./types.js";

describe("feature definitions as code", () => {
  it("parses TTLs in seconds and refuses anything else, naming the field", () => {
    expect([
      parseTtl("7d"),
      parseTtl("12h"),
      parseTtl("30m"),
      parseTtl("45s"),
      parseTtl("2w"),
      parseTtl(90),
      parseTtl(undefined),
    ]).toEqual([604_800, 43_200, 1_800, 45, 1_209_600, 90, 0]);
    expect(() => parseTtl("a week", "v.ttl")).toThrow(
      expect.objectContaining({ code: "FEATURES_DEFINITION_INVALID", field: "v.ttl" }),
    );
    expect(() => parseTtl(-1)).toThrow(/not a duration/);
  });

  it("checks names, types and that a source has exactly one of path and query", () => {
    expect(() => defineEntity({ name: "bad name", joinKeys: { id: "int" } })).toThrow(
      expect.objectContaining({ field: "name" }),
    );
    expect(() => defineEntity({ name: "e", joinKeys: { id: "uuid" as "int" } })).toThrow(
      expect.objectContaining({ field: "joinKeys.id" }),
    );
    expect(() => defineSource({ name: "s" })).toThrow(/exactly one of `path`/);
    expect(defineSource({ name: "s", path: "x.CSV" }).format).toBe("csv");
    expect(defineSource({ name: "s", path: "x.parquet" }).format).toBe("parquet");
    expect(() =>
      defineFeatureView({ name: "v", entity: "e", source: "s", timestampField: "ts", features: {} }),
    ).toThrow(expect.objectContaining({ field: "features" }));
  });

  it("diffs code against stored definitions: create, update with changed fields, delete, unchanged", () => {
    const view = defineFeatureView({
      name: "v",
      entity: "e",
      source: "s",
      timestampField: "ts",
      ttl: "1d",
      features: { x: "float" },
    });
    const stored = (d: ReturnType<typeof toDesired>, version: number): StoredDefinition => ({
      ...d,
      version,
      createdTime: 0,
    });
    const entity = toDesired(defineEntity({ name: "e", joinKeys: { id: "int" } }));
    const gone = toDesired(defineSource({ name: "old", path: "old.parquet" }));
    const current = [stored(entity, 1), stored(toDesired(view), 3), stored(gone, 1)];
    const changed = toDesired({ ...view, ttlSeconds: 7200, description: "hourly" });
    const plan = diffDefinitions(current, [
      entity,
      changed,
      toDesired(defineSource({ name: "s", path: "s.parquet" })),
    ]);
    expect(plan.map((c) => [c.action, c.name, c.fromVersion, c.toVersion, c.fields])).toEqual([
      ["unchanged", "e", 1, 1, []],
      ["delete", "old", 1, null, []],
      ["create", "s", null, 1, []],
      ["update", "v", 3, 4, ["description", "ttlSeconds"]],
    ]);
  });
});
