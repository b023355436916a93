/**
 * `release --pre-deploy-command` end to end: the one-off task runs from the freshly registered
 * revision after RegisterTaskDefinition and before any UpdateService (asserted from the call log);
 * when it fails nothing is rolled out and the new revision is tagged failed.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
let seeded = 0;
const FAST = ["--poll-interval", "10ms"];
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform"];
const SHA = SEED_SHAS[1];
const NETWORK = { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp: "DISABLED" } };

/**
 * The default --secure-strings secretsmanager: the seeded SecureString becomes a version of the
 * environment's secret before anything else is written; the environment's first release creates the
 * secret (PutSecretValue answers ResourceNotFoundException, then CreateSecret).
 */
const SNAPSHOT = ["PutSecretValue", "CreateSecret"];

beforeEach(async () => {
  seeded = (await handle.emulator.callLog()).length;
});

function release(args: string[]) {
  return runCli(["release", ...BASE, "--sha", SHA, ...args, ...FAST], handle.env());
}

async function calls(): Promise<string[]> {
  return (await handle.emulator.callLog()).slice(seeded).map((entry) => entry.operation);
}

async function writes(): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(seeded)).map((entry) => entry.operation);
}

async function runningRevision(service: string): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [service] }));
  return (out.services?.[0]?.taskDefinition ?? "").replace(/^.*\//, "");
}

async function tagsOf(revision: string): Promise<Record<string, string | undefined>> {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ["TAGS"] }));
  return Object.fromEntries((out.tags ?? []).map((tag) => [tag.key, tag.value]));
}

function logLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:]+Z /.test(line));
}

