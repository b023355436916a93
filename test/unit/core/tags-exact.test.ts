import { describe, expect, it } from "vitest";
import { mapToTags, recordedSecureNames, secureNamesTagValue, tagsToMap } from "../../../src/core/tags.js";

describe("secureNamesTagValue at ECS's 256-character limit", () => {
  it("exactly 256 characters fit; 257 do not", () => {
    const a = "A".repeat(127);
    const b = "B".repeat(128);
    expect(secureNamesTagValue([a, b])).toBe(`${a} ${b}`);
    expect(secureNamesTagValue([a, `${b}C`])).toBe("@too-many");
  });
});

describe("recordedSecureNames", () => {
  it("splits on single spaces and drops empty names", () => {
    expect([...(recordedSecureNames({ "ecs-release:secure-names": "A  B " }) ?? [])]).toEqual(["A", "B"]);
  });
});

describe("tagsToMap and mapToTags", () => {
  it("tagsToMap: keyless tags dropped, a missing value is empty, undefined is no tags", () => {
    expect(tagsToMap([{ key: "a", value: "1" }, { value: "2" }, { key: "b" }])).toEqual({ a: "1", b: "" });
    expect(tagsToMap(undefined)).toEqual({});
  });
  it("mapToTags: empty values dropped, values cut to 256 characters", () => {
    expect(mapToTags({ a: "1", b: "", c: "x".repeat(300) })).toEqual([
      { key: "a", value: "1" },
      { key: "c", value: "x".repeat(256) },
    ]);
  });
});
