/**
 * Where ECS's rollback goes — "the last deployment that completed successfully"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html) — can
 * be older than every deployment DescribeServices shows: after a rollback, the service runs a new
 * deployment of the old revision, created when the rollback started, while the service deployment
 * that completed is the one of the release before. ListServiceDeployments' `createdAt` filter
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreatedAt.html) from the view's
 * oldest deployment leaves that record out: blue must still be found.
 */
import { DescribeServicesCommand, ListServiceDeploymentsCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];

async function pauseBeforeProduction(): Promise<void> {
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: "prod",
      service: "web",
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1, deploymentCircuitBreaker: { enable: true, rollback: true }, lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }] },
    }),
  );
  await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
}

function releaseUntilPaused(sha: string): Promise<CliRun> {
  return runCli(["release", "--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--service", "web", "--sha", sha, "--until-paused", ...FAST], handle.env());
}

function continueRollback(): Promise<CliRun> {
  return runCli(["continue", "--cluster", "prod", "--service", "web", "--action", "rollback", "--json", ...FAST], handle.env());
}

describe("the last completed service deployment older than the view", () => {
  it("continue --action rollback after an earlier rollback still knows blue (web:1) and returns the service to it", async () => {
    await pauseBeforeProduction();
    expect((await releaseUntilPaused(SEED_SHAS[1])).code).toBe(0);
    // The first release is rolled back a minute after it started: the service's new deployment of web:1 dates from then.
    await handle.emulator.advanceClock(60);
    const first = await continueRollback();
    expect(first.code, first.stderr).toBe(0);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
    await handle.emulator.advanceClock(60);

    const second = await releaseUntilPaused(SEED_SHAS[2]);
    expect(second.code, second.stderr).toBe(0);
    // Positive control: the view's deployments are all newer than web:1's completed service deployment.
    const view = await describeService(clients, "prod", "web");
    const oldestShown = Math.min(...(view.deployments ?? []).map((d) => d.createdAt?.getTime() ?? 0));
    const { serviceDeployments } = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web", status: ["SUCCESSFUL"] }));
    expect(serviceDeployments?.length).toBe(1);
    expect(serviceDeployments?.[0]?.createdAt?.getTime() ?? 0).toBeLessThan(oldestShown - 60_000);

    const back = await continueRollback();
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain("ECS returns the service to web:1");
    expect(JSON.parse(back.stdout)).toMatchObject({ action: "rollback", services: [{ service: "web", previous: "web:1" }] });
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
  });
});
