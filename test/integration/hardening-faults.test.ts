/**
 * Transient faults (issue 7): the built CLI against the emulator with injected throttling, 5xx and
 * connection resets. The SDK's adaptive retries (src/aws/clients.ts, 6 attempts) absorb most of
 * them; a poll that still fails after the retries is logged and the wait goes on (wait-rollout.ts).
 * Every run must end in the right AWS state with exit 0.
 */
import { spawn } from "node:child_process";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { BUNDLE } from "../helpers/cli.js";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { imageUri, SEED_SHAS, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
let seeded = 0;
const [, SHA_B] = SEED_SHAS;
const RELEASE = ["release", "--cluster", "prod", "--service", "web", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B];

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  seeded = (await handle.emulator.callLog()).length;
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; `onStart` gets to act while it runs (e.g. add a fault once the wait has begun). */
function runWhile(args: readonly string[], onStart: (stderr: () => string) => Promise<void> = async () => {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1", ...handle.env() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    const acting = onStart(() => stderr).catch((error: unknown) => {
      child.kill("SIGKILL");
      reject(error);
    });
    child.on("close", (code) => void acting.then(() => resolve({ code, stdout, stderr })));
  });
}

/** Resolves once `predicate` holds for the CLI's stderr (checked on the emulator's call log cadence, not a fixed sleep). */
async function until(predicate: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await handle.emulator.callLog(); // one round trip: paces the loop on the emulator, not a timer
  }
}

async function serviceRevision(name: string): Promise<string> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: [name] }));
  return out.services?.[0]?.taskDefinition ?? "";
}

async function expectReleasedEverywhere(): Promise<void> {
  for (const [service, family] of [["web", "web:2"], ["worker", "worker:2"]] as const) {
    const { taskDefinition, tags } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ["TAGS"] }));
    expect(await serviceRevision(service)).toBe(taskDefinition?.taskDefinitionArn);
    expect(taskDefinition?.containerDefinitions?.find((c) => c.name === "app")?.image).toBe(imageUri("platform", SHA_B));
    expect(Object.fromEntries((tags ?? []).map((t) => [t.key, t.value]))["ecs-release:outcome"]).toBe("stable");
  }
  // Exactly one revision per family: a retried RegisterTaskDefinition did not register twice.
  await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:3" }))).rejects.toThrow();
  await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "worker:3" }))).rejects.toThrow();
}

describe("release under transient faults", () => {
  // The adaptive mode's client-side rate limiter slows the whole client down after throttles: that
  // is its purpose, and it makes this run take several seconds. The throttles are counted, not drawn
  // at random: a random 30% would, about once in a hundred runs, throttle one call on all six of its
  // attempts and fail the test for a reason that is no defect.
  const RELEASE_OPERATIONS = ["GetParametersByPath", "DescribeImages", "DescribeServices", "DescribeTaskDefinition", "RegisterTaskDefinition", "UpdateService", "TagResource"];
  it("every operation of a full release throttled twice, reads and writes: exit 0, both services stable on the new revisions", { timeout: 120_000 }, async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 3 });
    for (const operation of RELEASE_OPERATIONS) await handle.emulator.addFault({ operation, error: "ThrottlingException", count: 2 });
    const run = await runWhile([...RELEASE, "--poll-interval", "10ms", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ services: [{ service: "web", outcome: "completed" }, { service: "worker", outcome: "completed" }] });
    await handle.emulator.clearFaults();
    const log = (await handle.emulator.callLog()).slice(seeded);
    // The faults really happened (this test would pass vacuously otherwise): two per operation.
    for (const operation of RELEASE_OPERATIONS) expect(log.filter((e) => e.operation === operation && e.status === 400), operation).toHaveLength(2);
    expect(log.filter((e) => e.operation === "UpdateService" && e.status === 200)).toHaveLength(2);
    await expectReleasedEverywhere();
  });

  it("dropped connections on a fifth of the calls: exit 0", async () => {
    await handle.emulator.addFault({ operation: "UpdateService", error: "reset", count: 1 });
    await handle.emulator.addFault({ operation: "*", error: "reset", rate: 0.2, count: 1000 });
    const run = await runWhile([...RELEASE, "--poll-interval", "10ms"]);
    expect(run.code, run.stderr).toBe(0);
    await handle.emulator.clearFaults();
    const log = (await handle.emulator.callLog()).slice(seeded);
    expect(log.filter((e) => e.status === 0).length, JSON.stringify(log)).toBeGreaterThan(0);
    await expectReleasedEverywhere();
  });

  it("a burst of ServiceUnavailable during the wait (more than the SDK retries): the wait survives the failed poll and ends stable", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 6 });
    const run = await runWhile([...RELEASE, "--poll-interval", "50ms"], async (stderr) => {
      await until(() => /waiting for 2 rollouts/.test(stderr()), "the wait to start");
      // 8 in a row: one poll exhausts its 6 attempts, the next needs 3.
      await handle.emulator.addFault({ operation: "DescribeServices", error: "ServiceUnavailable", count: 8 });
    });
    expect(run.code, run.stderr).toBe(0);
    const log = (await handle.emulator.callLog()).slice(seeded);
    expect(log.filter((e) => e.operation === "DescribeServices" && e.status === 503)).toHaveLength(8);
    expect(run.stderr).toMatch(/DescribeServices .* failed: ServiceUnavailable.*polling again until the deadline/);
    expect(run.stderr).toMatch(/released web:2, worker:2/);
    await expectReleasedEverywhere();
  });
});
