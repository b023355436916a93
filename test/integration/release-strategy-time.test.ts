/**
 * A release refuses a --timeout shorter than its services' strategy takes, before writing anything: a
 * LINEAR service with ECS's defaults (10 % steps, 6-minute step bake, none after 100 %:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html) needs 54
 * minutes before its bake time, so the default 30-minute --timeout could only time out mid-shift.
 */
import { UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const BASE = ["release", "--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--service", "web", "--sha", SEED_SHAS[1], "--poll-interval", "10ms"];

async function linearWithDefaults(): Promise<number> {
  await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "LINEAR", deploymentCircuitBreaker: { enable: true, rollback: true } } }));
  // The set-up's own UpdateService is followed by a stale read (the emulator's default): take it here.
  await describeService(clients, "prod", "web");
  return (await handle.emulator.callLog()).length;
}

describe("LINEAR with ECS's defaults", () => {
  it("--timeout 30m: exit 2 naming both times, nothing written", async () => {
    const before = await linearWithDefaults();
    const run = await runCli([...BASE, "--timeout", "30m"], handle.env());
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("--timeout 30m00s is shorter than the deployment strategy takes: web (LINEAR) needs at least 54m00s: 9 steps of 10% × 6m step bake + bake time 0m");
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  it("the positive control: --timeout 2h goes ahead and writes (the emulator counts steps, so it ends at once)", async () => {
    const before = await linearWithDefaults();
    const run = await runCli([...BASE, "--timeout", "2h"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(writeOperations((await handle.emulator.callLog()).slice(before)).map((c) => c.operation)).toContain("UpdateService");
  });

  it("--no-wait is not refused", async () => {
    await linearWithDefaults();
    const run = await runCli([...BASE, "--timeout", "30m", "--no-wait"], handle.env());
    expect(run.code, run.stderr).toBe(0);
  });
});
