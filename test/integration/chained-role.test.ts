/**
 * The recommended production set-up end to end, the CLI in-process: the job's OIDC token gets the
 * environment's OIDC role (trust: the project on main), and only with the restricted context's
 * ExternalId does that role get the deploy role (sts:AssumeRole, its trust evaluated by the emulator's
 * STS). Every call is checked against the policies of the role whose session signed it. And the
 * SSH re-run guard: a write command refuses to run when the job's token says ssh-rerun.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { ACCOUNT_ID, awsClients, useEmulator, writeOperations } from "../helpers/emulator.js";
import { circleciToken } from "../helpers/jwt.js";
import { contextVariables, EXTERNAL_ID, expectCallsAllowedByRoles, roleArn, setUpCircleCiIam } from "../helpers/oidc-roles.js";
import { SEED_SHAS, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const dir = mkdtempSync(join(tmpdir(), "ecs-release-chain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = join(dir, "web-identity-token");
const RELEASE = ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1]!, "--poll-interval", "10ms"];

beforeEach(async () => {
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator);
  await seedPlatform(awsClients(handle.emulator));
});

/** The environment of a CircleCI job after configure_aws_oidc, in `context`: no keys, the token file. */
async function jobEnv(context: string, tokenOptions: Parameters<typeof circleciToken>[1] = {}): Promise<Record<string, string>> {
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...emulator } = handle.env();
  const token = circleciToken(await handle.emulator.clock(), tokenOptions);
  writeFileSync(tokenFile, token);
  return { ...emulator, ...contextVariables(context), AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_SESSION_NAME: "circleci-shop-7", CIRCLE_OIDC_TOKEN_V2: token, AWS_CONFIG_FILE: join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") };
}

const VALUES = { Cluster: "prod", Family: "*", Repository: "platform", SsmPath: "platform/prod", TaskRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/*`, ExecutionRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/*`, DeployRoleArn: roleArn("ecs-release-prod-deploy") };

describe("the chained set-up", () => {
  it("in the restricted context: OIDC role, then the deploy role with the ExternalId; released; each call allowed by its role's policies", async () => {
    const cli = await runCli(RELEASE, await jobEnv("aws-prod"));
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).not.toContain(EXTERNAL_ID);
    const sessions = (await handle.emulator.sessions()).map((s) => s.roleArn);
    expect(sessions).toEqual([roleArn("ecs-release-prod-oidc"), roleArn("ecs-release-prod-deploy")]);
    const counts = await expectCallsAllowedByRoles(handle.emulator, VALUES);
    expect(counts[roleArn("ecs-release-prod-oidc")]).toBe(1); // only the hop
    expect(counts[roleArn("ecs-release-prod-deploy")]).toBeGreaterThan(3);
  });

  it("in the plan context (no ExternalId): the dry run reads with the read-only plan policy", async () => {
    const cli = await runCli([...RELEASE, "--dry-run"], await jobEnv("aws-prod-plan"));
    expect(cli.code, cli.output).toBe(0);
    expect((await handle.emulator.sessions()).map((s) => s.roleArn)).toEqual([roleArn("ecs-release-prod-oidc")]);
    expect((await expectCallsAllowedByRoles(handle.emulator, VALUES))[roleArn("ecs-release-prod-oidc")]).toBeGreaterThan(2);
  });

  it("a wrong ExternalId: AccessDenied on the hop, nothing written", async () => {
    const env = { ...(await jobEnv("aws-prod")), ECS_RELEASE_DEPLOY_EXTERNAL_ID: "guessed" };
    const start = (await handle.emulator.callLog()).length;
    const cli = await runCli(RELEASE, env);
    expect(cli.code, cli.output).toBe(3);
    expect(cli.output).toMatch(/not authorized to perform: sts:AssumeRole on resource/);
    expect(cli.output).not.toContain("guessed");
    expect(writeOperations((await handle.emulator.callLog()).slice(start))).toEqual([]);
  });

  it("an ExternalId STS would refuse (a space in it): exit 2 before any AWS call, not printed", async () => {
    // AssumeRole's ExternalId: 2–1224 of [\w+=,.@:/-] (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
    const env = { ...(await jobEnv("aws-prod")), ECS_RELEASE_DEPLOY_EXTERNAL_ID: "pasted with-space" };
    const start = (await handle.emulator.callLog()).length;
    const cli = await runCli(RELEASE, env);
    expect(cli.code, cli.output).toBe(2);
    expect(cli.output).toMatch(/ECS_RELEASE_DEPLOY_EXTERNAL_ID is not an ExternalId STS accepts/);
    expect(cli.output).not.toContain("pasted");
    expect((await handle.emulator.callLog()).slice(start)).toEqual([]);
  });

  it("a feature branch's job: refused at the first hop, nothing written", async () => {
    const start = (await handle.emulator.callLog()).length;
    const cli = await runCli(RELEASE, await jobEnv("aws-prod", { vcsRef: "refs/heads/feature/x" }));
    expect(cli.code, cli.output).toBe(3); // an AWS call failed
    expect(cli.output).toContain("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    expect(writeOperations((await handle.emulator.callLog()).slice(start))).toEqual([]);
  });
});

describe("SSH re-runs", () => {
  it("a write command in a job re-run with SSH: exit 2, one line naming the way out, no AWS call; the dry run still reads", async () => {
    const env = await jobEnv("aws-prod", { sshRerun: true });
    const start = (await handle.emulator.callLog()).length;
    const cli = await runCli(RELEASE, env);
    expect(cli.code, cli.output).toBe(2);
    expect(cli.stderr.trim().split("\n")).toHaveLength(1);
    expect(cli.stderr).toContain("ECS_RELEASE_ALLOW_SSH_RERUN=1");
    expect((await handle.emulator.callLog()).slice(start)).toEqual([]);
    const dry = await runCli([...RELEASE, "--dry-run"], await jobEnv("aws-prod-plan", { sshRerun: true }));
    expect(dry.code, dry.output).toBe(0);
  });

  it("with ECS_RELEASE_ALLOW_SSH_RERUN=1 it runs", async () => {
    const cli = await runCli(RELEASE, { ...(await jobEnv("aws-prod", { sshRerun: true })), ECS_RELEASE_ALLOW_SSH_RERUN: "1" });
    expect(cli.code, cli.output).toBe(0);
  });
});
