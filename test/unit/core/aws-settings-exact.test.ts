import { describe, expect, it } from "vitest";
import { profileSettings, resolveAwsSettings } from "../../../src/core/aws-settings.js";

describe("profileSettings, exact", () => {
  it.each<[string, string[], string, Record<string, string>]>([
    ["[profile default] is the default profile too", ["[profile default]", "region = r1"], "default", { region: "r1" }],
    ["settings above the first header belong to no profile", ["region = top", "[default]", "x = 1"], "default", { x: "1" }],
    ["a `#` inside a value is not a comment", ["[default]", "role=a#b"], "default", { role: "a#b" }],
    ["a header indented, with spaces after it", ["  [default]  ", "region = r"], "default", { region: "r" }],
    ["a header with text after it is no header", ["[default] x", "region = r"], "default", {}],
    ["a value in brackets is no header", ["[default]", "key = [x]", "region = r"], "default", { key: "[x]", region: "r" }],
    ["spaces inside a header read as one", ["[profile  two]", "region = r"], "two", { region: "r" }],
    ["a line starting with `=` is no setting", ["[default]", "=a=b", "region = r"], "default", { region: "r" }],
    ["a line without `=` is skipped", ["[default]", "bare", "region = r"], "default", { region: "r" }],
  ])("%s", (_name, lines, profile, expected) => {
    expect(profileSettings(lines.join("\n"), profile)).toStrictEqual(expected);
  });
});

describe("resolveAwsSettings, exact", () => {
  it.each<[string, Record<string, string>, string | undefined, { region: string | undefined; maxAttempts: number; retryMode: string }]>([
    ["AWS_DEFAULT_REGION alone", { AWS_DEFAULT_REGION: "eu-north-1" }, undefined, { region: "eu-north-1", maxAttempts: 6, retryMode: "adaptive" }],
    ["ten attempts", { AWS_MAX_ATTEMPTS: "10" }, undefined, { region: undefined, maxAttempts: 10, retryMode: "adaptive" }],
    ["one attempt", { AWS_MAX_ATTEMPTS: "1" }, undefined, { region: undefined, maxAttempts: 1, retryMode: "adaptive" }],
    ["attempts with spaces around", { AWS_MAX_ATTEMPTS: " 5 " }, undefined, { region: undefined, maxAttempts: 5, retryMode: "adaptive" }],
    ["a retry mode with spaces around", { AWS_RETRY_MODE: " standard " }, undefined, { region: undefined, maxAttempts: 6, retryMode: "standard" }],
  ])("%s", (_name, env, configText, expected) => {
    expect(resolveAwsSettings({ env, configText })).toStrictEqual(expected);
  });

  it.each<[Record<string, string>, string | undefined, string]>([
    [{ AWS_MAX_ATTEMPTS: "x5" }, undefined, 'AWS_MAX_ATTEMPTS must be a whole number of at least 1 (got "x5")'],
    [{ AWS_MAX_ATTEMPTS: "5x" }, undefined, 'AWS_MAX_ATTEMPTS must be a whole number of at least 1 (got "5x")'],
    [{}, "[default]\nmax_attempts = 0", 'max_attempts of profile default must be a whole number of at least 1 (got "0")'],
    [{ AWS_PROFILE: "ci" }, "[profile ci]\nretry_mode = eager", 'retry_mode of profile ci must be standard, adaptive or legacy (got "eager")'],
  ])("refuses %j %j", (env, configText, message) => {
    expect(() => resolveAwsSettings({ env, configText })).toThrow(message);
  });
});
