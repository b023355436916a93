import { beforeEach, describe, expect, it } from "vitest";
import {
  CreateServiceCommand,
  DescribeClustersCommand,
  ECSClient,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListClustersCommand,
  ListTaskDefinitionsCommand,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Deployment,
  type Service,
} from "@aws-sdk/client-ecs";
import { GetParametersByPathCommand } from "@aws-sdk/client-ssm";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { AgentsAhead } from "../../src/aws/connections.js";
import { awsClients, REGION, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { registerTaskDefinition, seedPlatform, SEED_NETWORK, SEED_SHAS, webTaskDefinition, type SeededPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
/** What awsClients gives a client, but for its endpoint and agents. */
const EMULATOR_CLIENT = { region: REGION, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
let platform: SeededPlatform;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator, { maxAttempts: 1 });
  platform = await seedPlatform(clients);
});

/** Register a new `web` revision running `sha`; returns its ARN. */
async function registerWeb(sha: string): Promise<string> {
  return registerTaskDefinition(clients, webTaskDefinition(sha));
}

async function describeWeb(service = "web"): Promise<Service> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [service] }));
  const found = services?.[0];
  if (found === undefined) throw new Error(`service ${service} not described`);
  return found;
}

function summary(deployments: Deployment[] | undefined): string[] {
  return (deployments ?? []).map(
    (deployment) =>
      `${deployment.status} ${deployment.taskDefinition?.split("/")[1] ?? "?"} ${deployment.rolloutState} running=${deployment.runningCount} pending=${deployment.pendingCount}`,
  );
}

function messages(service: Service): string[] {
  return (service.events ?? []).map((event) => event.message ?? "");
}

