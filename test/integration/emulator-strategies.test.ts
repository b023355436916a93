/**
 * The emulator's ECS native deployment strategies (BLUE_GREEN, LINEAR, CANARY) and ECS's service
 * deployment record (ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
 * StopServiceDeployment), through the real AWS SDK (issue 17, item 4). Sources are cited in
 * test/emulator/service-deployments.ts.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration,
  type Service,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { registerTaskDefinition, seedPlatform, SEED_NETWORK, SEED_SHAS, webTaskDefinition, type SeededPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
let seeded: SeededPlatform;

const HOOK = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";

beforeEach(async () => {
  await handle.emulator.reset();
  await handle.emulator.setConsistency({ staleServiceReads: 0 });
  clients = awsClients(handle.emulator, { maxAttempts: 1 });
  seeded = await seedPlatform(clients);
});

async function createStrategyService(name: string, config: DeploymentConfiguration): Promise<void> {
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: "prod",
      serviceName: name,
      taskDefinition: seeded.taskDefinitions.web,
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: SEED_NETWORK,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config },
    }),
  );
}

async function update(name: string, sha: string): Promise<{ deploymentId: string; serviceDeploymentArn: string; taskDefinition: string }> {
  const arn = await registerTaskDefinition(clients, webTaskDefinition(sha));
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: name, taskDefinition: arn }));
  return { deploymentId: service?.deployments?.find((d) => d.status === "PRIMARY")?.id ?? "", serviceDeploymentArn: service?.currentServiceDeployment ?? "", taskDefinition: arn };
}

async function describe1(name: string): Promise<Service> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [name] }));
  if (services?.[0] === undefined) throw new Error("not described");
  return services[0];
}

async function record(arn: string): Promise<ServiceDeployment> {
  const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  if (serviceDeployments?.[0] === undefined) throw new Error("no service deployment");
  return serviceDeployments[0];
}

/** Describe the service until the record is finished; the stages, production shares and statuses seen on the way. */
async function walk(name: string, arn: string, max = 30): Promise<Array<{ stage: string; production: number; status: string }>> {
  const seen: Array<{ stage: string; production: number; status: string }> = [];
  for (let index = 0; index < max; index += 1) {
    await describe1(name);
    const current = await record(arn);
    seen.push({ stage: current.lifecycleStage ?? "", production: current.targetServiceRevision?.requestedProductionTrafficWeight ?? -1, status: current.status ?? "" });
    if (["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"].includes(current.status ?? "")) break;
  }
  return seen;
}

