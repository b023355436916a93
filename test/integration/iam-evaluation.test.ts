/**
 * IAM, evaluated for real (issue 13, part 2): each path of the CLI runs against the emulator with
 * its own access key, and every AWS call it made is evaluated by iam-simulate against the policy of
 * the job that runs it (src/iam/policies.ts, placeholders filled as docs/iam.md tells a user to):
 * build (push), release in each --secure-strings mode (and --pre-deploy-command), rollback, status,
 * history, prune and run-task. A denied call fails the test, naming the call and what the policy
 * lacks (test/helpers/iam-check.ts).
 */
import { writeFileSync, mkdtempSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { BUILD_POLICY, RELEASE_POLICY, ROLLBACK_POLICY, TASK_EXECUTION_SECRETS_POLICY, type JobPolicy, type Placeholder } from "../../src/iam/policies.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { ACCOUNT_ID, REGION, awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { callsBy, evaluateCalls, expectAllowedByPolicy, formatDenials } from "../helpers/iam-check.js";
import { createCluster, createLogGroup, createService, SEED_NETWORK, SEED_SHAS, seedPlatform, SEED_EXECUTION_ROLE } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
const dir = mkdtempSync(join(tmpdir(), "ecs-release-iam-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The access key the CLI signs with: its calls, apart from the test's own seeding. */
const CLI_KEY = "AKIAECSRELEASECLI001";
const FAST = ["--poll-interval", "10ms"];
const TASK_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/web-task`;
/** The execution role of every family of the environment (the seeded ones have it). */
const EXECUTION_ROLE = SEED_EXECUTION_ROLE;
/** A customer managed key for the SecureStrings, so kms:Decrypt via SSM is part of the evaluation. */
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The seeded environment's families: the job policies are attached once per family, never with `*`. */
const FAMILIES = ["web", "worker"];
/** The placeholder values a user of the seeded platform would fill in. */
const VALUES: Partial<Record<Placeholder, string>> = { Cluster: "prod", Family: "web", Repository: "platform", SsmPath: "platform/prod", TaskRoleArn: TASK_ROLE, ExecutionRoleArn: EXECUTION_ROLE, KmsKeyArn: KMS_KEY, LogGroup: "/ecs/web" };
const [SHA_A, SHA_B, SHA_C] = SEED_SHAS;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
});

/** Runs the CLI signed with the CLI's own key. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { ...handle.env(), AWS_ACCESS_KEY_ID: CLI_KEY, ...env });
}

/** Every call the CLI made is allowed by `policy`, or the test fails naming the denied ones. */
async function expectAllowed(policy: JobPolicy, options: { values?: Partial<Record<Placeholder, string>>; executionRolePolicy?: JobPolicy } = {}): Promise<void> {
  const calls = callsBy(await handle.emulator.callLog(), CLI_KEY);
  await expectAllowedByPolicy(calls, { policy, values: options.values ?? VALUES, families: FAMILIES, secureStringKeyArn: KMS_KEY, ...(options.executionRolePolicy ? { executionRolePolicy: options.executionRolePolicy } : {}) });
}

/** The seeded platform, its SecureStrings under the customer managed key, and a web template passing both roles. */
async function seed(): Promise<string> {
  await seedPlatform(clients);
  // What the pre-flight reads (GetRole: seedPlatform creates the execution role; DescribeLogStreams)
  // exists; the app logs with awslogs (GetLogEvents).
  await createLogGroup(clients, "/ecs/web");
  await clients.ssm.send(new PutParameterCommand({ Name: "/platform/prod/database/PASSWORD", Value: "s3cr3t-db-password", Type: "SecureString", KeyId: KMS_KEY, Overwrite: true }));
  const template = join(dir, "web.json");
  writeFileSync(
    template,
    JSON.stringify({
      family: "web",
      taskRoleArn: TASK_ROLE,
      executionRoleArn: EXECUTION_ROLE,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "app",
          image: "platform:placeholder",
          essential: true,
          memory: 256,
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web", "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" } },
        },
      ],
    }),
  );
  return template;
}

const RELEASE = ["release", "--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", ...FAST];

describe("IAM evaluation: every call of each path is allowed by its job's policy", () => {
  it("release in the default mode (--secure-strings secretsmanager), with --pre-deploy-command, under the release policy; what ECS reads under the execution role's", async () => {
    const template = await seed();
    const run = await cli([...RELEASE, "--service", "web", "--template", template, "--sha", SHA_B, "--pre-deploy-command", "migrate"]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllowed(RELEASE_POLICY, { executionRolePolicy: TASK_EXECUTION_SECRETS_POLICY });
    const actions = (await handle.emulator.callLog()).filter((c) => c.accessKeyId === CLI_KEY).map((c) => c.operation);
    expect(actions).toEqual(expect.arrayContaining(["GetParametersByPath", "CreateSecret", "RegisterTaskDefinition", "RunTask", "UpdateService", "TagResource"]));
  });

  it("release --secure-strings environment, with --pre-deploy-command, under the release policy", async () => {
    const template = await seed();
    const run = await cli([...RELEASE, "--service", "web", "--service", "worker", "--template", `web=${template}`, "--sha", SHA_B, "--pre-deploy-command", "migrate", "--secure-strings", "environment"]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllowed(RELEASE_POLICY);
    const actions = (await handle.emulator.callLog()).filter((c) => c.accessKeyId === CLI_KEY).map((c) => c.operation);
    expect(actions).toEqual(expect.arrayContaining(["GetParametersByPath", "RegisterTaskDefinition", "RunTask", "UpdateService", "TagResource", "GetRole", "DescribeLogStreams", "GetLogEvents"]));
  });

  it("release --secure-strings secrets under the release policy; what ECS then reads under the execution role's", async () => {
    const template = await seed();
    const run = await cli([...RELEASE, "--service", "web", "--template", template, "--sha", SHA_B, "--secure-strings", "secrets"]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllowed(RELEASE_POLICY, { executionRolePolicy: TASK_EXECUTION_SECRETS_POLICY });
    // The revision references the SecureStrings, so the execution role's reads were part of it.
    const register = callsBy(await handle.emulator.callLog(), CLI_KEY).find((c) => c.operation === "RegisterTaskDefinition");
    expect(JSON.stringify(register?.request)).toContain(`"valueFrom":"arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/platform/prod/database/PASSWORD"`);
  });

  it("run-task under the release policy", async () => {
    await seed();
    const run = await cli(["run-task", "--cluster", "prod", "--task-definition", "web:1", "--container", "app", "--command", "migrate", "--like-service", "web", ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllowed(RELEASE_POLICY);
  });

  it("rollback, status and history under the rollback policy", async () => {
    const template = await seed();
    for (const sha of [SHA_B, SHA_C]) {
      expect((await runCli([...RELEASE, "--service", "web", "--template", template, "--sha", sha], handle.env())).code).toBe(0);
    }
    for (const args of [
      ["rollback", "--cluster", "prod", "--service", "web", ...FAST],
      ["status", "--cluster", "prod", "--service", "web", "--service", "worker"],
      ["history", "--cluster", "prod", "--service", "web"],
      ["history", "--family", "web"],
    ]) {
      const run = await cli(args);
      expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(0);
    }
    await expectAllowed(ROLLBACK_POLICY);
  });

  it("a failed rollback reads its stopped tasks' logs under the rollback policy", async () => {
    const template = await seed();
    for (const sha of [SHA_B, SHA_C]) {
      expect((await runCli([...RELEASE, "--service", "web", "--template", template, "--sha", sha], handle.env())).code).toBe(0);
    }
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", steps: 1 });
    const run = await cli(["rollback", "--cluster", "prod", "--service", "web", ...FAST]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("log lines of container app (/ecs/web");
    await expectAllowed(ROLLBACK_POLICY);
    const actions = callsBy(await handle.emulator.callLog(), CLI_KEY).map((c) => c.operation);
    expect(actions).toContain("GetLogEvents");
  });

  it("release --until-paused on a BLUE_GREEN service under the release policy, then continue under the rollback policy", async () => {
    const template = await seed();
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }] } }),
    );
    await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] })); // the stale read after the set-up's update
    const paused = await cli([...RELEASE, "--service", "web", "--template", template, "--sha", SHA_B, "--until-paused"]);
    expect(paused.code, paused.stderr).toBe(0);
    await expectAllowed(RELEASE_POLICY);
    const continueKey = "AKIACONTINUE00000000";
    const go = await cli(["continue", "--cluster", "prod", "--service", "web", ...FAST], { AWS_ACCESS_KEY_ID: continueKey });
    expect(go.code, go.stderr).toBe(0);
    const calls = callsBy(await handle.emulator.callLog(), continueKey);
    expect(calls.map((c) => c.operation)).toContain("ContinueServiceDeployment");
    await expectAllowedByPolicy(calls, { policy: ROLLBACK_POLICY, values: VALUES, secureStringKeyArn: KMS_KEY });
  });

  it("prune (documented as covered by the rollback policy) in an account with a second cluster", async () => {
    await seed();
    await createCluster(clients, "staging");
    await createService(clients, { cluster: "staging", name: "web-staging", taskDefinition: "web:1", desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    for (const args of [
      ["prune", "--cluster", "prod", "--service", "web", "--keep", "1", "--dry-run"],
      ["prune", "--family", "worker", "--keep", "1"],
    ]) {
      const run = await cli(args);
      expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(0);
    }
    await expectAllowed(ROLLBACK_POLICY);
  });

  it("push (an image already there: tags added through the ECR API) under the build policy", async () => {
    await seed();
    const docker = join(dir, "docker-stub");
    writeFileSync(docker, "#!/bin/sh\ncat >/dev/null\nexit 0\n");
    chmodSync(docker, 0o755);
    const run = await cli(["push", "--repository", "platform", "--sha", SHA_A, "--extra-tag", "latest", "--docker", docker, "--context", dir]);
    expect(run.code, run.stderr).toBe(0);
    await expectAllowed(BUILD_POLICY);
  });

  it("a call outside the policy fails the check, naming it (the evaluation is not vacuous)", async () => {
    await seed();
    const run = await cli(["run-task", "--cluster", "prod", "--task-definition", "web:1", "--container", "app", "--command", "migrate", "--like-service", "web", ...FAST]);
    expect(run.code, run.stderr).toBe(0);
    const calls = callsBy(await handle.emulator.callLog(), CLI_KEY);
    // The release job's policy for another cluster: RunTask in prod is outside its ecs:cluster condition.
    const error = await expectAllowedByPolicy(calls, { policy: RELEASE_POLICY, values: { ...VALUES, Cluster: "staging" } }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/denied by the release policy/);
    expect(String(error)).toMatch(/ecs:RunTask .*ImplicitlyDenied ecs:RunTask on arn:aws:ecs:us-east-1:123456789012:task-definition\/web:1 with \{"ecs:cluster":"arn:aws:ecs:us-east-1:123456789012:cluster\/prod"\} — the conditions of PreDeployTask: .*cluster\/staging/);
    expect(String(error)).toMatch(/ecs:DescribeServices .*allowed only on .*service\/staging\/\*/);
    const denials = await evaluateCalls(calls, { policy: RELEASE_POLICY, values: VALUES, families: FAMILIES });
    expect(formatDenials(RELEASE_POLICY, denials)).toBe("0 AWS call(s) denied by the release policy (src/iam/policies.ts):");
  });
});

