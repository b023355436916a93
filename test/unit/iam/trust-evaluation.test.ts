/**
 * The emulator's trust-policy evaluation (test/emulator/trust-policy.ts), operator by operator, with
 * present and absent keys, as AWS's "IAM JSON policy elements: Condition operators" and "Set operators
 * for multivalued context keys" define them; then the generated CircleCI trust policy against the
 * request context STS builds from a V2 token.
 */
import { describe, expect, it } from "vitest";
import { conditionHolds, evaluateTrustPolicy, webIdentityContext, wildcardMatch } from "../../emulator/trust-policy.js";
import { fillPlaceholders, policyDocument, POLICIES } from "../../../src/iam/policies.js";

const ctx = { "k:single": "refs/heads/main", "k:multi": ["a", "b"], "k:empty": [] as string[], "k:bool": "true" };

describe("condition operators", () => {
  it.each([
    // operator, key, policy values, expected
    ["StringEquals", "k:single", ["refs/heads/main"], true],
    ["StringEquals", "K:SINGLE", ["refs/heads/main"], true], // key names are case-insensitive
    ["StringEquals", "k:single", ["refs/heads/MAIN"], false], // values are not
    ["StringEquals", "k:single", ["x", "refs/heads/main"], true], // values of one key are ORed
    ["StringEquals", "k:absent", ["x"], false],
    ["StringNotEquals", "k:single", ["refs/heads/main"], false],
    ["StringNotEquals", "k:single", ["x"], true],
    ["StringNotEquals", "k:absent", ["x"], true], // negated on an absent key: true
    ["StringEqualsIgnoreCase", "k:single", ["REFS/HEADS/MAIN"], true],
    ["StringLike", "k:single", ["refs/heads/*"], true],
    ["StringLike", "k:single", ["refs/tags/*"], false],
    ["StringLike", "k:single", ["refs/heads/mai?"], true],
    ["StringLike", "k:absent", ["*"], false],
    ["StringNotLike", "k:single", ["refs/tags/*"], true],
    ["StringNotLike", "k:absent", ["*"], true],
    ["StringEqualsIfExists", "k:absent", ["x"], true],
    ["StringEqualsIfExists", "k:single", ["x"], false],
    ["StringEqualsIfExists", "k:single", ["refs/heads/main"], true],
    ["StringLikeIfExists", "k:absent", ["x*"], true],
    ["Null", "k:absent", ["true"], true],
    ["Null", "k:single", ["true"], false],
    ["Null", "k:absent", ["false"], false],
    ["Null", "k:single", ["false"], true],
    ["Bool", "k:bool", ["true"], true],
    ["Bool", "k:bool", ["false"], false],
    ["Bool", "k:absent", ["true"], false],
    ["BoolIfExists", "k:absent", ["false"], true],
    ["ArnLike", "k:single", ["refs/*"], true],
    ["ForAnyValue:StringEquals", "k:multi", ["b", "z"], true],
    ["ForAnyValue:StringEquals", "k:multi", ["z"], false],
    ["ForAnyValue:StringEquals", "k:absent", ["a"], false], // the shipped context-ids condition, on a key STS does not supply
    ["ForAnyValue:StringEquals", "k:empty", ["a"], false],
    ["ForAnyValue:StringNotEquals", "k:multi", ["a"], true], // b is not a
    ["ForAnyValue:StringNotEquals", "k:absent", ["a"], false],
    ["ForAllValues:StringEquals", "k:multi", ["a", "b", "c"], true],
    ["ForAllValues:StringEquals", "k:multi", ["a"], false],
    ["ForAllValues:StringEquals", "k:absent", ["a"], true], // vacuously true: why ForAllValues alone never restricts
    ["ForAllValues:StringEquals", "k:empty", ["a"], true],
    ["ForAllValues:StringNotLike", "k:multi", ["c*"], true],
    ["ForAllValues:StringLike", "k:multi", ["?"], true],
  ] as const)("%s on %s %j → %s", (operator, key, values, expected) => {
    expect(conditionHolds(operator, key, values, ctx)).toBe(expected);
  });

  it("refuses an operator it does not model rather than guessing", () => {
    expect(() => conditionHolds("NumericLessThan", "k:single", ["1"], ctx)).toThrow(/not modelled/);
  });

  it("wildcards: * spans slashes, ? is one character, the rest is literal", () => {
    expect(wildcardMatch("org/*/vcs-ref/refs/heads/main", "org/o/project/p/user/u/vcs-ref/refs/heads/main")).toBe(true);
    expect(wildcardMatch("a.b", "aXb")).toBe(false);
    expect(wildcardMatch("a?c", "abc")).toBe(true);
    expect(wildcardMatch("a?c", "abbc")).toBe(false);
  });
});