describe("service deployments", () => {
  // These count rollout steps exactly; the stale reads after UpdateService (on by default) have their own tests.
  beforeEach(async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 0 });
  });

  it("keeps deploymentConfiguration from CreateService and returns it from DescribeServices", async () => {
    const config = { deploymentCircuitBreaker: { enable: true, rollback: false }, minimumHealthyPercent: 50, maximumPercent: 150 };
    const { service } = await clients.ecs.send(
      new CreateServiceCommand({ cluster: "prod", serviceName: "api", taskDefinition: "web:1", desiredCount: 1, deploymentConfiguration: config }),
    );
    expect(service?.deploymentConfiguration).toEqual(config);
    expect((await describeWeb("web")).networkConfiguration).toEqual(SEED_NETWORK);
    expect((await describeWeb("api")).deploymentConfiguration).toEqual(config);
    expect((await describeWeb("web")).deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      minimumHealthyPercent: 100,
      maximumPercent: 200,
    });
  });

  // The step model below (a rollout advances one step per DescribeServices, tasks replaced one at a
  // time, 2 steps without a rule) and the counts part-way are the emulator's own (shared/spec/emulator.md,
  // "What it simulates"), pinned here because other tests are written against it; ECS documents only the states
  // (IN_PROGRESS → COMPLETED, API_Deployment.html) and the event wording, not how many reads a rollout
  // takes. Tests of ecs-release must not count on these numbers as AWS's.
  it("walks IN_PROGRESS to COMPLETED in `steps` DescribeServices calls, moving running counts", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 3 });
    const next = await registerWeb(SEED_SHAS[1]);
    const { service: updated } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    const primary = updated?.deployments?.[0];
    expect(primary?.id).toMatch(/^ecs-svc\/\d+$/);
    expect(summary(updated?.deployments)).toEqual(["PRIMARY web:2 IN_PROGRESS running=0 pending=0", "ACTIVE web:1 COMPLETED running=2 pending=0"]);
    expect(updated?.taskDefinition).toBe(next);

    const first = await describeWeb();
    expect(summary(first.deployments)).toEqual(["PRIMARY web:2 IN_PROGRESS running=0 pending=2", "ACTIVE web:1 COMPLETED running=2 pending=0"]);
    const second = await describeWeb();
    expect(summary(second.deployments)).toEqual(["PRIMARY web:2 IN_PROGRESS running=1 pending=1", "ACTIVE web:1 COMPLETED running=1 pending=0"]);
    expect([second.runningCount, second.pendingCount, second.desiredCount]).toEqual([2, 1, 2]);
    expect(messages(second)[0]).toMatch(/^\(service web\) has stopped 1 running tasks: \(task [0-9a-f]{32}\)\.$/);
    expect(messages(second)[1]).toMatch(/^\(service web\) has started 1 tasks: \(task [0-9a-f]{32}\)\.$/);

    const third = await describeWeb();
    expect(summary(third.deployments)).toEqual(["PRIMARY web:2 COMPLETED running=2 pending=0"]);
    expect(third.deployments?.[0]?.id).toBe(primary?.id);
    expect(third.deployments?.[0]?.rolloutStateReason).toBe(`ECS deployment ${primary?.id ?? ""} completed.`);
    expect([third.runningCount, third.pendingCount]).toEqual([2, 0]);
    expect(messages(third)[0]).toBe("(service web) has reached a steady state.");
    expect(messages(third)[1]).toBe(`(service web) (deployment ${primary?.id ?? ""}) deployment completed.`);
    const times = (third.events ?? []).map((event) => event.createdAt?.getTime() ?? 0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(new Set((third.events ?? []).map((event) => event.id)).size).toBe(third.events?.length);

    // Nothing moves once steady.
    expect(summary((await describeWeb()).deployments)).toEqual(["PRIMARY web:2 COMPLETED running=2 pending=0"]);
  });

  it("uses 2 steps by default and starts a deployment on forceNewDeployment with the same task definition", async () => {
    const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "worker", forceNewDeployment: true }));
    expect(service?.deployments).toHaveLength(2);
    expect(service?.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    expect((await describeWeb("worker")).deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    expect(summary((await describeWeb("worker")).deployments)).toEqual(["PRIMARY worker:1 COMPLETED running=1 pending=0"]);
  });

  it("does not start a deployment when only desiredCount changes", async () => {
    const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", desiredCount: 3 }));
    expect(summary(service?.deployments)).toEqual(["PRIMARY web:1 COMPLETED running=3 pending=0"]);
    expect(service?.desiredCount).toBe(3);
  });

  it("fails and rolls back to the previous task definition with circuit-breaker rollback", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[2], outcome: "fail", steps: 2 });
    const before = await describeWeb();
    const previousId = before.deployments?.[0]?.id ?? "";
    const next = await registerWeb(SEED_SHAS[2]);
    const { service: updated } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    const failingId = updated?.deployments?.[0]?.id ?? "";

    const first = await describeWeb();
    expect(first.deployments?.[0]).toMatchObject({ id: failingId, rolloutState: "IN_PROGRESS", failedTasks: 2, runningCount: 0 });

    const second = await describeWeb();
    expect(summary(second.deployments)).toEqual([
      "PRIMARY web:1 IN_PROGRESS running=0 pending=0",
      "ACTIVE web:2 FAILED running=0 pending=0",
      "ACTIVE web:1 COMPLETED running=2 pending=0",
    ]);
    expect(second.deployments?.[1]).toMatchObject({
      id: failingId,
      failedTasks: 4,
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
    });
    expect(second.deployments?.[0]?.rolloutStateReason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${previousId}.`);
    expect(second.taskDefinition).toBe(platform.taskDefinitions.web);
    expect(messages(second).slice(0, 2)).toEqual([
      `(service web) rolling back to deployment ${previousId}.`,
      `(service web) deployment ${failingId} deployment failed: tasks failed to start.`,
    ]);

    const third = await describeWeb();
    expect(summary(third.deployments)).toEqual(["PRIMARY web:1 COMPLETED running=2 pending=0"]);
    expect(third.taskDefinition).toBe(platform.taskDefinitions.web);
    expect(messages(third)[0]).toBe("(service web) has reached a steady state.");
  });

  it("stays FAILED without rollback", async () => {
    await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: "prod",
        service: "web",
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    await handle.emulator.addRule({ match: SEED_SHAS[2], outcome: "fail", steps: 1 });
    const next = await registerWeb(SEED_SHAS[2]);
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    const expected = ["PRIMARY web:2 FAILED running=0 pending=0", "ACTIVE web:1 COMPLETED running=2 pending=0"];
    for (let poll = 0; poll < 3; poll += 1) {
      const service = await describeWeb();
      expect(summary(service.deployments)).toEqual(expected);
      expect(service.taskDefinition).toBe(next);
      expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toEqual({ enable: true, rollback: false });
    }
  });

  it("never completes a stuck deployment", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck" });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: await registerWeb(SEED_SHAS[1]) }));
    for (let poll = 0; poll < 10; poll += 1) {
      const service = await describeWeb();
      expect(service.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
      expect(service.deployments).toHaveLength(2);
    }
  });

  it("lets the newest matching rule win", async () => {
    await handle.emulator.addRule({ match: "platform:", outcome: "stuck" });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", steps: 1 });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: await registerWeb(SEED_SHAS[1]) }));
    expect((await describeWeb()).deployments?.[0]?.rolloutState).toBe("COMPLETED");
  });

  it("answers errors as ECS does", async () => {
    await expect(clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: "web:99" }))).rejects.toMatchObject({
      name: "ClientException",
    });
    await expect(clients.ecs.send(new UpdateServiceCommand({ cluster: "nope", service: "web", desiredCount: 1 }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
    });
    await expect(clients.ecs.send(new DescribeServicesCommand({ cluster: "nope", services: ["web"] }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
    });
    const { services, failures } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web", "ghost"] }));
    expect(services?.map((service) => service.serviceName)).toEqual(["web"]);
    expect(failures).toEqual([{ arn: expect.stringContaining("ghost") as unknown, reason: "MISSING" }]);
  });
});

describe("task definitions", () => {
  it("numbers concurrent registrations uniquely and pages ListTaskDefinitions as ECS does (sort, maxResults, nextToken)", async () => {
    const arns = await Promise.all(Array.from({ length: 12 }, (_, i) => registerWeb(SEED_SHAS[i % SEED_SHAS.length] ?? "")));
    const revisions = arns.map((arn) => Number(arn.split(":").pop())).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: 12 }, (_, i) => i + 2)); // revision 1 is the seed's

    const first = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web", sort: "DESC", maxResults: 5 }));
    expect(first.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(["web:13", "web:12", "web:11", "web:10", "web:9"]);
    expect(first.nextToken).toBeDefined();
    const pages = [first.taskDefinitionArns ?? []];
    for (let token = first.nextToken; token !== undefined; ) {
      const page = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web", sort: "DESC", maxResults: 5, nextToken: token }));
      pages.push(page.taskDefinitionArns ?? []);
      token = page.nextToken;
    }
    expect(pages.map((page) => page.length)).toEqual([5, 5, 3]);
    const ascending = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }));
    expect(ascending.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(Array.from({ length: 13 }, (_, i) => `web:${i + 1}`));
    expect(ascending.nextToken).toBeUndefined();
  });
});

describe("one-off tasks", () => {
  const network = { awsvpcConfiguration: { subnets: ["subnet-aaa"], securityGroups: ["sg-bbb"], assignPublicIp: "DISABLED" as const } };
  const overrides = { containerOverrides: [{ name: "app", command: ["bin/migrate"] }] };

  it("runs, then stops after `steps` DescribeTasks calls with the rule's exit code", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[0], outcome: "complete", steps: 2, exitCode: 3 });
    const { tasks } = await clients.ecs.send(
      new RunTaskCommand({ cluster: "prod", taskDefinition: "worker", launchType: "FARGATE", networkConfiguration: network, overrides, startedBy: "ci" }),
    );
    const taskArn = tasks?.[0]?.taskArn ?? "";
    expect(tasks?.[0]).toMatchObject({ lastStatus: "PROVISIONING", desiredStatus: "RUNNING", launchType: "FARGATE", overrides, startedBy: "ci" });
    expect(tasks?.[0]?.attachments?.[0]?.details).toContainEqual({ name: "subnetId", value: "subnet-aaa" });

    const describe = async () => (await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [taskArn] }))).tasks?.[0];
    expect(await describe()).toMatchObject({ lastStatus: "RUNNING", containers: [{ name: "app", lastStatus: "RUNNING" }] });
    const stopped = await describe();
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      taskDefinitionArn: platform.taskDefinitions.worker,
      containers: [{ name: "app", exitCode: 3, lastStatus: "STOPPED" }],
    });
    const { taskArns } = await clients.ecs.send(new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED" }));
    expect(taskArns).toContain(taskArn);
    expect(await handle.emulator.tasks()).toMatchObject([
      {
        taskArn,
        request: { cluster: "prod", taskDefinition: "worker", launchType: "FARGATE", networkConfiguration: network, overrides, startedBy: "ci" },
      },
    ]);
  });

  it("exits 0 after 2 steps without a rule, keeps a capacity provider strategy, and stuck tasks run until stopped", async () => {
    const { tasks } = await clients.ecs.send(
      new RunTaskCommand({ cluster: "prod", taskDefinition: "worker", networkConfiguration: network, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }),
    );
    const taskArn = tasks?.[0]?.taskArn ?? "";
    expect(tasks?.[0]?.capacityProviderName).toBe("FARGATE_SPOT");
    const describe = async (arn: string) => (await clients.ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [arn] }))).tasks?.[0];
    await describe(taskArn);
    expect((await describe(taskArn))?.containers?.[0]?.exitCode).toBe(0);

    await handle.emulator.addRule({ match: SEED_SHAS[0], outcome: "stuck" });
    const run = await clients.ecs.send(new RunTaskCommand({ cluster: "prod", taskDefinition: "worker", launchType: "FARGATE", networkConfiguration: network }));
    const stuckArn = run.tasks?.[0]?.taskArn ?? "";
    for (let poll = 0; poll < 5; poll += 1) expect((await describe(stuckArn))?.lastStatus).toBe("RUNNING");
    const { task } = await clients.ecs.send(new StopTaskCommand({ cluster: "prod", task: stuckArn, reason: "cancelled" }));
    expect(task).toMatchObject({ lastStatus: "STOPPED", stoppedReason: "cancelled", stopCode: "UserInitiated" });
    expect((await describe(stuckArn))?.lastStatus).toBe("STOPPED");
  });
});

describe("faults", () => {
  it("answers ThrottlingException at rate 1 until cleared", async () => {
    await handle.emulator.addFault({ operation: "DescribeServices", error: "ThrottlingException", rate: 1 });
    await expect(describeWeb()).rejects.toMatchObject({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    await expect(describeWeb()).rejects.toMatchObject({ name: "ThrottlingException" });
    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    await handle.emulator.clearFaults();
    await expect(describeWeb()).resolves.toBeDefined();
  });

  it("limits faults to `count` and answers ServiceUnavailable with 503", async () => {
    await handle.emulator.addFault({ operation: "*", error: "ServiceUnavailable", count: 2 });
    await expect(clients.ssm.send(new GetParametersByPathCommand({ Path: "/platform/prod" }))).rejects.toMatchObject({
      name: "ServiceUnavailable",
      $metadata: { httpStatusCode: 503 },
    });
    await expect(clients.ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
  });

  it("drops the connection for a reset fault, and logs faulted calls with their status", async () => {
    await handle.emulator.reset();
    await handle.emulator.addFault({ operation: "ListClusters", error: "reset", count: 1 });
    await handle.emulator.addFault({ operation: "ListServices", error: "ThrottlingException", count: 1 });
    const error: unknown = await clients.ecs.send(new ListClustersCommand({})).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error & { code?: string }).code ?? (error as Error).message)).toMatch(/ECONNRESET|socket hang up/);
    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    const log = await handle.emulator.callLog();
    expect(log.map(({ operation, status }) => `${operation} ${status}`)).toEqual(["ListClusters 0", "ListClusters 200"]);
  });
});

describe("call log and reset", () => {
  it("lists exactly the AWS calls made, with service, operation, status and times", async () => {
    await handle.emulator.reset();
    const before = Date.now();
    await clients.ecs.send(new ListClustersCommand({}));
    await clients.ssm.send(new GetParametersByPathCommand({ Path: "/nothing" }));
    await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "missing" })).catch(() => undefined);
    await clients.ecs.send(new CreateServiceCommand({ cluster: "gone", serviceName: "x", taskDefinition: "x" })).catch(() => undefined);
    const log = await handle.emulator.callLog();
    expect(log.map(({ service, operation, status }) => ({ service, operation, status }))).toEqual([
      { service: "ecs", operation: "ListClusters", status: 200 },
      { service: "ssm", operation: "GetParametersByPath", status: 200 },
      { service: "ecr", operation: "DescribeImages", status: 400 },
      { service: "ecs", operation: "CreateService", status: 400 },
    ]);
    for (const entry of log) {
      expect(entry.start).toBeGreaterThanOrEqual(before);
      expect(entry.end).toBeGreaterThanOrEqual(entry.start);
    }
    expect(writeOperations(log).map((entry) => entry.operation)).toEqual(["CreateService"]);
  });

  it("holds a new connection's first call for its handshakes (connectionMs); a kept connection's calls, and connections opened before, wait none", async () => {
    await clients.ecs.send(new ListClustersCommand({})); // a connection opened, and kept, before the setting
    const early = new AgentsAhead();
    early.openAhead(new URL(handle.emulator.url), 1); // opened before the setting, its first call after it
    await new Promise((resolve) => setTimeout(resolve, 100));
    await handle.emulator.setLatency(0, 300);
    const fresh = awsClients(handle.emulator).ecs; // its own agent: a new connection
    const sent = Date.now();
    await fresh.send(new ListClustersCommand({}));
    await fresh.send(new ListServicesCommand({ cluster: "prod" }));
    await clients.ecs.send(new ListTaskDefinitionsCommand({}));
    await new ECSClient({ ...EMULATOR_CLIENT, endpoint: handle.emulator.url, requestHandler: { httpAgent: early.httpAgent } }).send(new DescribeClustersCommand({}));
    const log = (await handle.emulator.callLog()).slice(-4);
    expect(log.map((e) => e.operation)).toEqual(["ListClusters", "ListServices", "ListTaskDefinitions", "DescribeClusters"]);
    expect(log[0]?.handshakeWaitMs).toBeGreaterThan(200);
    expect(log[0]?.start).toBeGreaterThanOrEqual(sent + 300);
    expect(log.slice(1).map((e) => e.handshakeWaitMs)).toEqual([undefined, undefined, undefined]);
    const refused = await fetch(`${handle.emulator.url}/_sim/latency`, { method: "POST", body: JSON.stringify({ ms: 0, connectionMs: -1 }) });
    expect(refused.status).toBe(400);

    await handle.emulator.reset(); // back to 0
    await awsClients(handle.emulator).ecs.send(new ListClustersCommand({}));
    expect((await handle.emulator.callLog()).map((e) => e.handshakeWaitMs)).toEqual([undefined]);
  });

  it("seeds through the real SDK and logs every seeding write", async () => {
    const log = await handle.emulator.callLog();
    // The seed creates independent resources at once: the writes, in any order; the services last.
    const writes = writeOperations(log).map((entry) => `${entry.service}:${entry.operation}`);
    expect(writes.slice(-2)).toEqual(["ecs:CreateService", "ecs:CreateService"]);
    expect([...writes].sort()).toEqual([
      "ecs:CreateCluster",
      "ecr:CreateRepository",
      "ecr:PutImage",
      "ecr:PutImage",
      "ecr:PutImage",
      "ecs:RegisterTaskDefinition",
      "ecs:RegisterTaskDefinition",
      "ecs:CreateService",
      "ecs:CreateService",
      "iam:CreateRole", // the families' execution role
      ...Array.from({ length: platform.parameters.length }, () => "ssm:PutParameter"),
    ].sort());
    const { Parameters } = await clients.ssm.send(new GetParametersByPathCommand({ Path: "/platform/prod", Recursive: true }));
    expect(Parameters?.find((parameter) => parameter.Name === "/platform/prod/database/PASSWORD")?.Type).toBe("SecureString");
    expect(Object.keys(platform.images)).toEqual([...SEED_SHAS]);
    expect(Object.values(platform.images).every((digest) => /^sha256:[0-9a-f]{64}$/.test(digest))).toBe(true);
  });

  it("empties moto, rules, faults and the log", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck" });
    await handle.emulator.addFault({ operation: "ListServices", error: "ThrottlingException" });
    await handle.emulator.reset();
    expect(await handle.emulator.callLog()).toEqual([]);
    expect((await clients.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
    // Faults are gone: ListServices answers (ClusterNotFound from moto, not a throttle).
    await expect(clients.ecs.send(new ListServicesCommand({ cluster: "prod" }))).rejects.toMatchObject({ name: "ClusterNotFoundException" });
    // Rules are gone: a deployment of the formerly stuck image completes in 2 steps.
    platform = await seedPlatform(clients);
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: await registerWeb(SEED_SHAS[1]) }));
    await describeWeb(); // the stale read after UpdateService (the default consistency is back)
    await describeWeb();
    expect((await describeWeb()).deployments?.[0]?.rolloutState).toBe("COMPLETED");
    expect(await handle.emulator.tasks()).toEqual([]);
  });
});
