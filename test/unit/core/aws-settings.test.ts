import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { profileSettings, resolveAwsSettings } from "../../../src/core/aws-settings.js";

const CONFIG = ["# comment", "[default]", "region = us-east-1", "max_attempts=4", "", "[profile ci]", "region=eu-west-1 ; trailing comment", "retry_mode = standard", "s3 =", "  max_concurrent_requests = 2", "[sso-session x]", "region = ap-south-1"].join("\n");

describe("profileSettings", () => {
  it("reads [default] and [profile NAME], skipping comments and nested settings", () => {
    expect(profileSettings(CONFIG, "default")).toEqual({ region: "us-east-1", max_attempts: "4" });
    expect(profileSettings(CONFIG, "ci")).toEqual({ region: "eu-west-1", retry_mode: "standard", s3: "" });
    expect(profileSettings(CONFIG, "x")).toEqual({});
  });
});

describe("resolveAwsSettings", () => {
  it.each<[string, Parameters<typeof resolveAwsSettings>[0], { region: string | undefined; maxAttempts: number; retryMode: string }]>([
    ["defaults", { env: {} }, { region: undefined, maxAttempts: 6, retryMode: "adaptive" }],
    ["--region first", { flagRegion: "us-west-2", env: { AWS_REGION: "eu-west-1" }, configText: CONFIG }, { region: "us-west-2", maxAttempts: 4, retryMode: "adaptive" }],
    ["AWS_REGION over the profile", { env: { AWS_REGION: "eu-central-1" }, configText: CONFIG }, { region: "eu-central-1", maxAttempts: 4, retryMode: "adaptive" }],
    ["the default profile's region", { env: {}, configText: CONFIG }, { region: "us-east-1", maxAttempts: 4, retryMode: "adaptive" }],
    ["AWS_PROFILE's region and retry mode", { env: { AWS_PROFILE: "ci" }, configText: CONFIG }, { region: "eu-west-1", maxAttempts: 6, retryMode: "standard" }],
    ["the environment over the profile", { env: { AWS_PROFILE: "ci", AWS_MAX_ATTEMPTS: "2", AWS_RETRY_MODE: "adaptive" }, configText: CONFIG }, { region: "eu-west-1", maxAttempts: 2, retryMode: "adaptive" }],
    ["legacy is standard in the JavaScript SDK", { env: { AWS_RETRY_MODE: "legacy" } }, { region: undefined, maxAttempts: 6, retryMode: "standard" }],
  ])("%s", (_title, input, expected) => expect(resolveAwsSettings(input)).toEqual(expected));

  it.each([
    [{ AWS_MAX_ATTEMPTS: "0" }, /AWS_MAX_ATTEMPTS must be a whole number of at least 1 \(got "0"\)/],
    [{ AWS_MAX_ATTEMPTS: "three" }, /AWS_MAX_ATTEMPTS must be/],
    [{ AWS_RETRY_MODE: "eager" }, /AWS_RETRY_MODE must be standard, adaptive or legacy/],
  ])("refuses %j", (env, message) => {
    expect(() => resolveAwsSettings({ env })).toThrow(ValidationError);
    expect(() => resolveAwsSettings({ env })).toThrow(message);
  });
});
