/**
 * The emulator's tasks write to CloudWatch Logs (moto) as the awslogs driver does (test/emulator/task-logs.ts):
 * streams named `prefix/container/task-id` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html),
 * progress over DescribeTasks steps, an error at a non-zero exit; a missing log group stops the task
 * before it starts (ResourceInitializationError, TaskFailedToStart), unless awslogs-create-group; and
 * GetLogEvents is throttled by the fault knobs like any other call.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RunTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { parseRule } from "../emulator/proxy.js";
import { REGION, useEmulator } from "../helpers/emulator.js";
import { imageUri, registerTaskDefinition, SEED_NETWORK, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const SHA = SEED_SHAS[2];
const GROUP = "/ecs/migrate";

function logsClient(maxAttempts?: number): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, ...(maxAttempts ? { maxAttempts } : {}) });
}

async function registerMigrate(options: { createGroup?: boolean } = {}): Promise<string> {
  return registerTaskDefinition(clients, {
    family: "migrate",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: "app",
        image: imageUri("platform", SHA),
        essential: true,
        memory: 256, // moto's RunTask fails (HTTP 500) on a container without container-level memory
        logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs", ...(options.createGroup ? { "awslogs-create-group": "true" } : {}) } },
      },
    ],
  });
}

async function runMigrate(): Promise<{ taskArn: string; stream: string }> {
  const run = await clients.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "migrate", launchType: "FARGATE", networkConfiguration: SEED_NETWORK, overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate"] }] } }));
  const taskArn = run.tasks?.[0]?.taskArn ?? "";
  return { taskArn, stream: `ecs/app/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}` };
}

async function messages(stream: string, group = GROUP): Promise<string[]> {
  const out = await logsClient().send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
  return (out.events ?? []).map((event) => event.message ?? "");
}

async function describe1(taskArn: string) {
  return (await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [taskArn] }))).tasks?.[0];
}

describe("emulator: task logs", () => {
  it("validates logLines in rules", () => {
    expect(parseRule({ match: "x", outcome: "complete", logLines: ["a", "b"] })).toEqual({ match: "x", outcome: "complete", logLines: ["a", "b"] });
    expect(parseRule({ match: "x", outcome: "complete", logLines: [1] })).toBe("rule.logLines must be an array of strings");
  });

  it("a one-off task writes to prefix/container/task-id: a start line, progress per step, and a traceback when it fails", async () => {
    await logsClient().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await registerMigrate();
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 3, exitCode: 2 });
    const { taskArn, stream } = await runMigrate();
    expect(await messages(stream)).toEqual(["[app] starting: bin/migrate"]);
    expect((await describe1(taskArn))?.lastStatus).toBe("RUNNING");
    expect(await messages(stream)).toEqual(["[app] starting: bin/migrate", "applying migration 1 of 3"]);
    await describe1(taskArn);
    const stopped = await describe1(taskArn);
    expect(stopped?.lastStatus).toBe("STOPPED");
    const lines = await messages(stream);
    expect(lines.slice(0, 4)).toEqual(["[app] starting: bin/migrate", "applying migration 1 of 3", "applying migration 2 of 3", "applying migration 3 of 3"]);
    expect(lines.at(0 - 1)).toMatch(/^RuntimeError: .* failed \(exit code 2\)$/);
    expect(lines).toContain("Traceback (most recent call last):");
  });

  // "If the log group doesn't exist … the task fails": ResourceInitializationError (resource-initialization-error.html).
  it("refuses to start a task whose log group does not exist; awslogs-create-group creates it", async () => {
    await registerMigrate();
    const { taskArn } = await runMigrate();
    const task = await describe1(taskArn);
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart" });
    expect(task?.stoppedReason).toMatch(/^ResourceInitializationError: failed to validate logger args: .*The specified log group does not exist/);
    expect(task?.containers?.[0]?.exitCode).toBeUndefined();

    // Positive control: the same task with awslogs-create-group runs, and the group exists afterwards.
    await registerMigrate({ createGroup: true });
    const created = await runMigrate();
    expect((await describe1(created.taskArn))?.lastStatus).toBe("RUNNING");
    const groups = await logsClient().send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([GROUP]);
  });

  it("a rule's logLines are written one per step, the rest when the task stops", async () => {
    await logsClient().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await registerMigrate();
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 2, logLines: ["first", "second", "third"] });
    const { taskArn, stream } = await runMigrate();
    await describe1(taskArn);
    expect(await messages(stream)).toEqual(["[app] starting: bin/migrate", "first"]);
    await describe1(taskArn);
    expect(await messages(stream)).toEqual(["[app] starting: bin/migrate", "first", "second", "third", "done"]);
  });

  it("the stopped tasks of a failed deployment wrote their error to their streams", async () => {
    await logsClient().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    const arn = await registerMigrate();
    await handle.emulator.addRule({ match: SHA, outcome: "fail", steps: 1, exitCode: 3 });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: arn }));
    for (let i = 0; i < 3; i += 1) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    const listed = await clients.ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "web", desiredStatus: "STOPPED" }));
    const taskArn = listed.taskArns?.[0] ?? "";
    expect(taskArn).not.toBe("");
    const lines = await messages(`ecs/app/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`);
    expect(lines.at(-1)).toMatch(/failed \(exit code 3\)$/);
  });

  it("throttles GetLogEvents with the fault knobs, like any other call", async () => {
    await logsClient().send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await handle.emulator.addFault({ operation: "GetLogEvents", error: "ThrottlingException", count: 1 });
    await expect(logsClient(1).send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "none" }))).rejects.toMatchObject({ name: "ThrottlingException" });
    const log = await handle.emulator.callLog();
    expect(log.filter((e) => e.operation === "GetLogEvents").map((e) => [e.service, e.status])).toEqual([["logs", 400]]);
  });
});
