import { describe, expect, it } from "vitest";
import { assumedRoleLine, chainedRoleLine, chainedRoleSettings, checkSshRerun, jwtAudience, jwtClaims, mintFailedMessage, oidcRefreshSettings } from "../../../src/core/oidc-settings.js";
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

describe("the chained set-up's deploy role (ECS_RELEASE_DEPLOY_ROLE_ARN + ECS_RELEASE_DEPLOY_EXTERNAL_ID)", () => {
  const role = "arn:aws:iam::123456789012:role/prod-deploy";
  it("is off without either; both give the hop; one without the other names the missing variable", () => {
    expect(chainedRoleSettings({})).toBeUndefined();
    expect(chainedRoleSettings({ ECS_RELEASE_DEPLOY_ROLE_ARN: role, ECS_RELEASE_DEPLOY_EXTERNAL_ID: "x1", AWS_ROLE_SESSION_NAME: "circleci-shop-7" })).toEqual({ roleArn: role, externalId: "x1", sessionName: "circleci-shop-7" });
    expect(() => chainedRoleSettings({ ECS_RELEASE_DEPLOY_ROLE_ARN: role })).toThrow(/ECS_RELEASE_DEPLOY_EXTERNAL_ID is not/);
    expect(() => chainedRoleSettings({ ECS_RELEASE_DEPLOY_EXTERNAL_ID: "x1" })).toThrow(/ECS_RELEASE_DEPLOY_ROLE_ARN is not/);
  });
  it("refuses an ExternalId STS would refuse (2–1224 of letters, digits and _+=,.@:/-), without printing it", () => {
    // API_AssumeRole, ExternalId: "Length Constraints: Minimum length of 2. Maximum length of 1224.
    // Pattern: [\w+=,.@:/-]*" (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
    const settings = (externalId: string) => () => chainedRoleSettings({ ECS_RELEASE_DEPLOY_ROLE_ARN: role, ECS_RELEASE_DEPLOY_EXTERNAL_ID: externalId });
    for (const bad of ["s3cret value", "x", "k".repeat(1225), "s3cret#value"]) {
      expect(settings(bad), JSON.stringify(bad.slice(0, 20))).toThrow(/ECS_RELEASE_DEPLOY_EXTERNAL_ID is not an ExternalId STS accepts/);
    }
    expect(settings("s3cret value")).not.toThrow(/s3cret/);
    // Positive controls: the limits themselves and every character STS allows.
    for (const good of ["ab", "k".repeat(1224), "aZ09_+=,.@:/-", "0f".repeat(24)]) expect(settings(good)()?.externalId).toBe(good);
  });
  it("its debug line names the role, never the ExternalId", () => {
    expect(chainedRoleLine(role, new Date("2026-01-01T01:00:00Z"))).toBe(`AWS credentials: assumed the deploy role ${role} from the OIDC role, valid until 2026-01-01T01:00:00.000Z`);
  });
});

describe("SSH re-runs (oidc.circleci.com/ssh-rerun): an accident guard for write commands", () => {
  const ssh = { CIRCLE_OIDC_TOKEN_V2: circleciToken(0, { sshRerun: true }) };
  const normal = { CIRCLE_OIDC_TOKEN_V2: circleciToken(0) };
  it("refuses a write command in an SSH re-run, naming the way out", () => {
    expect(() => checkSshRerun("release", true, ssh)).toThrow(/refusing to run release in a job re-run with SSH .*ECS_RELEASE_ALLOW_SSH_RERUN=1/);
  });
  it("lets reads, normal jobs, jobs without a token and an explicit ECS_RELEASE_ALLOW_SSH_RERUN=1 through", () => {
    expect(() => checkSshRerun("release", false, ssh)).not.toThrow();
    expect(() => checkSshRerun("release", true, normal)).not.toThrow();
    expect(() => checkSshRerun("release", true, {})).not.toThrow();
    expect(() => checkSshRerun("release", true, { ...ssh, ECS_RELEASE_ALLOW_SSH_RERUN: "1" })).not.toThrow();
    expect(() => checkSshRerun("release", true, { ...ssh, ECS_RELEASE_ALLOW_SSH_RERUN: "yes" })).toThrow();
  });
  it("reads claims of a JWT; anything else is undefined", () => {
    expect(jwtClaims(circleciToken(0, { sshRerun: true }))?.["oidc.circleci.com/ssh-rerun"]).toBe(true);
    expect(jwtClaims("not a token")).toBeUndefined();
  });
});