describe("statements", () => {
  const federated = { federated: "arn:aws:iam::111122223333:oidc-provider/example.com" };
  const allow = (extra: object) => ({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Principal: { Federated: federated.federated }, Action: "sts:AssumeRoleWithWebIdentity", ...extra }] });

  it("operators are ANDed, keys of one operator are ANDed", () => {
    const policy = allow({ Condition: { StringEquals: { "example.com:aud": "x", "example.com:sub": "s" }, StringLike: { "example.com:sub": "s*" } } });
    const request = (context: Record<string, string>) => ({ action: "sts:AssumeRoleWithWebIdentity", principal: federated, context });
    expect(evaluateTrustPolicy(policy, request({ "example.com:aud": "x", "example.com:sub": "s" })).decision).toBe("Allowed");
    expect(evaluateTrustPolicy(policy, request({ "example.com:aud": "x" })).decision).toBe("ImplicitDeny");
    expect(evaluateTrustPolicy(policy, request({ "example.com:aud": "y", "example.com:sub": "s" })).decision).toBe("ImplicitDeny");
  });

  it("an explicit Deny wins; another principal or action is not allowed", () => {
    const policy = { Statement: [...allow({}).Statement, { Sid: "D", Effect: "Deny", Principal: "*", Action: "sts:*" }] };
    expect(evaluateTrustPolicy(policy, { action: "sts:AssumeRoleWithWebIdentity", principal: federated, context: {} }).decision).toBe("ExplicitDeny");
    expect(evaluateTrustPolicy(allow({}), { action: "sts:AssumeRole", principal: federated, context: {} }).decision).toBe("ImplicitDeny");
    expect(evaluateTrustPolicy(allow({}), { action: "sts:AssumeRoleWithWebIdentity", principal: { federated: "arn:aws:iam::111122223333:oidc-provider/other" }, context: {} }).decision).toBe("ImplicitDeny");
  });

  it("an AWS principal: the role (its sessions), or the account", () => {
    const trust = (principal: string) => ({ Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole" }] });
    const session = { role: "arn:aws:iam::111122223333:role/oidc", account: "111122223333" };
    const request = { action: "sts:AssumeRole", principal: session, context: {} };
    expect(evaluateTrustPolicy(trust("arn:aws:iam::111122223333:role/oidc"), request).decision).toBe("Allowed");
    expect(evaluateTrustPolicy(trust("arn:aws:iam::111122223333:root"), request).decision).toBe("Allowed");
    expect(evaluateTrustPolicy(trust("arn:aws:iam::111122223333:role/other"), request).decision).toBe("ImplicitDeny");
  });
});

