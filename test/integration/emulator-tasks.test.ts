/**
 * The emulator's one-off task fields (docs/emulator.md): stop codes, per-container
 * exit codes, RunTask failures[], a just-registered revision ECS does not show yet, and ListTasks'
 * rule that startedBy is its only filter — each as ECS documents it — while existing rules keep working.
 */
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { parseRule } from "../emulator/proxy.js";
import { useEmulator } from "../helpers/emulator.js";
import { imageUri, registerTaskDefinition, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const SHA = SEED_SHAS[0];

describe("emulator: one-off task rules", () => {
  it("validates the new rule fields and keeps the old ones as they were", () => {
    expect(parseRule({ match: "x", outcome: "fail", steps: 2 })).toEqual({ match: "x", outcome: "fail", steps: 2 });
    expect(parseRule({ match: "x", outcome: "complete", stopCode: "SpotInterruption", containerExitCodes: { sidecar: 1 }, runTaskFailure: "RESOURCE:CPU", unknownRevisionReads: 2 })).toEqual({
      match: "x",
      outcome: "complete",
      stopCode: "SpotInterruption",
      containerExitCodes: { sidecar: 1 },
      runTaskFailure: "RESOURCE:CPU",
      unknownRevisionReads: 2,
    });
    expect(parseRule({ match: "x", outcome: "complete", stopCode: "" })).toBe("rule.stopCode must be a non-empty string");
    expect(parseRule({ match: "x", outcome: "complete", containerExitCodes: { a: "1" } })).toBe("rule.containerExitCodes must map container names to integers");
    expect(parseRule({ match: "x", outcome: "complete", unknownRevisionReads: -1 })).toBe("rule.unknownRevisionReads must be an integer >= 0");
  });

  // TaskFailedToStart: the containers never ran to an exit code (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
  it("stops a task with the rule's stop code and reason; TaskFailedToStart leaves no exit codes", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", steps: 1, stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: toomanyrequests" });
    const run = await clients.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "web", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"] } } }));
    const taskArn = run.tasks?.[0]?.taskArn ?? "";
    const { tasks } = await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [taskArn] }));
    expect(tasks?.[0]).toMatchObject({ lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: toomanyrequests" });
    expect(tasks?.[0]?.containers?.map((c) => [c.name, c.exitCode])).toEqual([
      ["app", undefined],
      ["log-router", undefined],
    ]);
  });

  it("answers RunTask with failures[] and no task for a runTaskFailure rule", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", runTaskFailure: "RESOURCE:MEMORY" });
    const run = await clients.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "worker" }));
    expect(run).toMatchObject({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] });
    expect(await handle.emulator.tasks()).toEqual([]);
  });

  it("hides a just-registered revision for unknownRevisionReads reads, then shows it", async () => {
    await handle.emulator.addRule({ match: SHA, outcome: "complete", unknownRevisionReads: 1 });
    const arn = await registerTaskDefinition(clients, { family: "late", containerDefinitions: [{ name: "app", image: imageUri("platform", SHA), memory: 128 }] });
    await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).rejects.toMatchObject({ name: "ClientException", message: "Unable to describe task definition." });
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "late:1" }))).taskDefinition?.taskDefinitionArn).toBe(arn);
  });

  // "When you specify startedBy as the filter, it must be the only filter that you use": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html
  it("refuses ListTasks with startedBy and another filter, as ECS does", async () => {
    await expect(clients.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "ecs-release", family: "web" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    expect((await clients.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: "ecs-release" }))).taskArns).toEqual([]);
  });
});
