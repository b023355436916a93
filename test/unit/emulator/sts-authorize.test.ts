/**
 * The emulator's STS deciding AssumeRole (test/emulator/sts.ts) as STS answers it: the ExternalId's
 * documented constraints, and the caller an AccessDenied names.
 */
import { describe, expect, it } from "vitest";
import { StsSimulation, type IamLookup } from "../../emulator/sts.js";

const ACCOUNT = process.env["MOTO_ACCOUNT_ID"] ?? "123456789012";
const OIDC_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-oidc`;
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-deploy`;
const trust = (externalId: string) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: OIDC_ROLE }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": externalId } } }] });

/** An STS with one session of the OIDC role (access key ASIAOIDC, session circleci-shop-7). */
function stsWithOidcSession(): StsSimulation {
  const sts = new StsSimulation();
  const body = Buffer.from(new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", RoleArn: OIDC_ROLE, RoleSessionName: "circleci-shop-7" }).toString());
  sts.recordCredentials(body, "<AccessKeyId>ASIAOIDC</AccessKeyId><Expiration>x</Expiration>");
  return sts;
}
const iam = (externalId: string): IamLookup => ({ trustPolicy: async (arn) => (arn === DEPLOY_ROLE ? trust(externalId) : undefined), oidcProviderClientIds: async () => undefined });
const assumeRole = (externalId: string) => Buffer.from(new URLSearchParams({ Action: "AssumeRole", RoleArn: DEPLOY_ROLE, RoleSessionName: "ecs-release", ExternalId: externalId }).toString());

describe("emulator STS: AssumeRole", () => {
  it("an ExternalId outside 2–1224 of [\\w+=,.@:/-] is a ValidationError (HTTP 400), even when the trust names it", async () => {
    for (const bad of ["has space", "x", "k".repeat(1225), "semi;colon"]) {
      const answer = await stsWithOidcSession().authorize("AssumeRole", assumeRole(bad), "ASIAOIDC", iam(bad));
      expect(answer?.status, JSON.stringify(bad.slice(0, 20))).toBe(400);
      expect(answer?.body).toContain("<Code>ValidationError</Code>");
      expect(answer?.body).toMatch(/at 'externalId' failed to satisfy constraint/);
    }
    // Positive control: the limits and every allowed character pass to the trust policy.
    for (const good of ["ab", "k".repeat(1224), "aZ09_+=,.@:/-"]) expect(await stsWithOidcSession().authorize("AssumeRole", assumeRole(good), "ASIAOIDC", iam(good))).toBeUndefined();
  });

  it("AccessDenied names the caller as STS does: the assumed-role session, not the role", async () => {
    const answer = await stsWithOidcSession().authorize("AssumeRole", assumeRole("wrong-id"), "ASIAOIDC", iam("right-id"));
    expect(answer?.status).toBe(403);
    expect(answer?.body).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/prod-oidc/circleci-shop-7 is not authorized to perform: sts:AssumeRole on resource: ${DEPLOY_ROLE}`);
  });
});
