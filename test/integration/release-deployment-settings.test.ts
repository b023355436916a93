/** Deployment settings under which ECS can never start a task of the new revision: exit 2 before any write. */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { sha } from "../helpers/revisions.js";
import { createService, putImage, SEED_NETWORK, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];

describe("release against deployment settings that cannot progress", () => {
  it("desired 1, minimumHealthyPercent 100, maximumPercent 100: named before any write, exit 2", async () => {
    await putImage(clients, "platform", sha("b"));
    await createService(clients, {
      cluster: "prod",
      name: "stuck",
      taskDefinition: "web:1",
      desiredCount: 1,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 100 },
      launchType: "FARGATE",
      networkConfiguration: SEED_NETWORK,
    });
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["release", "--cluster", "prod", "--service", "stuck", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha("b"), ...FAST], handle.env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stuck: desired count 1 with minimumHealthyPercent 100 and maximumPercent 100: .*raise maximumPercent to 200 or more/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);

    // Positive control: the seeded web (max 200) releases.
    const fine = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha("b"), ...FAST], handle.env());
    expect(fine.code, fine.stderr).toBe(0);
  });
});
