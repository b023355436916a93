import { CreateServiceCommand, DeregisterTaskDefinitionCommand, type DeploymentControllerType } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { BatchDeleteImageCommand } from "@aws-sdk/client-ecr";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { describeService, readRevision, registerRevisions, rollOut, sha } from "../helpers/revisions.js";
import { createCluster, createService, fromSnapshot, putImage, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];
const A = sha("a");
const B = sha("b");
const C = sha("c");
const D = sha("d");

/**
 * Releases A, B, C (fails: the circuit breaker goes back to B) and D through the real `release`.
 * web:2..5. Put back from a snapshot after the first time in a worker (seed.ts, fromSnapshot).
 */
async function releaseFour(clients: AwsClients): Promise<void> {
  await fromSnapshot(clients, "rollback.test:releaseFour", async () => {
    await releaseFourThroughCli(clients);
    return null;
  });
}

async function releaseFourThroughCli(clients: AwsClients): Promise<void> {
  await seedPlatform(clients);
  for (const commit of [A, B, C, D]) await putImage(clients, "platform", commit);
  await handle.emulator.addRule({ match: C, outcome: "fail", steps: 2 });
  for (const commit of [A, B, C, D]) {
    const run = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", commit, ...FAST], handle.env());
    expect(run.code, `release ${commit[0]}: ${run.stderr}`).toBe(commit === C ? 1 : 0);
  }
}

/** The same history seeded directly (tags as release leaves them), service web on web:5; each commit's image is in ECR. */
async function seedFour(clients: AwsClients): Promise<string[]> {
  return fromSnapshot(clients, "rollback.test:seedFour", () => seedFourThroughApi(clients));
}

async function seedFourThroughApi(clients: AwsClients): Promise<string[]> {
  await seedPlatform(clients);
  for (const commit of [A, B, C, D]) await putImage(clients, "platform", commit);
  const arns = await registerRevisions(clients, [
    { family: "web", sha: A, outcome: "stable", environment: { RELEASE: "a" }, pushImage: true },
    { family: "web", sha: B, outcome: "stable", environment: { RELEASE: "b" }, pushImage: true },
    { family: "web", sha: C, outcome: "failed", environment: { RELEASE: "c" }, pushImage: true },
    { family: "web", sha: D, outcome: "stable", environment: { RELEASE: "d" }, pushImage: true },
  ]);
  await rollOut(clients, "prod", "web", arns[3]!);
  return arns;
}

/** The CLI's own log lines (the AWS SDK may add a multi-line Node version warning on stderr). */
function logLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line));
}

interface Result {
  targets: Array<{ revision: string; note: string | null }>;
  services: Array<{ service: string; outcome: string }>;
  deregistered: Array<{ revision: string }>;
  spared: Array<{ revision: string; reason: string }>;
}

