/**
 * Transient faults (issue 7): the CLI against the emulator with injected throttling, 5xx and
 * connection resets. The SDK's adaptive retries (src/aws/clients.ts, 6 attempts) absorb most of
 * them; a poll that still fails after the retries is logged and the wait goes on (wait-rollout.ts).
 * Every run must end in the right AWS state with exit 0.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { virtualClock } from "../helpers/clock.js";
import { useEmulator } from "../helpers/emulator.js";
import { pinnedImageUri, SEED_SHAS, seedEachTest } from "../helpers/seed.js";
import { waitUntil } from "../helpers/wait-until.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
let seeded = 0;
const [, SHA_B] = SEED_SHAS;
const RELEASE = ["release", "--cluster", "prod", "--service", "web", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B];

beforeEach(async () => {
  seeded = (await handle.emulator.callLog()).length;
});

async function serviceRevision(name: string): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [name] }));
  return out.services?.[0]?.taskDefinition ?? "";
}

async function expectReleasedEverywhere(): Promise<void> {
  for (const [service, family] of [["web", "web:2"], ["worker", "worker:2"]] as const) {
    const { taskDefinition, tags } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ["TAGS"] }));
    expect(await serviceRevision(service)).toBe(taskDefinition?.taskDefinitionArn);
    expect(taskDefinition?.containerDefinitions?.find((c) => c.name === "app")?.image).toBe(await pinnedImageUri(clients, "platform", SHA_B));
    expect(Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]))["ecs-release:outcome"]).toBe("stable");
  }
  // Exactly one revision per family: a retried RegisterTaskDefinition did not register twice.
  await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:3" }))).rejects.toThrow();
  await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "worker:3" }))).rejects.toThrow();
}

describe("release under transient faults", () => {
  // The adaptive mode's client-side rate limiter slows the whole client down after throttles: that
  // is its purpose, and it would make this run take half a minute; its waits and the backoff are on
  // main()'s clock (src/aws/retry.ts), virtual here. The throttles are counted, not drawn
  // at random: a random 30% would, about once in a hundred runs, throttle one call on all six of its
  // attempts and fail the test for a reason that is no defect.
  const RELEASE_OPERATIONS = ["GetParametersByPath", "DescribeImages", "DescribeServices", "DescribeTaskDefinition", "RegisterTaskDefinition", "UpdateService", "TagResource"];
  it("every operation of a full release throttled twice, reads and writes: exit 0, both services stable on the new revisions", { timeout: 120_000 }, async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 3 });
    for (const operation of RELEASE_OPERATIONS) await handle.emulator.addFault({ operation, error: "ThrottlingException", count: 2 });
    const clock = virtualClock();
    const run = await runCli([...RELEASE, "--poll-interval", "10ms", "--json"], handle.env(), { clock });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ services: [{ service: "web", outcome: "completed" }, { service: "worker", outcome: "completed" }] });
    await handle.emulator.clearFaults();
    const log = (await handle.emulator.callLog()).slice(seeded);
    // The faults really happened (this test would pass vacuously otherwise): two per operation.
    for (const operation of RELEASE_OPERATIONS) expect(log.filter((e) => e.operation === operation && e.status === 400), operation).toHaveLength(2);
    // The SDK's backoff after each throttle (1 s base, full jitter: tens of seconds in all) and its rate
    // limiter's waits were slept on main()'s clock, not on real timers.
    expect(clock.slept.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(5_000);
    expect(log.filter((e) => e.operation === "UpdateService" && e.status === 200)).toHaveLength(2);
    await expectReleasedEverywhere();
  });

  it("dropped connections on a fifth of the calls: exit 0", async () => {
    await handle.emulator.addFault({ operation: "UpdateService", error: "reset", count: 1 });
    await handle.emulator.addFault({ operation: "*", error: "reset", rate: 0.2, count: 1000 });
    const run = await runCli([...RELEASE, "--poll-interval", "10ms"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    await handle.emulator.clearFaults();
    const log = (await handle.emulator.callLog()).slice(seeded);
    expect(log.filter((e) => e.status === 0).length, JSON.stringify(log)).toBeGreaterThan(0);
    await expectReleasedEverywhere();
  });

  it("a burst of ServiceUnavailable during the wait (more than the SDK retries): the wait survives the failed poll and ends stable", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 6 });
    const running = startCli([...RELEASE, "--poll-interval", "50ms"], handle.env());
    await waitUntil(() => /waiting for 2 rollouts/.test(running.stderr()), "the wait to start", () => handle.emulator.callLog());
    // 8 in a row: one poll exhausts its 6 attempts, the next needs 3.
    await handle.emulator.addFault({ operation: "DescribeServices", error: "ServiceUnavailable", count: 8 });
    const run = await running.ended;
    expect(run.code, run.stderr).toBe(0);
    const log = (await handle.emulator.callLog()).slice(seeded);
    expect(log.filter((e) => e.operation === "DescribeServices" && e.status === 503)).toHaveLength(8);
    expect(run.stderr).toMatch(/DescribeServices .* failed: ServiceUnavailable.*polling again until the deadline/);
    expect(run.stderr).toMatch(/released web:2, worker:2/);
    await expectReleasedEverywhere();
  });
});
