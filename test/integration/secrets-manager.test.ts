/**
 * `--secure-strings secretsmanager`, the default: each release snapshots the environment's
 * SecureStrings into one Secrets Manager secret (a new version per release) and the revision
 * references each value by ARN, JSON key and version id, as ECS documents it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 * The emulator resolves those references when a deployment's tasks start (their environment is read
 * back with serviceEnvironment) and fails tasks whose version Secrets Manager removed (it removes
 * unlabelled versions past 100, none younger than 24 hours:
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, type TaskDefinitionStatus } from "@aws-sdk/client-ecs";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { REGION, useEmulator, writeOperations } from "../helpers/emulator.js";
import { createRole, putParameters, registerTaskDefinition, SEED_RECORD, SEED_SHAS, seedEachTest, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const [SHA_A, SHA_B] = SEED_SHAS;
const FIRST = "MARKER-7c2e-first-password";
const SECOND = "MARKER-7c2e-second-password";
const EXECUTION_ROLE = "arn:aws:iam::123456789012:role/web-execution";
/** No --secure-strings: the default mode. */
const RELEASE = ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--poll-interval", "10ms"];

beforeEach(async () => {
  // ECS reads the secret at task start with the execution role: the family needs one, and it
  // exists (the release's pre-flight refuses a revision naming a missing role).
  await createRole(clients, "web-execution");
  // Recorded as ecs-release's, like the seeded web:1 (SEED_RECORD): a revision nobody released and
  // no service runs is refused for adoption, which is not what these tests are about.
  await registerTaskDefinition(clients, { ...webTaskDefinition(SHA_A!), executionRoleArn: EXECUTION_ROLE, tags: SEED_RECORD });
  await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: FIRST, secure: true } });
});

async function release(sha: string, ...extra: string[]): Promise<string> {
  const run = await runCli([...RELEASE, "--sha", sha, ...extra], handle.env());
  expect(run.code, run.output).toBe(0);
  for (const secret of [FIRST, SECOND]) expect(run.output).not.toContain(secret);
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  return services?.[0]?.taskDefinition ?? "";
}

