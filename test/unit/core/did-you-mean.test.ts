import { describe, expect, it } from "vitest";
import { closestName, editDistance } from "../../../src/core/did-you-mean.js";

const RELEASE = ["cluster", "service", "ssm-path", "repository", "image", "sha", "template", "container", "env", "dry-run", "no-wait", "timeout", "plan-file", "adopt", "force"];

describe("editDistance", () => {
  it.each<[string, string, number]>([
    ["", "", 0],
    ["ssm-path", "ssm-path", 0],
    ["ssm-paht", "ssm-path", 1],
    ["ssmpath", "ssm-path", 1],
    ["cluser", "cluster", 1],
    ["abc", "", 3],
  ])("%j → %j: %i", (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe("closestName", () => {
  it.each<[string, string | undefined]>([
    ["ssm_path", "ssm-path"],
    ["ssmpath", "ssm-path"],
    ["ssm-paths", "ssm-path"],
    ["SSM-PATH", "ssm-path"],
    ["ssm", "ssm-path"],
    ["clsuter", "cluster"],
    ["servce", "service"],
    ["dryrun", "dry-run"],
    ["repo", "repository"],
    // too far from anything, or equally close to two: no guess
    ["verbose", undefined],
    ["x", undefined],
    ["s", undefined],
  ])("%j → %j", (given, expected) => {
    expect(closestName(given, RELEASE)).toBe(expected);
  });
});
