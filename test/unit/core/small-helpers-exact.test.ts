import { describe, expect, it } from "vitest";
import { closestName, editDistance } from "../../../src/core/did-you-mean.js";
import { formatDuration, parseDuration } from "../../../src/core/duration.js";
import { arnAccountAndRegion, parseEcrImage } from "../../../src/core/ecr-image.js";
import { silentLogger } from "../../../src/core/logger.js";
import { registeredAtOf } from "../../../src/core/revision-age.js";
import { formatTable } from "../../../src/core/table.js";

describe("editDistance, exact", () => {
  it.each<[string, string, number]>([
    ["", "abc", 3],
    ["abc", "", 3],
    ["ab", "ba", 1],
    ["ab", "ca", 2],
    ["ab", "bc", 2],
    ["abcd", "acbd", 1],
  ])("%j → %j: %i", (a, b, d) => expect(editDistance(a, b)).toBe(d));
});

describe("closestName, exact", () => {
  it.each<[string, string, string[], string | undefined]>([
    ["`_` read as `-`, exact first", "a_b", ["ab", "a-b"], "a-b"],
    ["a start of two letters is not enough", "ab", ["abcdef"], undefined],
    ["one edit within a one-letter name", "x", ["y"], "y"],
    ["two edits within a ten-letter name", "clustr-nam", ["cluster-name"], "cluster-name"],
    ["the closest of two at different distances", "abcdefghi", ["abcdefxyz", "abcdefghx"], "abcdefghx"],
    ["two equally close: none", "abc1", ["abc2", "abc3"], undefined],
  ])("%s", (_name, given, names, expected) => expect(closestName(given, names)).toBe(expected));
});

describe("duration, exact", () => {
  it.each<[number, string]>([
    [999, "999ms"],
    [1_000, "1.0s"],
    [3_599_000, "59m59s"],
    [3_600_000, "1h00m"],
  ])("formatDuration(%i) is %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each<[string, number]>([
    ["1.25", 1_250],
    ["1.25m", 75_000],
    ["1h0.5m", 3_630_000],
  ])("parseDuration(%j) is %i", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it("names a duration by default", () => {
    expect(() => parseDuration("1.x")).toThrow('duration "1.x" is not a duration: use a number with a unit, e.g. 90s, 15m or 1h');
  });
});

describe("ecr-image, exact", () => {
  it("reads an ECR URI with spaces around it as without (the URI kept as given)", () => {
    const uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1";
    expect(parseEcrImage(` ${uri} `)).toStrictEqual({ uri: ` ${uri} `, registryId: "123456789012", region: "us-east-1", repository: "app", imageId: { imageTag: "1" } });
  });

  it.each<[string, { account: string; region: string } | undefined]>([
    ["arn:aws-cn:ecs:cn-north-1:123456789012:service/c/s", { region: "cn-north-1", account: "123456789012" }],
    ["arn:aws-us-gov:ecs:us-gov-west-1:123456789012:cluster/c", { region: "us-gov-west-1", account: "123456789012" }],
    ["xarn:aws:ecs:us-east-1:123456789012:cluster/c", undefined],
  ])("arnAccountAndRegion(%j)", (arn, expected) => expect(arnAccountAndRegion(arn)).toStrictEqual(expected));
});

describe("registeredAtOf, exact", () => {
  it("takes 1e12 as milliseconds, below it as seconds", () => {
    expect(registeredAtOf({ registeredAt: 1e12 }, {})).toBe(1e12);
    expect(registeredAtOf({ registeredAt: 1e12 - 1 }, {})).toBe((1e12 - 1) * 1000);
  });
});

describe("formatTable, exact", () => {
  it("pads a short row's missing cells as empty", () => {
    expect(formatTable(["a", "b", "c"], [["xx"], ["y", "", "z"]])).toBe("a   b  c\nxx\ny      z\n");
  });
});

describe("silentLogger", () => {
  it("accepts every call and says nothing", () => {
    expect(silentLogger.info("i")).toBeUndefined();
    expect(silentLogger.warn("w")).toBeUndefined();
    expect(silentLogger.debug("d")).toBeUndefined();
  });
});