/** DescribeTaskDefinition's answer for every revision of every family in the account, ACTIVE and INACTIVE (as text). */
async function everyTaskDefinition(): Promise<string[]> {
  const answers: string[] = [];
  for (const status of ["ACTIVE", "INACTIVE"] as TaskDefinitionStatus[]) {
    let nextToken: string | undefined;
    do {
      const page = await clients.ecs.send(new ListTaskDefinitionsCommand({ status, ...(nextToken ? { nextToken } : {}) }));
      for (const arn of page.taskDefinitionArns ?? []) answers.push(JSON.stringify(await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return answers;
}

async function appEnvironment(): Promise<Record<string, string> | undefined> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  return (await handle.emulator.serviceEnvironment(services?.[0]?.clusterArn ?? "", "web"))?.["app"];
}

describe("--secure-strings secretsmanager (the default)", () => {
  it("the revision holds references only: no SecureString value in any DescribeTaskDefinition answer; the tasks get the value", async () => {
    const revision = await release(SHA_B!);
    const { taskDefinition } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ["TAGS"] }));
    const text = JSON.stringify(taskDefinition);
    expect(text).not.toContain(FIRST);
    const app = taskDefinition?.containerDefinitions?.find((c) => c.name === "app");
    const reference = app?.secrets?.find((s) => s.name === "database_PASSWORD")?.valueFrom ?? "";
    expect(reference).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:\\d{12}:secret:ecs-release/platform/prod-[A-Za-z0-9]{6}:database_PASSWORD::[0-9a-f-]{32,64}$`));
    expect(app?.environment?.some((e) => e.name === "database_PASSWORD")).toBe(false);
    // Positive control: the value is there, for the task, through the reference.
    expect((await appEnvironment())?.["database_PASSWORD"]).toBe(FIRST);
    // Nothing in the account's task definitions holds it either: every revision of every family.
    const answers = await everyTaskDefinition();
    expect(answers.length).toBeGreaterThanOrEqual(4); // web:1, web:2 (seeded), web:3 (released), worker:1
    for (const answer of answers) expect(answer).not.toContain(FIRST);
    // Positive control: the same scan finds the value once a release inlines it (the mode that exposes it, asked for).
    await release(SHA_A!, "--secure-strings", "environment");
    expect((await everyTaskDefinition()).filter((answer) => answer.includes(FIRST))).toHaveLength(1);
  });

  it("a rollback to an older revision runs it with that revision's secret values", async () => {
    const first = await release(SHA_B!);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECOND, secure: true } });
    const second = await release(SHA_A!);
    expect(second).not.toBe(first);
    expect((await appEnvironment())?.["database_PASSWORD"]).toBe(SECOND);
    const back = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", first.replace(/^.*task-definition\//, ""), "--poll-interval", "10ms"], handle.env());
    expect(back.code, back.output).toBe(0);
    expect((await appEnvironment())?.["database_PASSWORD"]).toBe(FIRST);
  });

  it("a rollback target whose secret version Secrets Manager removed is refused before writing (exit 2)", async () => {
    const first = await release(SHA_B!);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECOND, secure: true } });
    await release(SHA_A!);
    // 100 more versions, then a day: the first release's version is unlabelled, past 100 and older than 24 hours.
    const secrets = new SecretsManagerClient({ region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    for (let i = 0; i < 100; i++) await secrets.send(new PutSecretValueCommand({ SecretId: "ecs-release/platform/prod", SecretString: JSON.stringify({ database_PASSWORD: `other-${i}` }) }));
    const target = first.replace(/^.*task-definition\//, "");
    // Positive control: still there within the day.
    const dry = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", target, "--dry-run"], handle.env());
    expect(dry.code, dry.output).toBe(0);
    await handle.emulator.advanceClock(25 * 3600);
    const mark = (await handle.emulator.callLog()).length;
    const refused = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", target, "--poll-interval", "10ms"], handle.env());
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toMatch(/references 1 version of arn:aws:secretsmanager:.*ecs-release\/platform\/prod-\w{6} that Secrets Manager no longer has/);
    expect(writeOperations((await handle.emulator.callLog()).slice(mark))).toEqual([]);
  });

  it("prune knows which revisions can no longer start: one whose secret version is gone is neither among the newest N nor a rollback target", async () => {
    const second = (await release(SHA_B!)).replace(/^.*task-definition\//, ""); // web:3, the seeded web:2 and web:1 before it
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECOND, secure: true } });
    const third = (await release(SHA_A!)).replace(/^.*task-definition\//, ""); // web:4, running
    expect([second, third]).toEqual(["web:3", "web:4"]);
    const prune = async () => {
      const run = await runCli(["prune", "--family", "web", "--keep", "1", "--dry-run", "--json"], handle.env());
      expect(run.code, run.output).toBe(0);
      const family = (JSON.parse(run.stdout) as { families: Array<{ kept: Array<{ revision: number; reasons: string[] }>; deregistered: Array<{ revision: number }>; unstartable: Array<{ revision: number }> }> }).families[0];
      return { run, kept: family?.kept.map((k) => [k.revision, k.reasons.join("; ")]), deregistered: family?.deregistered.map((d) => d.revision), unstartable: family?.unstartable.map((u) => u.revision) };
    };
    // Positive control: while Secrets Manager has every version, web:3 is web:4's rollback target.
    const before = await prune();
    expect(before.kept).toEqual([[4, "among the newest 1; in use by web (cluster prod); newest known-good of environment prod (rollback target)"], [3, "rollback target of web:4"]]);
    expect(before.deregistered).toEqual([2, 1]);
    expect(before.unstartable).toEqual([]);
    // 99 more versions, then a day: web:3's version is unlabelled, past the newest 100 and older than 24 hours; web:4's is not.
    const secrets = new SecretsManagerClient({ region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    for (let i = 0; i < 99; i++) await secrets.send(new PutSecretValueCommand({ SecretId: "ecs-release/platform/prod", SecretString: JSON.stringify({ database_PASSWORD: `other-${i}` }) }));
    await handle.emulator.advanceClock(25 * 3600);
    const after = await prune();
    expect(after.unstartable).toEqual([3]);
    expect(after.kept).toEqual([[4, "among the newest 1; in use by web (cluster prod); newest known-good of environment prod (rollback target)"], [2, "rollback target of web:4"]]);
    expect(after.deregistered).toEqual([3, 1]);
    expect(after.run.stderr).toMatch(/web:3: cannot start a task any more: Secrets Manager no longer has version [0-9a-f-]{32,64} of arn:aws:secretsmanager:\S+:secret:ecs-release\/platform\/prod-\w{6} \(it removes unlabelled versions past 100\); not counted among the newest 1 nor as a rollback target/);
  });
});
