/**
 * The emulator as unkind as AWS (shared/spec/emulator.md, "Fidelity"; issue 13 part 1), service side:
 * each behaviour, its default and its knob, through the real AWS SDK.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { useEmulator } from "../helpers/emulator.js";
import { imageUri, registerTaskDefinition, SEED_SHAS, webTaskDefinition, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle, { maxAttempts: 1 });

async function describeWeb(service = "web"): Promise<Service> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [service] }));
  if (services?.[0] === undefined) throw new Error(`service ${service} not described`);
  return services[0];
}

function summary(service: Service): string[] {
  return (service.deployments ?? []).map((d) => `${d.status} ${d.taskDefinition?.split("/")[1]} ${d.rolloutState} ${d.runningCount}/${d.desiredCount}`);
}

async function updateWeb(sha: string): Promise<string> {
  const arn = await registerTaskDefinition(clients, webTaskDefinition(sha));
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: arn }));
  return service?.deployments?.find((d) => d.status === "PRIMARY")?.id ?? "";
}

async function stoppedTasksOf(deploymentId: string) {
  const { taskArns } = await clients.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: deploymentId, desiredStatus: "STOPPED" }));
  expect(taskArns?.length).toBeGreaterThan(0);
  const { tasks, failures } = await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: taskArns }));
  expect(failures ?? []).toEqual([]);
  return tasks ?? [];
}

describe("eventual consistency (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: results 'might not be immediately visible')", () => {
  it("by default the first DescribeServices after UpdateService shows the service as it was, then the update", async () => {
    const id = await updateWeb(SEED_SHAS[1]);
    const stale = await describeWeb();
    expect(stale.taskDefinition).toMatch(/web:1$/);
    expect(stale.deployments?.map((d) => d.id)).not.toContain(id);
    const fresh = await describeWeb();
    expect(fresh.taskDefinition).toMatch(/web:2$/);
    expect(fresh.deployments?.[0]?.id).toBe(id);
  });

  it("up to 3 stale reads on request, none when turned off; reset restores the default", async () => {
    expect(await handle.emulator.setConsistency({ staleServiceReads: 3 })).toEqual({ staleServiceReads: 3, lateTags: false, freshFirst: false, staleCurrentServiceDeployment: false, doubleServiceDeployments: false, inactiveNeedsReference: true });
    await updateWeb(SEED_SHAS[1]);
    for (let read = 0; read < 3; read++) expect((await describeWeb()).taskDefinition).toMatch(/web:1$/);
    expect((await describeWeb()).taskDefinition).toMatch(/web:2$/);
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
    await updateWeb(SEED_SHAS[2]);
    expect((await describeWeb()).taskDefinition).toMatch(/web:3$/);
    await expect(handle.emulator.setConsistency({ staleServiceReads: 4 })).rejects.toThrow(/from 0 to 3/);
    await handle.emulator.reset();
    expect(await handle.emulator.setConsistency({})).toEqual({ staleServiceReads: 1, lateTags: false, freshFirst: false, staleCurrentServiceDeployment: false, doubleServiceDeployments: false, inactiveNeedsReference: true });
  });

  it("on request, reads are not monotonic: the update shows once, then the stale views, then the update again", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 2, freshFirst: true });
    await updateWeb(SEED_SHAS[1]);
    const reads: string[] = [];
    for (let read = 0; read < 4; read++) reads.push((await describeWeb()).taskDefinition?.split("/")[1] ?? "");
    expect(reads).toEqual(["web:2", "web:1", "web:1", "web:2"]);
    await expect(handle.emulator.setConsistency({ freshFirst: "yes" as unknown as boolean })).rejects.toThrow(/freshFirst must be true or false/);
  });

  it("on request, tags from TagResource show one read late (ListTagsForResource and DescribeTaskDefinition include TAGS)", async () => {
    await handle.emulator.setConsistency({ lateTags: true });
    const arn = await registerTaskDefinition(clients, webTaskDefinition(SEED_SHAS[1]));
    await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k", value: "v" }] }));
    expect((await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([]);
    expect((await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: "k", value: "v" }]);
    await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k2", value: "v2" }] }));
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))).tags).toEqual([{ key: "k", value: "v" }]);
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))).tags).toHaveLength(2);
  });
});

describe("a deployment whose ECR image is missing fails its tasks (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html)", () => {
  beforeEach(async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
  });

  it("CannotPullContainerError in the events and the stopped tasks, then the circuit breaker rolls back", async () => {
    const missing = imageUri("platform", "f".repeat(40));
    const id = await updateWeb("f".repeat(40));
    await describeWeb();
    await describeWeb(); // FAILED after 2 steps; the rollback deployment completes on the next read
    const after = await describeWeb();
    expect(summary(after)[0]).toBe("PRIMARY web:1 COMPLETED 2/2");
    const events = (after.events ?? []).map((e) => e.message ?? "");
    expect(events.some((m) => m.includes(`failed to start: CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${missing}`))).toBe(true);
    const tasks = await stoppedTasksOf(id);
    expect(tasks[0]).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", startedBy: id, group: "service:web", stopCode: "TaskFailedToStart" });
    expect(tasks[0]?.stoppedReason).toMatch(/^CannotPullContainerError: .* not found$/);
    expect(tasks[0]?.containers?.find((c) => c.name === "app")?.reason).toMatch(/^CannotPullContainerError/);
  });

  it("images of other registries are not checked, and the check can be turned off", async () => {
    await handle.emulator.setMissingImagesFail(false);
    await updateWeb("e".repeat(40));
    await describeWeb();
    expect(summary(await describeWeb())).toEqual(["PRIMARY web:2 COMPLETED 2/2"]);
  });
});

describe("stopped tasks of a failed deployment (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html)", () => {
  it("carry the essential container's exit code, and OutOfMemoryError for 137; ListTasks without STOPPED finds none", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", steps: 1, exitCode: 137 });
    const id = await updateWeb(SEED_SHAS[1]);
    await describeWeb();
    const tasks = await stoppedTasksOf(id);
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({ stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited" });
    expect(tasks[0]?.containers?.find((c) => c.name === "app")).toMatchObject({ exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" });
    const running = await clients.ecs.send(new ListTasksCommand({ cluster: "prod", startedBy: id }));
    expect(running.taskArns).toEqual([]);
  });
});

describe("circuit breaker without rollback (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html)", () => {
  it("leaves the FAILED PRIMARY deployment beside the old ACTIVE one, which keeps its tasks", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }));
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", steps: 2 });
    await updateWeb(SEED_SHAS[1]);
    await describeWeb();
    const after = await describeWeb();
    expect(summary(after)).toEqual(["PRIMARY web:2 FAILED 0/2", "ACTIVE web:1 COMPLETED 2/2"]);
    expect(after.runningCount).toBe(2);
    expect(summary(await describeWeb())).toEqual(["PRIMARY web:2 FAILED 0/2", "ACTIVE web:1 COMPLETED 2/2"]);
  });
});

describe("deployment controllers (UpdateService: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html)", () => {
  it.each([
    ["CODE_DEPLOY", "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment."],
    ["EXTERNAL", /^Unable to update task definition on services with a EXTERNAL deployment controller\./],
  ] as const)("%s refuses UpdateService with a task definition (InvalidParameterException); desiredCount still works", async (type, message) => {
    await clients.ecs.send(
      new CreateServiceCommand({ cluster: "prod", serviceName: "bg", taskDefinition: "web:1", desiredCount: 1, deploymentController: { type } }),
    );
    expect((await describeWeb("bg")).deploymentController?.type).toBe(type);
    const error = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "bg", taskDefinition: "web:1" })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(typeof message === "string" ? new RegExp(`^${message.replace(/[.]/g, "\\.")}$`) : message) });
    await expect(clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "bg", desiredCount: 2 }))).resolves.toBeDefined();
  });
});

describe("auto scaling (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html)", () => {
  beforeEach(async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
  });

  it("a rule scales the service as the rollout completes: COMPLETED with 2/4 running, the new tasks run one step later", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 2, scaleTo: 4 });
    await updateWeb(SEED_SHAS[1]);
    await describeWeb();
    const done = await describeWeb();
    expect(summary(done)).toEqual(["PRIMARY web:2 COMPLETED 2/4"]);
    expect(done.desiredCount).toBe(4);
    expect(summary(await describeWeb())).toEqual(["PRIMARY web:2 COMPLETED 4/4"]);
  });

  it("a rule scales mid-rollout; the control call scales after it", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 3, scaleTo: 6, scaleAtStep: 1 });
    await updateWeb(SEED_SHAS[1]);
    expect((await describeWeb()).desiredCount).toBe(6);
    await describeWeb();
    expect(summary(await describeWeb())).toEqual(["PRIMARY web:2 COMPLETED 6/6"]);
    await handle.emulator.autoScale("prod", "web", 1);
    expect(summary(await describeWeb())).toEqual(["PRIMARY web:2 COMPLETED 1/1"]);
  });
});
