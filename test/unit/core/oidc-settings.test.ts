import { describe, expect, it } from "vitest";
import { assumedRoleLine, jwtAudience, mintFailedMessage, oidcRefreshSettings } from "../../../src/core/oidc-settings.js";
import { circleciToken } from "../../helpers/jwt.js";

describe("ECS_RELEASE_OIDC=circleci settings", () => {
  const job = { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy", AWS_ROLE_SESSION_NAME: "circleci-shop-7", AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/t", CIRCLE_OIDC_TOKEN_V2: circleciToken(0, { orgId: "org-123" }) };

  it("is off unless the orb sets it; unknown modes are refused", () => {
    expect(oidcRefreshSettings(job)).toBeUndefined();
    expect(oidcRefreshSettings({ ...job, ECS_RELEASE_OIDC: "" })).toBeUndefined();
    expect(() => oidcRefreshSettings({ ...job, ECS_RELEASE_OIDC: "github" })).toThrow(/not supported/);
  });

  it("takes the role, session and token file from the job, the audience from the job's own token (or the override)", () => {
    expect(oidcRefreshSettings({ ...job, ECS_RELEASE_OIDC: "circleci" })).toEqual({ roleArn: job.AWS_ROLE_ARN, sessionName: "circleci-shop-7", audience: "org-123", tokenFile: "/tmp/t" });
    expect(oidcRefreshSettings({ ...job, ECS_RELEASE_OIDC: "circleci", ECS_RELEASE_OIDC_AUDIENCE: "custom" })?.audience).toBe("custom");
  });

  it("names what is missing: the role, the audience", () => {
    expect(() => oidcRefreshSettings({ ...job, ECS_RELEASE_OIDC: "circleci", AWS_ROLE_ARN: "" })).toThrow(/needs AWS_ROLE_ARN/);
    expect(() => oidcRefreshSettings({ ECS_RELEASE_OIDC: "circleci", AWS_ROLE_ARN: job.AWS_ROLE_ARN })).toThrow(/ECS_RELEASE_OIDC_AUDIENCE/);
  });

  it("reads aud from a JWT without verifying it; anything else gives none", () => {
    expect(jwtAudience(circleciToken(0, { orgId: "org-9" }))).toBe("org-9");
    expect(jwtAudience("not-a-jwt")).toBe("");
    expect(jwtAudience("a.b.c")).toBe("");
  });
});

describe("minting lines", () => {
  it.each<[string, { notOnPath: boolean; stderr: string; message?: string }, string]>([
    ["the CLI is missing", { notOnPath: true, stderr: "", message: "spawn circleci ENOENT" }, "the circleci CLI is not on PATH (it is in every CircleCI job)"],
    ["the first line of stderr", { notOnPath: false, stderr: "Error: not in a job\nmore\n", message: "Command failed" }, "Error: not in a job"],
    ["the process error when stderr is empty", { notOnPath: false, stderr: "  ", message: "Command failed" }, "Command failed"],
    ["no token printed", { notOnPath: false, stderr: "" }, "no token printed"],
  ])("%s", (_what, input, reason) => expect(mintFailedMessage(input)).toBe(`could not mint a CircleCI OIDC token with \`circleci run oidc get\`: ${reason}`));

  it("says which role was assumed and until when, never the token", () => {
    expect(assumedRoleLine("arn:aws:iam::123456789012:role/deploy", new Date("2026-01-01T01:00:00Z"))).toBe(
      "AWS credentials: assumed arn:aws:iam::123456789012:role/deploy with a fresh CircleCI OIDC token, valid until 2026-01-01T01:00:00.000Z",
    );
    expect(assumedRoleLine("arn:aws:iam::123456789012:role/deploy", undefined)).toBe("AWS credentials: assumed arn:aws:iam::123456789012:role/deploy with a fresh CircleCI OIDC token");
  });
});
