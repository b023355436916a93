/**
 * The emulator's lifecycle hooks as ECS documents them: the stages a hook may name (PAUSE hooks not at
 * TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html), and PAUSE
 * hooks holding a deployment AWAITING_ACTION until ContinueServiceDeployment (CONTINUE or ROLLBACK) or
 * their timeout (default 1440 minutes, then ROLLBACK: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
 */
import { ContinueServiceDeploymentCommand, DescribeServiceDeploymentsCommand, DescribeServicesCommand, UpdateServiceCommand, type DeploymentLifecycleHook, type DeploymentLifecycleHookDetail } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers/emulator.js";
import { describeService, registerRevision, sha } from "../helpers/revisions.js";
import { seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);

function configure(hooks: DeploymentLifecycleHook[]): Promise<unknown> {
  return clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5, deploymentCircuitBreaker: { enable: true, rollback: true }, lifecycleHooks: hooks } }));
}

async function record(arn: string): Promise<{ status: string; stage: string; hook: DeploymentLifecycleHookDetail | undefined; production: number; test: number }> {
  const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const d = serviceDeployments?.[0];
  return { status: d?.status ?? "", stage: d?.lifecycleStage ?? "", hook: d?.lifecycleHookDetails?.[0], production: d?.targetServiceRevision?.requestedProductionTrafficWeight ?? -1, test: d?.targetServiceRevision?.requestedTestTrafficWeight ?? -1 };
}

async function poll(times: number): Promise<void> {
  for (let i = 0; i < times; i++) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
}

/** A BLUE_GREEN update to a new revision, polled until its PAUSE hook holds it; returns the record ARN. */
async function pausedDeployment(hook: DeploymentLifecycleHook): Promise<string> {
  await configure([hook]);
  await poll(1);
  const next = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
  const arn = service?.currentServiceDeployment ?? "";
  await poll(12);
  return arn;
}

describe("hook stages", () => {
  it.each([
    ["a PAUSE hook at TEST_TRAFFIC_SHIFT", { targetType: "PAUSE", lifecycleStages: ["TEST_TRAFFIC_SHIFT"] }, /PAUSE hooks cannot be configured at the TEST_TRAFFIC_SHIFT stage/],
    ["a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT", { targetType: "PAUSE", lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"] }, /PAUSE hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT stage/],
    ["any hook at BAKE_TIME (not a hook stage)", { hookTargetArn: "arn:aws:lambda:us-east-1:123456789012:function:f", lifecycleStages: ["BAKE_TIME"] }, /Invalid lifecycle stage for a lifecycle hook: BAKE_TIME/],
    ["a Lambda hook without its function", { lifecycleStages: ["POST_SCALE_UP"] }, /hookTargetArn is required/],
  ] as Array<[string, DeploymentLifecycleHook, RegExp]>)("%s is refused (InvalidParameterException)", async (_name, hook, message) => {
    await expect(configure([hook])).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringMatching(message) });
  });

  it("a PAUSE hook at PRE_PRODUCTION_TRAFFIC_SHIFT and a Lambda hook at TEST_TRAFFIC_SHIFT are accepted", async () => {
    await configure([{ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }, { hookTargetArn: "arn:aws:lambda:us-east-1:123456789012:function:f", lifecycleStages: ["TEST_TRAFFIC_SHIFT"] }]);
    await poll(1); // the read right after an UpdateService is stale by default
    expect((await describeService(clients, "prod", "web")).deploymentConfiguration?.lifecycleHooks).toHaveLength(2);
  });
});

describe("PAUSE hooks", () => {
  it("hold the deployment AWAITING_ACTION with test traffic on green; CONTINUE lets it finish", async () => {
    const arn = await pausedDeployment({ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] });
    const held = await record(arn);
    expect(held).toMatchObject({ status: "IN_PROGRESS", stage: "PRE_PRODUCTION_TRAFFIC_SHIFT", production: 0, test: 100, hook: { targetType: "PAUSE", status: "AWAITING_ACTION", timeoutAction: "ROLLBACK" } });
    expect(held.hook?.hookId).toMatch(/^ecs-pause-/);
    await poll(5);
    expect((await record(arn)).stage).toBe("PRE_PRODUCTION_TRAFFIC_SHIFT");
    await expect(clients.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: "ecs-pause-other" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await clients.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: held.hook?.hookId ?? "", action: "CONTINUE" }));
    await poll(12);
    expect((await record(arn)).status).toBe("SUCCESSFUL");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
  });

  it("ROLLBACK returns the service to blue", async () => {
    const arn = await pausedDeployment({ targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] });
    const held = await record(arn);
    expect(held.stage).toBe("POST_TEST_TRAFFIC_SHIFT");
    await clients.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: held.hook?.hookId ?? "", action: "ROLLBACK" }));
    await poll(6);
    expect((await record(arn)).status).toBe("ROLLBACK_SUCCESSFUL");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
  });

  it("time out on the emulator's clock: TIMED_OUT, then the timeout action (default ROLLBACK)", async () => {
    const arn = await pausedDeployment({ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] });
    await handle.emulator.advanceClock(1439 * 60);
    await poll(2);
    expect((await record(arn)).hook?.status).toBe("AWAITING_ACTION");
    await handle.emulator.advanceClock(2 * 60);
    await poll(6);
    const after = await record(arn);
    expect(after.hook?.status).toBe("TIMED_OUT");
    expect(after.status).toBe("ROLLBACK_SUCCESSFUL");
  });

  it("timeoutConfiguration CONTINUE goes on after the timeout", async () => {
    const arn = await pausedDeployment({ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"], timeoutConfiguration: { timeoutInMinutes: 10, action: "CONTINUE" } });
    await handle.emulator.advanceClock(11 * 60);
    await poll(12);
    expect((await record(arn)).status).toBe("SUCCESSFUL");
  });
});