describe("release --pre-deploy-command", () => {
  it("runs the migration from the new revision, like the first service, and only then updates every service", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 0 });
    const cli = await release(["--service", "web", "--service", "worker", "--pre-deploy-command", "bin/rails db:migrate VERBOSE=true"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/pre-deploy: running the command from web:2 before updating any service/);
    expect(cli.stderr).toMatch(/pre-deploy: the command succeeded/);

    // Order in the call log: both revisions registered, then the task ran to STOPPED, then the updates.
    const log = await calls();
    const lastRegister = log.lastIndexOf("RegisterTaskDefinition");
    const runTask = log.indexOf("RunTask");
    const lastDescribeTasks = log.lastIndexOf("DescribeTasks");
    const firstUpdate = log.indexOf("UpdateService");
    expect(log.filter((op) => op === "RegisterTaskDefinition")).toHaveLength(2);
    expect(lastRegister).toBeLessThan(runTask);
    expect(runTask).toBeLessThan(lastDescribeTasks);
    expect(lastDescribeTasks).toBeLessThan(firstUpdate);
    expect(log.filter((op) => op === "RunTask")).toHaveLength(1);
    expect(log.filter((op) => op === "UpdateService")).toHaveLength(2);

    // The task ran the new web revision's application container in web's awsvpc network.
    const [task] = await handle.emulator.tasks();
    expect(task?.request).toMatchObject({
      cluster: "prod",
      taskDefinition: expect.stringMatching(/:task-definition\/web:2$/),
      startedBy: "ecs-release",
      launchType: "FARGATE",
      networkConfiguration: NETWORK,
      overrides: { containerOverrides: [{ name: "app", command: ["bin/rails", "db:migrate", "VERBOSE=true"] }] },
    });
    expect(await runningRevision("web")).toBe("web:2");
    expect(await runningRevision("worker")).toBe("worker:2");
  });

  it("stops the release with exit 1 when the migration exits 3: no service updated, the new revision tagged failed", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 3 });
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--json"]);

    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(
      /error: pre-deploy command task [\w-]+ failed: container app exited with code 3; task stopped: Essential container in task exited \(EssentialContainerExited\); look at it: aws ecs describe-tasks .*; no service was updated \(web:2 registered but not rolled out\)/,
    );
    expect(await writes()).toEqual([...SNAPSHOT, "RegisterTaskDefinition", "RunTask", "TagResource"]);
    expect(await calls()).not.toContain("UpdateService");
    expect(await runningRevision("web")).toBe("web:1");
    expect((await tagsOf("web:2"))["ecs-release:outcome"]).toBe("failed");
    const document = JSON.parse(cli.stdout);
    expect(document.error).toMatchObject({ name: "DeploymentFailedError", exitCode: 1 });
    expect(document.result).toMatchObject({
      preDeploy: { status: "failed", exitCode: 3, stoppedReason: "Essential container in task exited" },
      revisions: [{ family: "web", taskDefinitionArn: expect.stringMatching(/web:2$/), outcome: "failed" }],
      services: [],
    });
  });

  it("stops the release with exit 4 when the migration is still running at its deadline; the revision is not tagged", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--pre-deploy-timeout", "300ms"]);

    expect(cli.code).toBe(4);
    expect(cli.stderr).toMatch(/error: pre-deploy command task [\w-]+ is still RUNNING after 300ms .*no service was updated/);
    expect(await writes()).toEqual([...SNAPSHOT, "RegisterTaskDefinition", "RunTask"]);
    expect(await runningRevision("web")).toBe("web:1");
    expect((await tagsOf("web:2"))["ecs-release:outcome"]).toBeUndefined();
  });

  // Issue 18 item 3: RunTask failures[] (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html)
  // are the infrastructure's: the release stops, but the revision is not marked bad.
  it("stops the release with exit 1 when RunTask places no task (RESOURCE:MEMORY); the revision is tagged not-released, not failed", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", runTaskFailure: "RESOURCE:MEMORY" });
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--json"]);

    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/error: pre-deploy command RunTask web:2 in cluster prod started no task: RESOURCE:MEMORY; no service was updated \(web:2 registered but not rolled out\); not the revision's fault/);
    expect(await writes()).toEqual([...SNAPSHOT, "RegisterTaskDefinition", "RunTask", "TagResource"]);
    expect(await runningRevision("web")).toBe("web:1");
    expect((await tagsOf("web:2"))["ecs-release:outcome"]).toBe("not-released");
    expect(JSON.parse(cli.stdout).result).toMatchObject({
      preDeploy: { status: "not-started", blame: "infrastructure", taskArn: null },
      revisions: [{ family: "web", outcome: "not-released" }],
    });
  });

  it("tags the revision not-released when a Spot interruption stopped the migration, even with exit 0", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, exitCode: 0, stopCode: "SpotInterruption" });
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate"]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toMatch(/interrupted before it finished .*SpotInterruption/);
    expect(await calls()).not.toContain("UpdateService");
    expect((await tagsOf("web:2"))["ecs-release:outcome"]).toBe("not-released");
  });

  // Issue 18 item 4: ListTasks allows startedBy only as its sole filter
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html); the family is checked on DescribeTasks.
  it("refuses a second release with exit 2, writing nothing, while the first one's pre-deploy task still runs; --force runs beside it", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "stuck" });
    const first = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--pre-deploy-timeout", "300ms"]);
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).toMatch(/aws ecs stop-task --region us-east-1 --cluster prod --task arn:aws:ecs:/);
    const [task] = await handle.emulator.tasks();
    const taskId = (task?.taskArn ?? "").split("/").pop() ?? "";
    seeded = (await handle.emulator.callLog()).length;

    const second = await release(["--service", "web", "--pre-deploy-command", "bin/migrate"]);
    expect(second.code, second.stderr).toBe(2);
    expect(logLines(second.stderr).at(-1)).toMatch(
      new RegExp(`error: an ecs-release task of web is still running in cluster prod: ${taskId} \\(web:2, RUNNING, started .* ago\\); a migration must not run twice at once: wait for it \\(aws ecs wait tasks-stopped .*\\) or stop it \\(aws ecs stop-task --region us-east-1 --cluster prod --task ${task?.taskArn ?? ""}\\).* or pass --force`),
    );
    expect(await writes()).toEqual([]);
    expect(await calls()).toContain("ListTasks");

    const dryRun = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--dry-run"]);
    expect(dryRun.code).toBe(2);

    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 1, exitCode: 0 });
    const forced = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/warning: an ecs-release task of web is still running .*--force: running the pre-deploy command beside it/);
  });

  // RunTask: "A total of 8192 characters are allowed for overrides" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
  it("refuses a --pre-deploy-command over RunTask's 8192-character overrides with exit 2 before registering anything", async () => {
    const cli = await release(["--service", "web", "--pre-deploy-command", `bin/migrate ${"x".repeat(9000)}`]);
    expect(cli.code, cli.stderr).toBe(2);
    expect(logLines(cli.stderr).at(-1)).toMatch(/error: --pre-deploy-command is too long for RunTask: its overrides would be \d+ characters and ECS allows 8192/);
    expect(await writes()).toEqual([]);
  });

  // Issue 13 part 1/3.1: right after RegisterTaskDefinition ECS may not show the revision yet
  // (ClientException "Unable to describe task definition."; the ECS API is eventually consistent:
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html). The pre-deploy task retries (bounded).
  it("retries when ECS does not show the just-registered revision yet, instead of failing the release", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 1, exitCode: 0, unknownRevisionReads: 1 });
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/DescribeTaskDefinition arn:aws:ecs:\S+:task-definition\/web:2: ECS does not show the revision registered moments ago yet \(eventual consistency\); trying again in 1(\.0)?s/);
    expect(await runningRevision("web")).toBe("web:2");
  });

  it.each<[string, string[], RegExp]>([
    ["shell syntax in the command", ["--pre-deploy-command", "bin/migrate && bin/seed"], /--pre-deploy-command contains an unquoted "&"/],
    ["an empty command", ["--pre-deploy-command", "  "], /--pre-deploy-command is empty/],
    ["a container without a command", ["--pre-deploy-container", "app"], /--pre-deploy-container needs --pre-deploy-command/],
  ])("refuses %s with exit 2 before anything is read or written", async (_name, args, message) => {
    const cli = await release(["--service", "web", ...args]);
    expect(cli.stderr).toMatch(message);
    expect(cli.code).toBe(2);
    expect(logLines(cli.stderr)).toHaveLength(1);
    expect(await calls()).toEqual([]);
  });

  it.each([[[]], [["--dry-run"]]])("refuses a --pre-deploy-container the revision lacks before writing anything %j", async (extra: string[]) => {
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate", "--pre-deploy-container", "api", ...extra]);
    expect(cli.code).toBe(2);
    expect(logLines(cli.stderr).at(-1)).toMatch(/error: --pre-deploy-container api: web has no such container; it has app, log-router$/);
    expect(logLines(cli.stderr).filter((line) => line.includes(" error: ")), cli.stderr).toHaveLength(1);
    expect(await writes()).toEqual([]);
  });

  it("only says what it would run under --dry-run", async () => {
    const cli = await release(["--service", "web", "--pre-deploy-command", "bin/migrate --all", "--dry-run"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/dry run: would run bin\/migrate --all from the new revision before updating any service/);
    expect(await writes()).toEqual([]);
  });
});