describe("BLUE_GREEN (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html)", () => {
  it("walks the lifecycle stages one per DescribeServices: green scales up beside blue, test then production traffic, bake time, clean-up", async () => {
    await createStrategyService("bg", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 });
    const { serviceDeploymentArn, deploymentId } = await update("bg", SEED_SHAS[1]);
    expect(serviceDeploymentArn).toMatch(/^arn:aws:ecs:us-east-1:\d{12}:service-deployment\/prod\/bg\/[\w-]{22}$/);
    expect((await record(serviceDeploymentArn)).status).toBe("PENDING");
    const seen = walk("bg", serviceDeploymentArn);
    const steps = await seen;
    expect(steps.map((s) => s.stage)).toEqual([
      "PRE_SCALE_UP",
      "SCALE_UP",
      "POST_SCALE_UP",
      "TEST_TRAFFIC_SHIFT",
      "POST_TEST_TRAFFIC_SHIFT",
      "PRODUCTION_TRAFFIC_SHIFT",
      "POST_PRODUCTION_TRAFFIC_SHIFT",
      "BAKE_TIME",
      "BAKE_TIME",
      "CLEAN_UP",
    ]);
    expect(steps.map((s) => s.production)).toEqual([0, 0, 0, 0, 0, 100, 100, 100, 100, 100]);
    expect(steps.at(-1)?.status).toBe("SUCCESSFUL");
    const service = await describe1("bg");
    expect(service.deployments?.map((d) => `${d.id === deploymentId ? "ours" : "other"} ${d.rolloutState}`)).toEqual(["ours COMPLETED"]);
  });

  it("blue keeps its tasks until CLEAN_UP while green runs all of its own (both are up during bake time)", async () => {
    await createStrategyService("bg", { strategy: "BLUE_GREEN" });
    const { serviceDeploymentArn } = await update("bg", SEED_SHAS[1]);
    for (let step = 0; step < 8; step += 1) await describe1("bg"); // PRE_SCALE_UP … BAKE_TIME
    const current = await record(serviceDeploymentArn);
    expect(current.lifecycleStage).toBe("BAKE_TIME");
    expect(current.targetServiceRevision).toMatchObject({ runningTaskCount: 2, requestedProductionTrafficWeight: 100 });
    expect(current.sourceServiceRevisions?.[0]).toMatchObject({ runningTaskCount: 2, requestedProductionTrafficWeight: 0 });
  });

  it("a failing stage (green tasks fail in SCALE_UP) rolls back with the circuit breaker: ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL on the source revision", async () => {
    await createStrategyService("bg", { strategy: "BLUE_GREEN" });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", failStage: "SCALE_UP" });
    const { serviceDeploymentArn, deploymentId } = await update("bg", SEED_SHAS[1]);
    const steps = await walk("bg", serviceDeploymentArn);
    expect(steps.map((s) => s.status)).toEqual(["IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]);
    const done = await record(serviceDeploymentArn);
    expect(done.rollback?.serviceRevisionArn).toBe(done.sourceServiceRevisions?.[0]?.arn);
    expect(done.deploymentCircuitBreaker).toMatchObject({ status: "TRIGGERED" });
    const service = await describe1("bg");
    expect(service.taskDefinition).toBe(seeded.taskDefinitions.web);
    expect(service.deployments?.some((d) => d.id === deploymentId)).toBe(false);
  });

  it("a lifecycle hook that returns FAILED rolls back whatever the circuit breaker says (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md)", async () => {
    await createStrategyService("bg", {
      strategy: "BLUE_GREEN",
      deploymentCircuitBreaker: { enable: false, rollback: false },
      lifecycleHooks: [{ hookTargetArn: HOOK, roleArn: "arn:aws:iam::123456789012:role/ecs-hooks", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }],
    });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", failStage: "POST_TEST_TRAFFIC_SHIFT" });
    const { serviceDeploymentArn } = await update("bg", SEED_SHAS[1]);
    const steps = await walk("bg", serviceDeploymentArn);
    expect(steps.map((s) => s.stage)).toEqual(["PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"]);
    expect(steps.at(-2)?.status).toBe("ROLLBACK_IN_PROGRESS");
    const done = await record(serviceDeploymentArn);
    expect(done.status).toBe("ROLLBACK_SUCCESSFUL");
    expect(done.lifecycleHookDetails).toEqual([expect.objectContaining({ targetArn: HOOK, status: "FAILED", targetType: "AWS_LAMBDA" })]);
    expect(done.statusReason).toContain(HOOK);
    expect((await describe1("bg")).taskDefinition).toBe(seeded.taskDefinitions.web);
  });

  it("a failing stage without the breaker's rollback is STOPPED with the FAILED deployment left beside blue", async () => {
    await createStrategyService("bg", { strategy: "BLUE_GREEN", deploymentCircuitBreaker: { enable: true, rollback: false } });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail" });
    const { serviceDeploymentArn } = await update("bg", SEED_SHAS[1]);
    const steps = await walk("bg", serviceDeploymentArn);
    expect(steps.at(-1)).toMatchObject({ stage: "SCALE_UP", status: "STOPPED" });
    expect((await describe1("bg")).deployments?.map((d) => `${d.status} ${d.rolloutState}`)).toEqual(["PRIMARY FAILED", "ACTIVE COMPLETED"]);
  });

  it("StopServiceDeployment ROLLBACK during bake time: ROLLBACK_REQUESTED at once, production traffic back on blue at the next DescribeServices, then ROLLBACK_SUCCESSFUL", async () => {
    await createStrategyService("bg", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 30 });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", bakeSteps: 50 });
    const { serviceDeploymentArn } = await update("bg", SEED_SHAS[1]);
    for (let step = 0; step < 9; step += 1) await describe1("bg");
    expect((await record(serviceDeploymentArn)).lifecycleStage).toBe("BAKE_TIME");
    const { serviceDeploymentArn: stopped } = await clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" }));
    expect(stopped).toBe(serviceDeploymentArn);
    expect((await record(serviceDeploymentArn)).status).toBe("ROLLBACK_REQUESTED");
    await describe1("bg");
    const rolling = await record(serviceDeploymentArn);
    expect(rolling.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(rolling.targetServiceRevision?.requestedProductionTrafficWeight).toBe(0);
    expect(rolling.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight).toBe(100);
    expect(rolling.sourceServiceRevisions?.[0]?.runningTaskCount).toBe(2);
    const service = await describe1("bg");
    expect(service.taskDefinition).toBe(seeded.taskDefinitions.web);
    expect((await record(serviceDeploymentArn)).status).toBe("ROLLBACK_SUCCESSFUL");
  });
});

describe("LINEAR and CANARY (https://docs.amazonaws.cn/en_us/AmazonECS/latest/developerguide/canary-deployment.html)", () => {
  it("LINEAR shifts production traffic in stepPercent steps", async () => {
    await createStrategyService("lin", { strategy: "LINEAR", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "complete", bakeSteps: 1 });
    const { serviceDeploymentArn } = await update("lin", SEED_SHAS[1]);
    const steps = await walk("lin", serviceDeploymentArn);
    expect(steps.filter((s) => s.stage === "PRODUCTION_TRAFFIC_SHIFT").map((s) => s.production)).toEqual([25, 50, 75, 100]);
    expect(steps.at(-1)?.status).toBe("SUCCESSFUL");
  });

  it("LINEAR failing in PRODUCTION_TRAFFIC_SHIFT rolls back", async () => {
    await createStrategyService("lin", { strategy: "LINEAR", linearConfiguration: { stepPercent: 50 } });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", failStage: "PRODUCTION_TRAFFIC_SHIFT" });
    const { serviceDeploymentArn } = await update("lin", SEED_SHAS[1]);
    expect((await walk("lin", serviceDeploymentArn)).at(-1)?.status).toBe("ROLLBACK_SUCCESSFUL");
  });

  it("CANARY sends canaryPercent first, then the rest at once", async () => {
    await createStrategyService("can", { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 } });
    const { serviceDeploymentArn } = await update("can", SEED_SHAS[1]);
    const steps = await walk("can", serviceDeploymentArn);
    expect(steps.filter((s) => s.stage === "PRODUCTION_TRAFFIC_SHIFT").map((s) => s.production)).toEqual([10, 100]);
    expect(steps.at(-1)?.status).toBe("SUCCESSFUL");
  });

  it("CANARY failing a hook in PRODUCTION_TRAFFIC_SHIFT rolls back", async () => {
    await createStrategyService("can", { strategy: "CANARY", lifecycleHooks: [{ hookTargetArn: HOOK, lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"] }] });
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail", failStage: "PRODUCTION_TRAFFIC_SHIFT" });
    const { serviceDeploymentArn } = await update("can", SEED_SHAS[1]);
    const steps = await walk("can", serviceDeploymentArn);
    expect(steps.at(-1)?.status).toBe("ROLLBACK_SUCCESSFUL");
    expect((await record(serviceDeploymentArn)).lifecycleHookDetails?.[0]?.status).toBe("FAILED");
  });
});

describe("the service deployment record of rolling services (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html)", () => {
  it("one record per UpdateService: PENDING, IN_PROGRESS, SUCCESSFUL; listed oldest first; revisions with the digests ECR has", async () => {
    const first = await update("web", SEED_SHAS[1]);
    expect((await record(first.serviceDeploymentArn)).status).toBe("PENDING");
    await describe1("web");
    expect((await record(first.serviceDeploymentArn)).status).toBe("IN_PROGRESS");
    await describe1("web");
    const done = await record(first.serviceDeploymentArn);
    expect(done).toMatchObject({ status: "SUCCESSFUL" });
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(done.lifecycleStage).toBeUndefined();
    const { serviceDeployments } = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web" }));
    expect(serviceDeployments?.map((d) => d.status)).toEqual(["SUCCESSFUL", "SUCCESSFUL"]); // the service's creation, then ours (oldest first)
    expect(serviceDeployments?.[1]?.serviceDeploymentArn).toBe(first.serviceDeploymentArn);
    const { serviceRevisions } = await clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [done.targetServiceRevision?.arn ?? "", "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1"] }));
    expect(serviceRevisions?.[0]?.taskDefinition).toBe(first.taskDefinition);
    expect(serviceRevisions?.[0]?.containerImages?.find((c) => c.containerName === "app")?.imageDigest).toBe(seeded.images[SEED_SHAS[1]]);
  });

  it("a circuit-breaker rollback of a rolling deployment shows ROLLBACK_SUCCESSFUL", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "fail" });
    const failed = await update("web", SEED_SHAS[1]);
    for (let step = 0; step < 4; step += 1) await describe1("web");
    expect((await record(failed.serviceDeploymentArn)).status).toBe("ROLLBACK_SUCCESSFUL");
  });

  it("StopServiceDeployment rolls a rolling deployment in progress back; a finished one is a ConflictException; ABORT is refused", async () => {
    await handle.emulator.addRule({ match: SEED_SHAS[1], outcome: "stuck" });
    const stuck = await update("web", SEED_SHAS[1]);
    await describe1("web");
    await clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: stuck.serviceDeploymentArn, stopType: "ROLLBACK" }));
    const seen: string[] = [];
    for (let step = 0; step < 4; step += 1) {
      await describe1("web");
      seen.push((await record(stuck.serviceDeploymentArn)).status ?? "");
    }
    expect(seen.slice(0, 3)).toEqual(["ROLLBACK_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]);
    expect((await describe1("web")).taskDefinition).toBe(seeded.taskDefinitions.web);
    await expect(clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: stuck.serviceDeploymentArn, stopType: "ROLLBACK" }))).rejects.toMatchObject({ name: "ConflictException" });
    await expect(clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: stuck.serviceDeploymentArn, stopType: "ABORT" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${stuck.serviceDeploymentArn.slice(0, -3)}xyz` }))).rejects.toMatchObject({ name: "ServiceDeploymentNotFoundException" });
  });

  it("ListServiceDeployments pages (maxResults, nextToken) oldest first, filters by status and createdAt, and refuses maxResults over 100", async () => {
    await update("web", SEED_SHAS[1]);
    await update("web", SEED_SHAS[2]); // supersedes the first
    // ECS documents no order (API_ListServiceDeployments); the emulator answers oldest first.
    const { serviceDeployments, nextToken } = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", maxResults: 2 }));
    expect(serviceDeployments?.map((d) => d.status)).toEqual(["SUCCESSFUL", "STOPPED"]);
    const rest = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", maxResults: 2, ...(nextToken ? { nextToken } : {}) }));
    expect(rest.serviceDeployments?.map((d) => d.status)).toEqual(["PENDING"]);
    const since = serviceDeployments?.[1]?.createdAt;
    const after = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", ...(since ? { createdAt: { after: since } } : {}) }));
    expect(after.serviceDeployments?.map((d) => d.status)).toEqual(["STOPPED", "PENDING"]);
    const stopped = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", status: ["STOPPED"] }));
    expect(stopped.serviceDeployments).toHaveLength(1);
    await expect(clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", maxResults: 101 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "nope" }))).rejects.toMatchObject({ name: "ServiceNotFoundException" });
  });
});
