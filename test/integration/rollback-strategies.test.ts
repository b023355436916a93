/**
 * rollback stops what is in flight (issue 17, item 2): a service with ECS's deployment in progress
 * that StopServiceDeployment supports is rolled back with stopType ROLLBACK and followed to the end;
 * otherwise it is updated as before. The choice is printed, also under --dry-run
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.md).
 */
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, UpdateServiceCommand, type DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { describeService, registerRevision, rollOut, sha } from "../helpers/revisions.js";
import { seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];

/** web on web:2 (recorded stable), then an update to web:3 left in flight; returns web:3's service deployment ARN. */
async function inFlight(config: DeploymentConfiguration | undefined, rule: Parameters<typeof handle.emulator.addRule>[0]): Promise<string> {
  await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha("a"), outcome: "stable" }));
  if (config !== undefined) await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config } }));
  // Its image is in ECR: a missing one would fail the deployment (CannotPullContainerError) before it is in flight.
  const next = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
  await handle.emulator.addRule(rule);
  const { service } = await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
  return service?.currentServiceDeployment ?? "";
}

async function stageOf(arn: string): Promise<{ status: string; stage: string; production: number }> {
  const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const d = serviceDeployments?.[0];
  return { status: d?.status ?? "", stage: d?.lifecycleStage ?? "", production: d?.targetServiceRevision?.requestedProductionTrafficWeight ?? -1 };
}

function rollback(args: string[] = []): Promise<CliRun> {
  return runCli(["rollback", "--cluster", "prod", "--service", "web", ...args, ...FAST], handle.env());
}

describe("BLUE_GREEN in bake time", () => {
  async function inBake(): Promise<string> {
    const arn = await inFlight({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 60 }, { match: sha("b"), outcome: "complete", bakeSteps: 1_000 });
    for (let poll = 0; poll < 20 && (await stageOf(arn)).stage !== "BAKE_TIME"; poll++) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    expect(await stageOf(arn)).toMatchObject({ status: "IN_PROGRESS", stage: "BAKE_TIME", production: 100 });
    return arn;
  }

  it("rollback stops it with ROLLBACK: production traffic is back on web:2 at the next poll, exit 0, no UpdateService", async () => {
    const arn = await inBake();
    const before = (await handle.emulator.callLog()).length;
    const run = await rollback();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("using web: StopServiceDeployment ROLLBACK of the deployment in flight (IN_PROGRESS in BAKE_TIME); ECS returns the service to web:2");
    expect(run.stderr).toContain(`stopped web's deployment in flight with ROLLBACK (${arn})`);
    expect(run.stderr).toContain("web: BLUE_GREEN BAKE_TIME ROLLBACK_IN_PROGRESS: production 0% on web:3 (100% on web:2)");
    expect(run.stderr).toMatch(/web: back on web:2 \(ECS rolled web:3 back: ROLLBACK_SUCCESSFUL\)/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    const calls = (await handle.emulator.callLog()).slice(before).map((c) => c.operation);
    expect(calls).toContain("StopServiceDeployment");
    expect(calls).not.toContain("UpdateService");
    // Production traffic back one poll after the stop: the first stage line the wait prints after it shows 0 % on web:3.
    const afterStop = run.stderr.slice(run.stderr.indexOf("stopped web's deployment in flight")).split("\n").filter((line) => line.includes("web: BLUE_GREEN"));
    expect(afterStop[0]).toContain("ROLLBACK_IN_PROGRESS: production 0% on web:3 (100% on web:2)");
    expect((await stageOf(arn)).status).toBe("ROLLBACK_SUCCESSFUL");
  });

  it("--dry-run prints the choice and writes nothing", async () => {
    await inBake();
    const before = (await handle.emulator.callLog()).length;
    const run = await rollback(["--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("would use web: StopServiceDeployment ROLLBACK of the deployment in flight (IN_PROGRESS in BAKE_TIME); ECS returns the service to web:2");
    const calls = (await handle.emulator.callLog()).slice(before).map((c) => c.operation);
    expect(calls.filter((c) => ["StopServiceDeployment", "UpdateService", "TagResource", "DeregisterTaskDefinition"].includes(c))).toEqual([]);
  });
});

describe("rolling services", () => {
  it("a rolling deployment in progress is rolled back through StopServiceDeployment too", async () => {
    const arn = await inFlight(undefined, { match: sha("b"), outcome: "stuck" });
    await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    const run = await rollback();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("using web: StopServiceDeployment ROLLBACK of the deployment in flight (IN_PROGRESS); ECS returns the service to web:2");
    expect((await stageOf(arn)).status).toBe("ROLLBACK_SUCCESSFUL");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
  });

  it("a steady service is updated as before, and says so", async () => {
    await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha("a"), outcome: "stable" }));
    await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha("b"), outcome: "stable" }));
    const before = (await handle.emulator.callLog()).length;
    const run = await rollback();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("using web: UpdateService to web:2");
    const calls = (await handle.emulator.callLog()).slice(before).map((c) => c.operation);
    expect(calls).not.toContain("StopServiceDeployment");
    expect(calls).not.toContain("DescribeServiceDeployments");
  });
});
