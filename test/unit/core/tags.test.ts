/**
 * Issue 14.1: the record of which variables were SecureStrings when a revision was released
 * (names only) — what a later diff or drift needs to prove an old value is not secret.
 */
import { describe, expect, it } from "vitest";
import { NO_SECURE_NAMES, recordedSecureNames, secureNamesTagValue, TAG, TOO_MANY_SECURE_NAMES } from "../../../src/core/tags.js";
import { TAG_CHARACTERS } from "../../../src/core/ecs-limits.js";

describe("the secure-names record", () => {
  it("round-trips names, sorted and without duplicates, in characters ECS accepts in a tag value", () => {
    const value = secureNamesTagValue(["db_PASSWORD", "API_TOKEN", "db_PASSWORD"]);
    expect(value).toBe("API_TOKEN db_PASSWORD");
    expect(value).toMatch(TAG_CHARACTERS);
    expect(recordedSecureNames({ [TAG.secureNames]: value })).toEqual(new Set(["API_TOKEN", "db_PASSWORD"]));
  });

  it("records none as '-' (an empty tag would be dropped), which proves every name plain", () => {
    expect(secureNamesTagValue([])).toBe(NO_SECURE_NAMES);
    expect(recordedSecureNames({ [TAG.secureNames]: NO_SECURE_NAMES })).toEqual(new Set());
  });

  it("names that do not fit one tag value, or no record at all, prove nothing: undefined", () => {
    const many = Array.from({ length: 40 }, (_, i) => `SECRET_NUMBER_${i}`);
    expect(secureNamesTagValue(many)).toBe(TOO_MANY_SECURE_NAMES);
    expect(recordedSecureNames({ [TAG.secureNames]: TOO_MANY_SECURE_NAMES })).toBeUndefined();
    expect(recordedSecureNames({})).toBeUndefined();
  });
});
