import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations } from "../helpers/emulator.js";
import { describeService, registerRevision, sha } from "../helpers/revisions.js";
import { createService, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();

interface Deployment {
  id: string;
  status: string;
  revision: string;
  sha: string | null;
  rolloutState: string;
  desired: number;
  running: number;
  pending: number;
}
interface Status {
  service: string;
  revision: string;
  sha: string | null;
  desired: number;
  running: number;
  inFlight: boolean;
  deployments: Deployment[];
  events: Array<{ message: string }>;
  warnings: string[];
}

describe("ecs-release status", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("shows both deployments with their counts during an in-flight rollout", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const next = await registerRevision(clients, { family: "web", sha: sha("e"), outcome: "stable", pushImage: true });
    await handle.emulator.addRule({ match: sha("e"), outcome: "stuck", steps: 2 });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: next }));
    await describeService(clients, "prod", "web"); // the stale read after UpdateService (emulator default: ECS is eventually consistent)
    const before = (await handle.emulator.callLog()).length;

    const run = await runCli(["status", "--cluster", "prod", "--service", "web", "--service", "worker", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const { services } = JSON.parse(run.stdout) as { services: Status[] };
    expect(services.map((s) => s.service)).toEqual(["web", "worker"]);
    const web = services[0]!;
    expect(web).toMatchObject({ revision: "web:2", sha: sha("e"), desired: 2, inFlight: true });
    expect(web.deployments.map((d) => [d.status, d.revision, d.rolloutState, d.desired])).toEqual([
      ["PRIMARY", "web:2", "IN_PROGRESS", 2],
      ["ACTIVE", "web:1", "COMPLETED", 2],
    ]);
    const [fresh, old] = web.deployments as [Deployment, Deployment];
    // Mixed versions: the new deployment has started tasks while the old one still runs.
    expect(fresh.running).toBeGreaterThan(0);
    expect(old.running).toBeGreaterThan(0);
    expect(web.running).toBe(fresh.running + old.running);
    expect(web.events.length).toBeGreaterThan(0);
    expect(web.warnings).toEqual([]);
    expect(services[1]).toMatchObject({ revision: "worker:1", inFlight: false, deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED" }] });
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);

    const human = await runCli(["status", "--cluster", "prod", "--service", "web"], handle.env());
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^web: web:2 sha eeeeeeeeeeee \(stable\) +desired 2 +running \d +pending \d +ROLLOUT IN PROGRESS$/m);
    expect(human.stdout).toMatch(/^ +ecs-svc\/\d+ +PRIMARY +web:2 +eeeeeeeeeeee +IN_PROGRESS +2 +\d +\d +0 /m);
    expect(human.stdout).toMatch(/^ +ecs-svc\/\d+ +ACTIVE +web:1 +111111111111 +COMPLETED +2 +\d +\d +0 /m);
    expect(human.stdout).toMatch(/^ {2}events:$/m);
  });

  it("warns about a deployment configuration that does not protect the service", async () => {
    const clients = awsClients(handle.emulator);
    const platform = await seedPlatform(clients);
    await createService(clients, {
      cluster: "prod",
      name: "fragile",
      taskDefinition: platform.taskDefinitions.web,
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, minimumHealthyPercent: 0, maximumPercent: 100 },
    });
    const run = await runCli(["status", "--cluster", "prod", "--service", "fragile", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const { services } = JSON.parse(run.stdout) as { services: Status[] };
    expect(services[0]?.warnings).toEqual([expect.stringMatching(/circuit breaker is off/), expect.stringMatching(/minimum healthy percent is 0%/)]);
  });

  it("exits 2 naming services that do not exist, in one line, nothing written", async () => {
    await seedPlatform(awsClients(handle.emulator));
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["status", "--cluster", "prod", "--service", "web", "--service", "nope"], handle.env());
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line)), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(/service not found in cluster prod: nope/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });
});
