/**
 * release on services with ECS's native BLUE_GREEN, LINEAR and CANARY strategies (issue 17, item 1):
 * the built CLI waits through the lifecycle stages and bake time, shows them, and reports failed
 * stages, failed lifecycle hooks and ECS's rollback truthfully. The emulator's model and its sources:
 * test/emulator/service-deployments.ts.
 */
import { DescribeTaskDefinitionCommand, UpdateServiceCommand, type DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import type { Clock } from "../../src/core/clock.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { virtualClock } from "../helpers/clock.js";
import { useEmulator } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform"];
const [, SHA_B] = SEED_SHAS;
const HOOK = "arn:aws:lambda:us-east-1:123456789012:function:smoke-test";

async function useStrategy(config: DeploymentConfiguration): Promise<void> {
  await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config } }));
}

function release(args: string[], timing = FAST, clock?: Clock): Promise<CliRun> {
  return runCli(["release", ...BASE, "--service", "web", "--sha", SHA_B, ...args, ...timing], handle.env(), clock === undefined ? {} : { clock });
}

async function outcomeTag(revision: string): Promise<string | undefined> {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ["TAGS"] }));
  return out.tags?.find((t) => t.key === TAG.outcome)?.value;
}

describe("BLUE_GREEN (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html)", () => {
  it("waits through test traffic, production traffic and bake time, shows each stage, and records stable; one DescribeServiceDeployments per poll at most", async () => {
    await useStrategy({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 15 });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("web: BLUE_GREEN TEST_TRAFFIC_SHIFT IN_PROGRESS: production 0% on web:2 (100% on web:1), test 100%");
    expect(run.stderr).toContain("web: BLUE_GREEN PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 100% on web:2 (0% on web:1), test 100%");
    expect(run.stderr).toMatch(/web: BLUE_GREEN BAKE_TIME IN_PROGRESS: production 100% on web:2 \(0% on web:1\), test 100%; bake time 15m left/);
    expect(run.stderr.indexOf("BAKE_TIME")).toBeLessThan(run.stderr.indexOf("stable on web:2"));
    expect(await outcomeTag("web:2")).toBe("stable");
    const log = await handle.emulator.callLog();
    const count = (operation: string): number => log.filter((entry) => entry.operation === operation).length;
    expect(count("DescribeServiceDeployments")).toBeGreaterThan(0);
    expect(count("DescribeServiceDeployments")).toBeLessThanOrEqual(count("DescribeServices"));
  });

  it("a failed stage: exit 1, ECS's rollback reported, naming the revision the service is back on; recorded failed", async () => {
    await useStrategy({ strategy: "BLUE_GREEN" });
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", failStage: "SCALE_UP" });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/web: web:2 failed \(.*circuit breaker.*\); the service is back on web:1/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
    expect(await outcomeTag("web:2")).toBe("failed");
  });

  it("a lifecycle hook returning FAILED: exit 1, the hook and its stage named, back on web:1 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md)", async () => {
    await useStrategy({ strategy: "BLUE_GREEN", lifecycleHooks: [{ hookTargetArn: HOOK, roleArn: "arn:aws:iam::123456789012:role/hooks", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }] });
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", failStage: "POST_TEST_TRAFFIC_SHIFT" });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`web: web:2 failed (lifecycle hook ${HOOK} FAILED in POST_TEST_TRAFFIC_SHIFT); the service is back on web:1`);
    expect(await outcomeTag("web:2")).toBe("failed");
  });

  it("--timeout during a long bake time: exit 4, the stage in the message", async () => {
    await useStrategy({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 60 });
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", bakeSteps: 1_000_000 });
    // Minutes of bake time on a virtual clock: the wait sleeps between polls, the clock moves, no test waits.
    const run = await release([], ["--poll-interval", "30s", "--timeout", "5m"], virtualClock());
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/web: web:2 still deploying \(BLUE_GREEN in [A-Z_]+, service deployment IN_PROGRESS/);
  });

  it("--no-wait returns after UpdateService and reads no service deployment", async () => {
    await useStrategy({ strategy: "BLUE_GREEN" });
    const run = await release(["--no-wait"]);
    expect(run.code, run.stderr).toBe(0);
    expect((await handle.emulator.callLog()).some((entry) => entry.operation === "DescribeServiceDeployments")).toBe(false);
  });
});

describe("LINEAR and CANARY (https://docs.amazonaws.cn/en_us/AmazonECS/latest/developerguide/canary-deployment.html)", () => {
  it("LINEAR: every production step is shown, then stable", async () => {
    await useStrategy({ strategy: "LINEAR", linearConfiguration: { stepPercent: 50 } });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("web: LINEAR PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 50% on web:2 (50% on web:1)");
    expect(run.stderr).toContain("web: LINEAR PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 100% on web:2 (0% on web:1)");
    expect(await outcomeTag("web:2")).toBe("stable");
  });

  it("LINEAR failing mid-shift: exit 1, back on web:1", async () => {
    await useStrategy({ strategy: "LINEAR", linearConfiguration: { stepPercent: 50 } });
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", failStage: "PRODUCTION_TRAFFIC_SHIFT" });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("the service is back on web:1");
  });

  it("CANARY: the canary share, then all traffic, then stable", async () => {
    await useStrategy({ strategy: "CANARY", canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 } });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("web: CANARY PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 10% on web:2 (90% on web:1)");
    expect(await outcomeTag("web:2")).toBe("stable");
  });

  it("CANARY with a failing hook on the production shift: exit 1, the hook named, back on web:1", async () => {
    await useStrategy({ strategy: "CANARY", lifecycleHooks: [{ hookTargetArn: HOOK, lifecycleStages: ["PRODUCTION_TRAFFIC_SHIFT"] }] });
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", failStage: "PRODUCTION_TRAFFIC_SHIFT" });
    const run = await release([]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`lifecycle hook ${HOOK} FAILED in PRODUCTION_TRAFFIC_SHIFT); the service is back on web:1`);
  });
});
