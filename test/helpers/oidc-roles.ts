/**
 * The identity set-up of docs/iam.md, created in the emulator's IAM (moto) so that its STS decides
 * every AssumeRoleWithWebIdentity and AssumeRole with the generated trust policies
 * (test/emulator/sts.ts): CircleCI's OIDC provider for the organization, and per environment an OIDC
 * role and a deploy role, plus the build role. Data-driven: {@link RECOMMENDED_ROLES} says which
 * policies each role has, {@link contextVariables} what each context of the orb's examples puts in a
 * job's environment, so a test (or a workflow runner) can run an example's job with the credentials
 * that example gives it and check its calls against that role's policies.
 */
import { fillPlaceholders, policyDocument, POLICIES, type JobPolicy, type Placeholder } from "../../src/iam/policies.js";
import type { Emulator } from "../emulator/index.js";
import { createHash } from "node:crypto";
import { ACCOUNT_ID } from "./emulator.js";
import { fromSnapshot } from "./seed.js";
import { callsBy, evaluateCalls, formatDenials } from "./iam-check.js";
import { CIRCLECI_FIXTURE } from "./jwt.js";

/** The ExternalId each restricted context holds in the tests (a secret: never printed). */
export const EXTERNAL_ID = "ext-3f9c1a7e5b2d4c68a0e1f7b9d3c5a2e4";

/** A role of the set-up: its name, its trust (OIDC, or the environment's OIDC role with the ExternalId) and its policies. */
export interface RoleSetUp {
  readonly name: string;
  readonly trust: "oidc" | { readonly from: string };
  readonly policies: readonly JobPolicy["name"][];
}

/** The roles of one environment in the recommended (chained) set-up. */
export function environmentRoles(environment: string): RoleSetUp[] {
  return [
    { name: `ecs-release-${environment}-oidc`, trust: "oidc", policies: ["plan", "assume-deploy"] },
    { name: `ecs-release-${environment}-deploy`, trust: { from: `ecs-release-${environment}-oidc` }, policies: ["release", "rollback"] },
  ];
}

/** Every role of the recommended set-up: the build role and each environment's two roles. */
export const RECOMMENDED_ROLES: readonly RoleSetUp[] = [{ name: "ecs-release-build", trust: "oidc", policies: ["build"] }, ...environmentRoles("staging"), ...environmentRoles("prod")];

/** A role's ARN in the emulator's account. */
export function roleArn(name: string): string {
  return `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;
}

/**
 * What a context of the examples puts in a job's environment: `aws-build` the build role;
 * `aws-ENV-plan` the environment's OIDC role (read-only plan policy); `aws-ENV`, the restricted one,
 * the same OIDC role plus the deploy role and its ExternalId.
 */
export function contextVariables(context: string): Record<string, string> {
  if (context === "aws-build") return { AWS_ROLE_ARN: roleArn("ecs-release-build") };
  const plan = /^aws-([a-z]+)-plan$/.exec(context);
  if (plan !== null) return { AWS_ROLE_ARN: roleArn(`ecs-release-${plan[1]}-oidc`) };
  const restricted = /^aws-([a-z]+)$/.exec(context);
  if (restricted !== null) {
    const environment = restricted[1]!;
    return { AWS_ROLE_ARN: roleArn(`ecs-release-${environment}-oidc`), ECS_RELEASE_DEPLOY_ROLE_ARN: roleArn(`ecs-release-${environment}-deploy`), ECS_RELEASE_DEPLOY_EXTERNAL_ID: EXTERNAL_ID };
  }
  throw new Error(`no test set-up for the context ${context}`);
}

/** The policies of a role of the set-up, by ARN. */
export function policiesOfRole(arn: string): JobPolicy[] {
  const role = RECOMMENDED_ROLES.find((r) => roleArn(r.name) === arn);
  if (role === undefined) throw new Error(`${arn} is not a role of the set-up`);
  return role.policies.map((name) => POLICIES[name]);
}

/** An IAM call (query protocol) to the emulator, which hands IAM to moto; throws unless it succeeds. */
export async function iamCall(emulator: Pick<Emulator, "url">, parameters: Record<string, string>): Promise<string> {
  const response = await fetch(`${emulator.url}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ ...parameters, Version: "2010-05-08" }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${parameters["Action"]} answered ${response.status}: ${text}`);
  return text;
}

/** The values the generated trust policies are filled with (the fixture project, deploying from main). */
export function trustValues(overrides: { deployRef?: string; oidcRoleArn?: string } = {}): Record<string, string> {
  return {
    Account: ACCOUNT_ID,
    OrgId: CIRCLECI_FIXTURE.orgId,
    ProjectId: CIRCLECI_FIXTURE.projectId,
    VcsOrigin: CIRCLECI_FIXTURE.vcsOrigin,
    DeployRef: overrides.deployRef ?? "refs/heads/main",
    ...(overrides.oidcRoleArn === undefined ? {} : { OidcRoleArn: overrides.oidcRoleArn }),
    ExternalId: EXTERNAL_ID,
  };
}

/** CircleCI's OIDC provider of the fixture organization (audience: the organization id), as docs/iam.md has users create it. */
export async function createCircleCiProvider(emulator: Pick<Emulator, "url">, orgId: string = CIRCLECI_FIXTURE.orgId): Promise<void> {
  await iamCall(emulator, { Action: "CreateOpenIDConnectProvider", Url: `https://oidc.circleci.com/org/${orgId}`, "ClientIDList.member.1": orgId, "ThumbprintList.member.1": "0".repeat(40) });
}

