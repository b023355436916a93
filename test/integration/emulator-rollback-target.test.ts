/**
 * Where the emulated ECS rolls back to: the last deployment that completed ("the service is rolled back
 * to the last deployment that completed successfully": DeploymentConfiguration.deploymentCircuitBreaker,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html), not the
 * deployment that happened to be PRIMARY before — which a newer update may have replaced in flight.
 */
import { DescribeServicesCommand, ListServiceDeploymentsCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers/emulator.js";
import { describeService, registerRevision, sha } from "../helpers/revisions.js";
import { seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);

async function poll(times: number): Promise<void> {
  for (let i = 0; i < times; i++) await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
}

describe("the circuit breaker's rollback target", () => {
  it("web:1 completed, web:2 still rolling out, web:3 fails: back on web:1, not web:2", async () => {
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }));
    await poll(1);
    const two = await registerRevision(clients, { family: "web", sha: sha("b"), pushImage: true });
    const three = await registerRevision(clients, { family: "web", sha: sha("c"), pushImage: true });
    await handle.emulator.addRule({ match: sha("b"), outcome: "stuck" });
    await handle.emulator.addRule({ match: sha("c"), outcome: "fail", steps: 1 });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: two }));
    await poll(2);
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: three }));
    await poll(6);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
    const { serviceDeployments } = await clients.ecs.send(new ListServiceDeploymentsCommand({ cluster: "prod", service: "web" }));
    expect(serviceDeployments?.at(-1)?.status).toBe("ROLLBACK_SUCCESSFUL"); // oldest first: the newest is last
  });
});
