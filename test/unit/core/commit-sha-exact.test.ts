/** Commit SHA prefixes and image tags at their edges. */
import { describe, expect, it } from "vitest";
import { decideCommitSha, imageShaTag, isShaPrefix, matchShaPrefix, shaPrefixError } from "../../../src/core/commit-sha.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const sha = (c: string) => c.repeat(40);

describe("imageShaTag", () => {
  it.each([
    [`repo/web:${SHA}`, SHA],
    [`repo/web:${SHA}@sha256:00`, SHA],
    [`repo/web:${SHA}0`, undefined],
    [`repo/web:${SHA}-x`, undefined],
    [`repo/web:${SHA.toUpperCase()}`, undefined],
  ])("%s → %s", (image, expected) => {
    expect(imageShaTag(image)).toBe(expected);
  });
});

describe("decideCommitSha", () => {
  it("git's answer when it is a full SHA; a short one is not enough", () => {
    expect(decideCommitSha({ gitHead: { head: SHA } }, true)).toEqual({ kind: "resolved", sha: SHA, source: "git" });
    expect(decideCommitSha({ gitHead: { head: SHA.slice(0, 12) } }, false)).toEqual({ kind: "none" });
  });
});

describe("isShaPrefix", () => {
  it.each([
    ["abcdef1", true],
    ["ABCDEF1", true],
    ["abcdef", false],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    [SHA, false],
    ["A".repeat(40), true],
    ["xabcdef1", false],
    ["abcdef1x", false],
    ["abcdefg", false],
  ])("%s → %s", (value, expected) => {
    expect(isShaPrefix(value)).toBe(expected);
  });
});

describe("matchShaPrefix and its refusal", () => {
  it("duplicates count once, sorted; non-SHA tags ignored", () => {
    expect(matchShaPrefix("AAAAAAA", [sha("a"), sha("a"), "aaaaaaa-latest"])).toEqual({ kind: "unique", sha: sha("a") });
    expect(matchShaPrefix("aaaaaaa", [`${"a".repeat(39)}b`, sha("a"), "aaaaaaaa"])).toEqual({ kind: "ambiguous", candidates: [sha("a"), `${"a".repeat(39)}b`] });
  });
  it("ten candidates shown, then how many more", () => {
    const candidates = Array.from({ length: 12 }, (_, i) => `${"a".repeat(38)}${i.toString(16).padStart(2, "0")}`);
    expect(shaPrefixError("aaaaaaa", "web", { kind: "ambiguous", candidates }).message).toBe(
      `--sha aaaaaaa matches 12 images in ECR repository web: ${candidates.slice(0, 10).join(", ")}, and 2 more (pass more digits)`,
    );
    expect(shaPrefixError("aaaaaaa", "web", { kind: "ambiguous", candidates: candidates.slice(0, 10) }).message).toBe(
      `--sha aaaaaaa matches 10 images in ECR repository web: ${candidates.slice(0, 10).join(", ")} (pass more digits)`,
    );
  });
});
