/**
 * ECS's service deployment record as it behaves in the field, for BLUE_GREEN, LINEAR and CANARY
 * services (whose wait follows the record):
 * - UpdateService's currentServiceDeployment may name the previous, already SUCCESSFUL deployment
 *   (kayac/ecspresso PR #945, "Fix waiting for stale deployment"): the wait must not report success
 *   from it before green has even scaled up.
 * - ECS may open two service deployments for one update and stop the first (kayac/ecspresso#899): that
 *   STOPPED is not the release's end; the newer record of the same revision carries it.
 * The emulator models both on request (`POST /_sim/consistency`, docs/emulator.md).
 */
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, UpdateServiceCommand, type DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--service", "web"];
const [, SHA_B] = SEED_SHAS;

async function useStrategy(config: DeploymentConfiguration): Promise<void> {
  await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config } }));
}

function release(): Promise<CliRun> {
  return runCli(["release", ...BASE, "--sha", SHA_B, ...FAST], handle.env());
}

/** The service's service deployments, newest first, with their status. */
async function records(): Promise<Array<{ arn: string; status: string }>> {
  const { serviceDeployments } = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web" }));
  // ECS documents no order (the emulator answers oldest first): sorted by createdAt here.
  const newestFirst = [...(serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return newestFirst.map((d) => ({ arn: d.serviceDeploymentArn ?? "", status: d.status ?? "" }));
}

describe.each([
  ["BLUE_GREEN", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 }],
  ["LINEAR", { strategy: "LINEAR", linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 0 }, bakeTimeInMinutes: 0 }],
] as const)("%s", (_name, config) => {
  it("a stale currentServiceDeployment (the previous, SUCCESSFUL one) is not taken for ours: no success before the deployment is SUCCESSFUL", async () => {
    await useStrategy(config as DeploymentConfiguration);
    await handle.emulator.setConsistency({ staleCurrentServiceDeployment: true });
    const run = await release();
    expect(run.code, run.stderr).toBe(0);
    const [newest] = await records();
    expect(newest?.status).toBe("SUCCESSFUL");
    const { serviceDeployments } = await clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest?.arn ?? ""] }));
    expect(serviceDeployments?.[0]?.lifecycleStage).toBe("CLEAN_UP");
    expect(run.stderr).toContain("PRODUCTION_TRAFFIC_SHIFT");
    expect((await describeService(clients, "prod", "web")).deployments?.length).toBe(1);
  });

  it("a second service deployment for the update, the first STOPPED: followed to its end, exit 0", async () => {
    await useStrategy(config as DeploymentConfiguration);
    await handle.emulator.setConsistency({ doubleServiceDeployments: true });
    const run = await release();
    expect(run.code, run.stderr).toBe(0);
    const [second, first] = await records();
    expect([second?.status, first?.status]).toEqual(["SUCCESSFUL", "STOPPED"]);
    expect(run.stderr).toMatch(/web: ECS replaced service deployment \S+ \(STOPPED\) with \S+ of the same revision; following it/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
  });
});