/**
 * "You can configure both Lambda hooks and pause hooks at the same lifecycle stage. Both hooks must
 * complete before the deployment proceeds to the next stage"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html).
 */
describe("a Lambda hook and a PAUSE hook at the same stage", () => {
  const LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:smoke";
  const both: DeploymentLifecycleHook[] = [
    { hookTargetArn: LAMBDA, roleArn: "arn:aws:iam::123456789012:role/ecs-hooks", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] },
    { targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] },
  ];

  async function details(arn: string): Promise<DeploymentLifecycleHookDetail[]> {
    const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    return serviceDeployments?.[0]?.lifecycleHookDetails ?? [];
  }

  async function pausedWithBoth(): Promise<string> {
    await configure(both);
    await poll(1);
    const next = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
    const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    await poll(12);
    return service?.currentServiceDeployment ?? "";
  }

  it("both run: the Lambda hook SUCCEEDED and the PAUSE hook AWAITING_ACTION; the deployment goes on only after CONTINUE", async () => {
    const arn = await pausedWithBoth();
    expect((await record(arn)).stage).toBe("POST_TEST_TRAFFIC_SHIFT");
    const held = await details(arn);
    expect(held.map((d) => `${d.targetType} ${d.status}`)).toEqual(["AWS_LAMBDA SUCCEEDED", "PAUSE AWAITING_ACTION"]);
    expect(held[0]?.targetArn).toBe(LAMBDA);
    const pause = held.find((d) => d.targetType === "PAUSE");
    await clients.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: pause?.hookId ?? "", action: "CONTINUE" }));
    await poll(12);
    expect((await record(arn)).status).toBe("SUCCESSFUL");
  });

  it("the Lambda hook returning FAILED rolls back without waiting for the PAUSE hook", async () => {
    await handle.emulator.addRule({ match: sha("b"), outcome: "fail", failStage: "POST_TEST_TRAFFIC_SHIFT" });
    const arn = await pausedWithBoth();
    const after = await record(arn);
    expect(after.status).toBe("ROLLBACK_SUCCESSFUL");
    expect((await details(arn)).map((d) => `${d.targetType} ${d.status}`)).toEqual(["AWS_LAMBDA FAILED"]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
  });

  it("a timed-out PAUSE hook is TIMED_OUT; the Lambda hook beside it stays SUCCEEDED", async () => {
    const arn = await pausedWithBoth();
    await handle.emulator.advanceClock(1441 * 60);
    await poll(6);
    expect((await details(arn)).map((d) => `${d.targetType} ${d.status}`)).toEqual(["AWS_LAMBDA SUCCEEDED", "PAUSE TIMED_OUT"]);
    expect((await record(arn)).status).toBe("ROLLBACK_SUCCESSFUL");
  });
});

/**
 * Lifecycle hooks on a ROLLING service. ECS documents no refusal: DeploymentConfiguration.lifecycleHooks
 * names no strategy (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html),
 * and an UpdateService of a ROLLING service with a PRE_SCALE_UP Lambda hook was accepted
 * (aws/containers-roadmap#2664). Every lifecycle stage is described in blue/green terms (green revision,
 * test traffic: API_DeploymentLifecycleHook.html), and rolling deployments walk no such stages. Our
 * assumption: accepted, kept in the configuration, never run — the rolling deployment does not pause.
 */
describe("lifecycle hooks on a ROLLING service", () => {
  it("a PAUSE hook is accepted and kept, and the rolling deployment completes without pausing", async () => {
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "ROLLING", lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["POST_SCALE_UP"] }] } }));
    await poll(1);
    expect((await describeService(clients, "prod", "web")).deploymentConfiguration?.lifecycleHooks).toEqual([expect.objectContaining({ targetType: "PAUSE" })]);
    const next = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
    const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    await poll(8);
    const done = await record(service?.currentServiceDeployment ?? "");
    expect(done.status).toBe("SUCCESSFUL");
    expect(done.hook).toBeUndefined();
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
  });
});