describe("the generated CircleCI trust policy, against what STS supplies for a V2 token", () => {
  const ORG = "0b7e1a52-8a4e-4e0b-9f39-2a4c0d5e6f70";
  const PROJECT = "6c1f0c2e-57b2-4c7d-bb7e-0e5b5c9a1d11";
  const values = { Account: "123456789012", OrgId: ORG, ProjectId: PROJECT, VcsOrigin: "github.com/acme/shop", DeployRef: "refs/heads/main" };
  const trust = fillPlaceholders(policyDocument(POLICIES.trust), values);
  const provider = `oidc.circleci.com/org/${ORG}`;
  const principal = { federated: `arn:aws:iam::123456789012:oidc-provider/${provider}` };
  const claims = (overrides: { org?: string; project?: string; ref?: string; origin?: string } = {}) => {
    const org = overrides.org ?? ORG;
    const project = overrides.project ?? PROJECT;
    return {
      aud: org,
      sub: `org/${org}/project/${project}/user/9d1e/vcs-origin/${overrides.origin ?? "github.com/acme/shop"}/vcs-ref/${overrides.ref ?? "refs/heads/main"}`,
      "oidc.circleci.com/project-id": project,
      "oidc.circleci.com/context-ids": ["c0ffee00-0000-4000-8000-000000000000"],
      "oidc.circleci.com/vcs-ref": overrides.ref ?? "refs/heads/main",
      "oidc.circleci.com/ssh-rerun": false,
    };
  };
  const decide = (policy: unknown, claimSet: Record<string, unknown>) =>
    evaluateTrustPolicy(policy, { action: "sts:AssumeRoleWithWebIdentity", principal, context: webIdentityContext(provider, claimSet, "s") }).decision;

  it("STS supplies aud, sub and project-id only: no context ids, no vcs-ref, no ssh-rerun", () => {
    expect(Object.keys(webIdentityContext(provider, claims(), "s")).sort()).toEqual([`${provider}:aud`, `${provider}:oidc.circleci.com/project-id`, `${provider}:sub`, "sts:RoleSessionName"]);
  });

  it("lets a V2 token of the project on main in", () => {
    expect(decide(trust, claims())).toBe("Allowed");
  });

  it.each([
    ["another project", { project: "7777" }],
    ["a feature branch", { ref: "refs/heads/feature/x" }],
    ["a tag", { ref: "refs/tags/v1.2.3" }],
    ["another repository", { origin: "github.com/acme/other" }],
  ])("refuses %s", (_what, overrides) => {
    expect(decide(trust, claims(overrides))).toBe("ImplicitDeny");
  });

  it("refuses another organization (its token names another provider and audience)", () => {
    const otherOrg = "aaaaaaaa-0000-4000-8000-000000000000";
    const request = { action: "sts:AssumeRoleWithWebIdentity", principal: { federated: `arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/${otherOrg}` }, context: webIdentityContext(`oidc.circleci.com/org/${otherOrg}`, claims({ org: otherOrg }), "s") };
    expect(evaluateTrustPolicy(trust, request).decision).toBe("ImplicitDeny");
  });

  it("refuses a V1 token (sub without vcs-origin and vcs-ref)", () => {
    expect(decide(trust, { ...claims(), sub: `org/${ORG}/project/${PROJECT}/user/9d1e` })).toBe("ImplicitDeny");
  });

  it("tags for tag-triggered releases, as an option (DeployRef=refs/tags/v*)", () => {
    const tags = fillPlaceholders(policyDocument(POLICIES.trust), { ...values, DeployRef: "refs/tags/v*" });
    expect(decide(tags, claims({ ref: "refs/tags/v1.2.3" }))).toBe("Allowed");
    expect(decide(tags, claims())).toBe("ImplicitDeny");
  });

  it("a condition on a key STS does not supply (the context ids) can never match: the role would be closed", () => {
    const statement = trust.Statement[0]!;
    const withContext = { ...trust, Statement: [{ ...statement, Condition: { ...statement.Condition, "ForAnyValue:StringEquals": { [`${provider}:oidc.circleci.com/context-ids`]: ["c0ffee00-0000-4000-8000-000000000000"] } } }] };
    expect(decide(withContext, claims())).toBe("ImplicitDeny");
  });

  it("the deploy role's trust: only the OIDC role, only with the ExternalId", () => {
    const deployTrust = fillPlaceholders(policyDocument(POLICIES["deploy-trust"]), { OidcRoleArn: "arn:aws:iam::123456789012:role/prod-oidc", ExternalId: "e1" });
    const oidcSession = { role: "arn:aws:iam::123456789012:role/prod-oidc", account: "123456789012" };
    const decideChain = (principal: typeof oidcSession, context: Record<string, string>) => evaluateTrustPolicy(deployTrust, { action: "sts:AssumeRole", principal, context }).decision;
    expect(decideChain(oidcSession, { "sts:ExternalId": "e1" })).toBe("Allowed");
    expect(decideChain(oidcSession, {})).toBe("ImplicitDeny");
    expect(decideChain(oidcSession, { "sts:ExternalId": "e2" })).toBe("ImplicitDeny");
    expect(decideChain({ ...oidcSession, role: "arn:aws:iam::123456789012:role/build" }, { "sts:ExternalId": "e1" })).toBe("ImplicitDeny");
  });
});
