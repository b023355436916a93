import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/core/duration.js";
import { ValidationError } from "../../../src/core/errors.js";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["0.5s", 500],
    ["45", 45_000],
    [" 2m ", 120_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "10x", "m5", "1h 30m", "-5s", "5s!"])("rejects %j with a ValidationError naming the input", (text) => {
    expect(() => parseDuration(text, "--timeout")).toThrow(ValidationError);
    expect(() => parseDuration(text, "--timeout")).toThrow(/--timeout/);
  });
});

describe("formatDuration", () => {
  it.each([
    [850, "850ms"],
    [12_340, "12.3s"],
    [245_000, "4m05s"],
    [3_720_000, "1h02m"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
