/**
 * The emulator's STS decides with the role's trust policy (test/emulator/sts.ts), through the real SDK
 * providers the CLI uses: the trust policy `npm run iam -- trust` generates lets a V2 token of the
 * project on main in, and refuses the same token for another project, another organization, a
 * feature branch — and a policy with a condition on a key STS does not supply (the context ids) lets
 * nobody in. AccessDenied as STS answers it ("Not authorized to perform sts:AssumeRoleWithWebIdentity").
 * Then the chained hop (AssumeRole with the ExternalId) to the deploy role.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { fromWebToken } from "@aws-sdk/credential-provider-web-identity";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { fillPlaceholders, policyDocument, POLICIES } from "../../src/iam/policies.js";
import { REGION, useEmulator } from "../helpers/emulator.js";
import { CIRCLECI_FIXTURE, circleciToken, type CircleciTokenOptions } from "../helpers/jwt.js";
import { createCircleCiProvider, createRole, EXTERNAL_ID, roleArn, setUpCircleCiIam, trustValues } from "../helpers/oidc-roles.js";

const handle = useEmulator();
const OIDC_ROLE = roleArn("ecs-release-prod-oidc");
const DEPLOY_ROLE = roleArn("ecs-release-prod-deploy");

beforeEach(async () => {
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator);
});

async function assume(role: string, options: CircleciTokenOptions = {}) {
  return fromWebToken({ roleArn: role, roleSessionName: "circleci-shop-7", webIdentityToken: circleciToken(await handle.emulator.clock(), options), clientConfig: { region: REGION, endpoint: handle.emulator.url } })();
}

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
  expect(error, "the request was let in").toBeDefined();
  return { name: error!.name, message: error!.message, status: error!.$metadata?.httpStatusCode };
}

describe("STS evaluates the generated trust policy", () => {
  it("lets a V2 token of the project on main in; the credentials work", async () => {
    const credentials = await assume(OIDC_ROLE);
    const ecs = new ECSClient({ region: REGION, endpoint: handle.emulator.url, credentials, maxAttempts: 1 });
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    expect((await handle.emulator.sessions()).map((s) => s.roleArn)).toEqual([OIDC_ROLE]);
  });

  it.each([
    ["another project", { projectId: "11111111-2222-4333-8444-555555555555" }],
    ["a feature branch", { vcsRef: "refs/heads/feature/login" }],
    ["a fork's or another repository's pipeline", { vcsOrigin: "github.com/mallory/shop" }],
  ] as const)("refuses the same token for %s: AccessDenied, as STS words it", async (_what, options) => {
    const error = await refusal(assume(OIDC_ROLE, options));
    expect(error).toMatchObject({ name: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403 });
    expect(await handle.emulator.sessions()).toEqual([]);
  });

  it("refuses another organization's token: no OIDC provider of the account for its issuer", async () => {
    const error = await refusal(assume(OIDC_ROLE, { orgId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" }));
    expect(error.name).toMatch(/^InvalidIdentityToken/); // the SDK names the class InvalidIdentityTokenException
    expect(error.message).toContain("No OpenIDConnect provider found in your account for https://oidc.circleci.com/org/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
  });

  it("refuses another organization's token even when the account trusts that organization's provider too", async () => {
    const other = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    await createCircleCiProvider(handle.emulator, other);
    const error = await refusal(assume(OIDC_ROLE, { orgId: other }));
    expect(error.name).toBe("AccessDenied");
  });

  it("refuses a token whose audience is not a client id of the provider", async () => {
    expect((await refusal(assume(OIDC_ROLE, { audience: "sts.amazonaws.com" }))).message).toBe("Incorrect token audience");
  });

  it("a policy with a condition on a key STS does not supply (the context ids) lets nobody in, not even the job that uses the context", async () => {
    const trust = fillPlaceholders(policyDocument(POLICIES.trust), trustValues());
    const statement = trust.Statement[0]!;
    const provider = `oidc.circleci.com/org/${CIRCLECI_FIXTURE.orgId}`;
    const contextId = "c0ffee00-0000-4000-8000-000000000000";
    const withContext = { ...trust, Statement: [{ ...statement, Condition: { ...statement.Condition, "ForAnyValue:StringEquals": { [`${provider}:oidc.circleci.com/context-ids`]: [contextId] } } }] };
    const role = await createRole(handle.emulator, "context-gated", withContext);
    const error = await refusal(assume(role, { contextIds: [contextId] }));
    expect(error.name).toBe("AccessDenied");
  });

  it("refuses a role that does not exist", async () => {
    expect((await refusal(assume(roleArn("no-such-role")))).name).toBe("AccessDenied");
  });
});

describe("the chained hop: the deploy role needs the OIDC role and the restricted context's ExternalId", () => {
  async function hop(credentials: Awaited<ReturnType<typeof assume>>, externalId?: string) {
    const sts = new STSClient({ region: REGION, endpoint: handle.emulator.url, credentials, maxAttempts: 1 });
    return sts.send(new AssumeRoleCommand({ RoleArn: DEPLOY_ROLE, RoleSessionName: "circleci-shop-7", ...(externalId === undefined ? {} : { ExternalId: externalId }) }));
  }

  it("from the OIDC role with the ExternalId: the deploy role's credentials", async () => {
    const answer = await hop(await assume(OIDC_ROLE), EXTERNAL_ID);
    expect(answer.Credentials?.AccessKeyId).toBeDefined();
    expect((await handle.emulator.sessions()).map((s) => s.roleArn)).toEqual([OIDC_ROLE, DEPLOY_ROLE]);
  });

  it.each([
    ["without the ExternalId (a job without the restricted context)", undefined],
    ["with a wrong ExternalId", "guess"],
  ])("refused %s", async (_what, externalId) => {
    const error = await refusal(hop(await assume(OIDC_ROLE), externalId));
    expect(error).toMatchObject({ name: "AccessDenied", status: 403 });
    // STS names the caller by its session's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), not the role's.
    const oidcSession = `${OIDC_ROLE.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")}/circleci-shop-7`;
    expect(error.message).toBe(`User: ${oidcSession} is not authorized to perform: sts:AssumeRole on resource: ${DEPLOY_ROLE}`);
  });

  it("a chained session lasts at most an hour: DurationSeconds above 3600 is refused", async () => {
    const sts = new STSClient({ region: REGION, endpoint: handle.emulator.url, credentials: await assume(OIDC_ROLE), maxAttempts: 1 });
    const error = await refusal(sts.send(new AssumeRoleCommand({ RoleArn: DEPLOY_ROLE, RoleSessionName: "s", ExternalId: EXTERNAL_ID, DurationSeconds: 7200 })));
    expect(error.message).toBe("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: DEPLOY_ROLE, RoleSessionName: "s", ExternalId: EXTERNAL_ID, DurationSeconds: 3600 }))).resolves.toBeDefined();
  });

  it("refused from another role (the build role), even with the ExternalId", async () => {
    const error = await refusal(hop(await assume(roleArn("ecs-release-build")), EXTERNAL_ID));
    expect(error.name).toBe("AccessDenied");
  });
});