describe("ecs-release rollback", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("after releases A, B, C (failed), D goes back to B, not C, and deregisters D and C", async () => {
    const clients = awsClients(handle.emulator);
    await releaseFour(clients);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:5$/);
    expect((await readRevision(clients, "web:4")).tags[TAG.outcome]).toBe("failed");

    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Result;
    expect(result.targets.map((t) => [t.revision, t.note])).toEqual([["web:3", null]]);
    expect(result.services).toEqual([expect.objectContaining({ service: "web", outcome: "completed" })]);
    expect(result.deregistered.map((r) => r.revision)).toEqual(["web:5", "web:4"]);

    // Fast: UpdateService after exactly these 8 calls. The time to it (target ≤ 1.5 s from process
    // start) is measured by `npm run bench`, not asserted here: a wall-clock bound on a loaded
    // machine would make this test flaky without making it truer.
    const calls = (await handle.emulator.callLog()).slice(before);
    const update = calls.findIndex((c) => c.operation === "UpdateService");
    expect(update).toBe(8);
    // ListServiceDeployments: the view must know the service's newest service deployment (ECS is
    // eventually consistent). DescribeTaskDefinition: the running revision (its environment: targets
    // are taken within it) and the two below it, read together with the listing and the record (their
    // order among themselves is whichever answers first; test/integration/rollback-round-trips.test.ts
    // counts the round trips). Last, together: the target's image is still in ECR (a lifecycle policy
    // may have expired it), and the Secrets Manager version its SecureStrings are pinned to still
    // exists (the default secretsmanager mode).
    const reads = calls.slice(0, update).map((c) => c.operation);
    expect(reads[0]).toBe("DescribeServices");
    expect(reads.slice(1, 6).sort()).toEqual(["DescribeTaskDefinition", "DescribeTaskDefinition", "DescribeTaskDefinition", "ListServiceDeployments", "ListTaskDefinitions"]);
    expect(reads.slice(6).sort()).toEqual(["DescribeImages", "ListSecretVersionIds"]);
    // Nothing deregistered before the service was stable on the target.
    const firstDeregister = calls.findIndex((c) => c.operation === "DeregisterTaskDefinition");
    expect(firstDeregister).toBeGreaterThan(update);

    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:3$/);
    expect((await readRevision(clients, "web:5")).status).toBe("INACTIVE");
    expect((await readRevision(clients, "web:5")).tags[TAG.outcome]).toBe("rolled-back");
    expect((await readRevision(clients, "web:5")).tags[TAG.rolledBackAt]).toMatch(/^\d{4}-/);
    expect((await readRevision(clients, "web:4")).status).toBe("INACTIVE");
    expect((await readRevision(clients, "web:3")).status).toBe("ACTIVE");
    expect((await readRevision(clients, "web:2")).status).toBe("ACTIVE");

    // history after it: outcomes and the live marker.
    const history = await runCli(["history", "--cluster", "prod", "--service", "web", "--json"], handle.env());
    expect(history.code, history.stderr).toBe(0);
    const rows = (JSON.parse(history.stdout) as { revisions: Array<{ revision: number; status: string; sha: string; outcome: string; live: boolean; services: string[] }> }).revisions;
    expect(rows.map((r) => [r.revision, r.status, r.sha[0], r.outcome, r.live])).toEqual([
      [5, "INACTIVE", "d", "rolled back", false],
      [4, "INACTIVE", "c", "failed", false],
      [3, "ACTIVE", "b", "stable", true],
      [2, "ACTIVE", "a", "stable", false],
      [1, "ACTIVE", "1", "unknown", false],
    ]);
    expect(rows[2]?.services).toEqual(["web"]);
  });

  it("brings the target's environment back (no new revision)", async () => {
    const clients = awsClients(handle.emulator);
    const arns = await seedFour(clients);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const service = await describeService(clients, "prod", "web");
    expect(service.taskDefinition).toBe(arns[1]);
    expect((await readRevision(clients, service.taskDefinition!)).environment).toEqual({ RELEASE: "b" });
    expect(writeOperations(await handle.emulator.callLog()).filter((c) => c.operation === "RegisterTaskDefinition")).toHaveLength(6); // seed (web, worker) + A..D
    expect(run.stderr).toMatch(/web: web:5 → rolling back to web:3 \(commit bbbbbbbbbbbb, stable\)/);
    expect(run.stderr).toMatch(/deregistered web:5 \(rolled back\)/);
    expect(run.stderr).toMatch(/deregistered web:4 \(failed\)/);
  });

  it.each([
    ["a number", "2", "web:2"],
    ["family:revision", "web:2", "web:2"],
    ["an ARN", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2", "web:2"],
    ["sha:", `sha:${A.slice(0, 7)}`, "web:2"],
    ["previous", "previous", "web:3"],
  ])("--to as %s", async (_title, to, expected) => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", to, "--keep-bad", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Result;
    expect(result.targets.map((t) => t.revision)).toEqual([expected]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(new RegExp(`${expected}$`));
    // --keep-bad: the revision rolled back from is tagged, nothing is deregistered.
    expect(result.deregistered).toEqual([]);
    expect((await readRevision(clients, "web:5")).status).toBe("ACTIVE");
    expect((await readRevision(clients, "web:5")).tags[TAG.outcome]).toBe("rolled-back");
  });

  it.each([
    ["an INACTIVE revision", "web:2", /web:2 is INACTIVE: ECS cannot start tasks from it.*release --sha a{40}/],
    ["an unknown revision", "99", /web:99 does not exist/],
    ["an unknown commit", "sha:eeeeeee", /no ACTIVE revision of web runs commit eeeeeee/],
    ["another family", "worker:1", /is of family worker, but the service runs family web/],
    ["nonsense", "yesterday", /is not a rollback target/],
  ])("--to naming %s exits 2 with nothing written", async (_title, to, message) => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", to, ...FAST], handle.env());
    expect(run.code).toBe(2);
    expect(logLines(run.stderr), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  // ECS refuses UpdateService with a task definition for these controllers
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html): refused before any write, dry run too.
  it.each<[DeploymentControllerType, string[]]>([
    ["CODE_DEPLOY", []],
    ["EXTERNAL", []],
    ["CODE_DEPLOY", ["--dry-run"]],
  ])("refuses a %s service before anything is written %j", async (type, extra) => {
    const clients = awsClients(handle.emulator);
    const arns = await seedFour(clients);
    await clients.ecs.send(new CreateServiceCommand({ cluster: "prod", serviceName: "web-bg", taskDefinition: arns[3]!, desiredCount: 1, deploymentController: { type } }));
    const before = (await handle.emulator.callLog()).length;
    // web comes first: today's rollback would already have switched it when web-bg's update fails.
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--service", "web-bg", ...extra, ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(2);
    expect(logLines(run.stderr), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`web-bg uses the ${type} deployment controller: ecs-release rolls back services with the ECS \\(rolling update\\) controller only`));
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toBe(arns[3]);
  });

  // ECR lifecycle policies expire images (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html):
  // a target whose image is gone would only fail its tasks with CannotPullContainerError.
  it.each([
    ["previous", [B], /rollback --to previous: web \(on web:5\): web:3 runs 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/platform:b{40}, no longer in ECR \(an ECR lifecycle policy may have expired it\); the next usable target is web:2 \(commit aaaaaaaaaaaa, stable\): ecs-release rollback --to web:2/],
    ["web:3 --dry-run", [B], /web:3 runs .*platform:b{40}, no longer in ECR .*the next usable target is web:2 /],
    ["previous", [B, A], /platform:b{40}, no longer in ECR .*the next usable target is web:1 \(commit 111111111111, unknown\)/],
  ])("--to %s whose image is gone from ECR exits 2 naming it and the next usable target, nothing written", async (to, gone, message) => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    await clients.ecr.send(new BatchDeleteImageCommand({ repositoryName: "platform", imageIds: gone.map((imageTag) => ({ imageTag })) }));
    const before = (await handle.emulator.callLog()).length;
    const [target, ...extra] = to.split(" ");
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", target!, ...extra, ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(2);
    expect(logLines(run.stderr), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  it("says which images it could not check (other registries) and goes ahead", async () => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--dry-run"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/not checked \(not in this account's ECR in us-east-1\): public\.ecr\.aws\/aws-observability\/aws-for-fluent-bit:2\.32\.0; if one is gone, its tasks stop with CannotPullContainerError/);
  });

  it("never deregisters a revision another service in the cluster uses", async () => {
    const clients = awsClients(handle.emulator);
    const arns = await seedFour(clients);
    await createService(clients, { cluster: "prod", name: "web-canary", taskDefinition: arns[3]!, desiredCount: 1 });

    const dry = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--dry-run", "--json"], handle.env());
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as Result;
    expect(plan.targets.map((t) => t.revision)).toEqual(["web:3"]);
    expect(plan.deregistered.map((r) => r.revision)).toEqual(["web:4"]);
    expect(plan.spared).toEqual([expect.objectContaining({ revision: "web:5", reason: "still used by web-canary" })]);
    expect(dry.stderr).toMatch(/dry run: would deregister web:4 \(failed\) once every service is stable; sparing web:5 \(still used by web-canary\)/);

    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Result).deregistered.map((r) => r.revision)).toEqual(["web:4"]);
    expect((await readRevision(clients, "web:5")).status).toBe("ACTIVE");
    expect((await readRevision(clients, "web:4")).status).toBe("INACTIVE");
  });

  it("never deregisters a revision a service in another cluster of the region runs (one named like the service rolled back, too)", async () => {
    const clients = awsClients(handle.emulator);
    const arns = await seedFour(clients);
    await createCluster(clients, "staging");
    await createService(clients, { cluster: "staging", name: "web", taskDefinition: arns[3]!, desiredCount: 1 });

    const dry = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--dry-run", "--json"], handle.env());
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as Result;
    expect(plan.deregistered.map((r) => r.revision)).toEqual(["web:4"]);
    expect(plan.spared).toEqual([expect.objectContaining({ revision: "web:5", reason: "still used by web (cluster staging)" })]);

    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Result).deregistered.map((r) => r.revision)).toEqual(["web:4"]);
    expect(run.stderr).toMatch(/not deregistering web:5: still used by web \(cluster staging\)/);
    expect((await readRevision(clients, "web:5")).status).toBe("ACTIVE");
  });

  // A CircleCI re-run is a new workflow (new CIRCLE_WORKFLOW_ID) in the same pipeline (same
  // CIRCLE_PIPELINE_ID): https://github.com/percy/python-percy-client/pull/45, https://circleci.com/docs/reference/variables/
  it("a CircleCI re-run of a finished rollback (new workflow, same pipeline) changes nothing; another pipeline's rollback goes further back", async () => {
    const clients = awsClients(handle.emulator);
    const arns = await seedFour(clients);
    const circleci = (pipeline: string, workflow: string): Record<string, string> => ({ ...handle.env(), CIRCLECI: "true", CIRCLE_PIPELINE_ID: pipeline, CIRCLE_PIPELINE_NUM: "42", CIRCLE_WORKFLOW_ID: workflow, CIRCLE_JOB: "rollback" });

    const first = await runCli(["rollback", "--cluster", "prod", "--service", "web", ...FAST], circleci("p-1", "w-1"));
    expect(first.code, first.stderr).toBe(0);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toBe(arns[1]);
    expect((await readRevision(clients, "web:3")).tags[TAG.rollbackRun]).toBe("pipeline p-1 job rollback");

    const before = (await handle.emulator.callLog()).length;
    const rerun = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], circleci("p-1", "w-2"));
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/already rolled back by this pipeline p-1 job rollback \(a re-run changes nothing\): web on web:3/);
    expect((JSON.parse(rerun.stdout) as Result).services).toEqual([expect.objectContaining({ service: "web", outcome: "unchanged" })]);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toBe(arns[1]);
    expect((await readRevision(clients, "web:3")).status).toBe("ACTIVE");

    // A new rollback (another pipeline) is a new request: from web:3 back to web:2.
    const next = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--keep-bad", ...FAST], circleci("p-2", "w-3"));
    expect(next.code, next.stderr).toBe(0);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toBe(arns[0]);
  });

  it("updates every listed service at once, each to its own family's target", async () => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    const [, workerD] = await registerRevisions(clients, [
      { family: "worker", sha: A, outcome: "stable", pushImage: true },
      { family: "worker", sha: D, outcome: "stable", pushImage: true },
    ]);
    await rollOut(clients, "prod", "worker", workerD!);
    const before = (await handle.emulator.callLog()).length;

    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--service", "worker", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Result;
    expect(result.targets.map((t) => t.revision)).toEqual(["web:3", "worker:2"]);
    expect(result.deregistered.map((r) => r.revision).sort()).toEqual(["web:4", "web:5", "worker:3"]);
    const calls = (await handle.emulator.callLog()).slice(before);
    const updates = calls.flatMap((c, i) => (c.operation === "UpdateService" ? [i] : []));
    expect(updates).toHaveLength(2);
    // Both updates were sent before the wait's first poll: no service waits for another.
    const firstPoll = calls.findIndex((c, i) => i > updates[0]! && c.operation === "DescribeServices");
    expect(updates[1]).toBeLessThan(firstPoll);
    expect((await describeService(clients, "prod", "worker")).taskDefinition).toMatch(/worker:2$/);
  });

  it("--no-wait updates and returns without deregistering", async () => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--no-wait", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Result).services).toEqual([expect.objectContaining({ service: "web", outcome: "not-waited" })]);
    expect(writeOperations((await handle.emulator.callLog()).slice(before)).map((c) => c.operation)).toEqual(["UpdateService"]);
  });

  it("--dry-run writes nothing", async () => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--dry-run"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/web: web:5 → would roll back to web:3/);
    expect(run.stderr).toMatch(/would deregister web:5 \(stable\), web:4 \(failed\)/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  it("a rollback whose rollout fails exits 1 and deregisters nothing", async () => {
    const clients = awsClients(handle.emulator);
    await seedFour(clients);
    await handle.emulator.addRule({ match: B, outcome: "fail", steps: 2 });
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/nothing was tagged or deregistered/);
    const writes = writeOperations((await handle.emulator.callLog()).slice(before)).map((c) => c.operation);
    expect(writes).toEqual(["UpdateService"]);
    for (const revision of [2, 3, 4, 5]) expect((await readRevision(clients, `web:${revision}`)).status).toBe("ACTIVE");
  });
});