/** Creates a role with a trust policy document. */
export async function createRole(emulator: Pick<Emulator, "url">, name: string, trust: unknown): Promise<string> {
  await iamCall(emulator, { Action: "CreateRole", RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) });
  return roleArn(name);
}

/**
 * The set-up in the emulator's IAM: the provider and every role of {@link RECOMMENDED_ROLES} (or
 * `roles`), each with the trust policy `npm run iam` prints for it. Call after each emulator reset.
 */
export async function setUpCircleCiIam(emulator: Pick<Emulator, "url"> & Partial<Pick<Emulator, "restore" | "snapshot">>, options: { roles?: readonly RoleSetUp[]; deployRef?: string } = {}): Promise<void> {
  const name = `setUpCircleCiIam:${createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 16)}`;
  await fromSnapshot(emulator, name, () => setUpCircleCiIamThroughApi(emulator, options));
}

async function setUpCircleCiIamThroughApi(emulator: Pick<Emulator, "url">, options: { roles?: readonly RoleSetUp[]; deployRef?: string }): Promise<null> {
  await createCircleCiProvider(emulator);
  for (const role of options.roles ?? RECOMMENDED_ROLES) {
    const trust =
      role.trust === "oidc"
        ? fillPlaceholders(policyDocument(POLICIES.trust), trustValues(options.deployRef === undefined ? {} : { deployRef: options.deployRef }))
        : fillPlaceholders(policyDocument(POLICIES["deploy-trust"]), trustValues({ oidcRoleArn: roleArn(role.trust.from) }));
    await createRole(emulator, role.name, trust);
  }
  return null;
}

/** One policy with every statement of `policies` (Sids prefixed with the policy's name, so they stay unique). */
export function mergedPolicy(policies: readonly JobPolicy[]): JobPolicy {
  const first = policies[0];
  if (first === undefined) throw new Error("no policies to merge");
  const prefix = (name: string): string => name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
  return {
    ...first,
    title: policies.map((p) => p.name).join(" + "),
    statements: policies.flatMap((p) => p.statements.map(({ why, statement }) => ({ why, statement: { ...statement, Sid: `${prefix(p.name)}${statement.Sid}` } }))),
  };
}

/**
 * Every call signed by a session STS handed out, evaluated against the policies of that session's
 * role (the set-up's data: {@link policiesOfRole}). Throws naming each denied call; returns how many
 * calls each role made (a test asserts it is not vacuous).
 */
export async function expectCallsAllowedByRoles(emulator: Pick<Emulator, "callLog" | "sessions">, values: Partial<Record<Placeholder, string>>): Promise<Record<string, number>> {
  const [log, sessions] = await Promise.all([emulator.callLog(), emulator.sessions()]);
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  for (const session of sessions) {
    const calls = callsBy(log, session.accessKeyId);
    if (calls.length === 0) continue;
    counts[session.roleArn] = (counts[session.roleArn] ?? 0) + calls.length;
    const policy = mergedPolicy(policiesOfRole(session.roleArn));
    const denials = await evaluateCalls(calls, { policy, values: { ...values, DeployRoleArn: values.DeployRoleArn ?? "*" } });
    if (denials.length > 0) failures.push(`${session.roleArn}:\n${formatDenials(policy, denials)}`);
  }
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
  return counts;
}
