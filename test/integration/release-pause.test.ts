/**
 * Gating production traffic on an approval: a BLUE_GREEN service with a PAUSE lifecycle hook at
 * PRE_PRODUCTION_TRAFFIC_SHIFT (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html).
 * `release --until-paused` stops waiting there (exit 0) with test traffic on the new revision and
 * says how to go on; `continue` sends ContinueServiceDeployment CONTINUE (production traffic, then
 * stable) or ROLLBACK (back on the old revision), waits and records the outcome
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/continue-service-deployment.html).
 */
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { describeService, readRevision } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];

async function pauseBeforeProduction(bakeTimeInMinutes = 1, lambdaToo = false): Promise<void> {
  const lambda = { hookTargetArn: "arn:aws:lambda:us-east-1:123456789012:function:smoke", roleArn: "arn:aws:iam::123456789012:role/ecs-hooks", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT" as const] };
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: "prod",
      service: "web",
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes, deploymentCircuitBreaker: { enable: true, rollback: true }, lifecycleHooks: [...(lambdaToo ? [lambda] : []), { targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }] },
    }),
  );
  // The read right after the set-up's UpdateService is stale (the emulator's default): take it here.
  await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
}

function release(args: string[] = [], timing = FAST): Promise<CliRun> {
  return runCli(["release", "--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--service", "web", "--sha", SEED_SHAS[1], ...args, ...timing], handle.env());
}

function continueRun(args: string[] = []): Promise<CliRun> {
  return runCli(["continue", "--cluster", "prod", "--service", "web", ...args, ...FAST], handle.env());
}

describe("release --until-paused, then continue", () => {
  it("release stops at the pause (exit 0) with test traffic on web:2; continue sends production traffic and records stable", async () => {
    await pauseBeforeProduction();
    const paused = await release(["--until-paused"]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stderr).toMatch(/web: paused at PRE_PRODUCTION_TRAFFIC_SHIFT by a PAUSE hook \(ecs-pause-\w+\): test traffic 100%, production 0% on web:2; the hook times out at \S+, then ECS will roll back; continue with `ecs-release continue --cluster prod --service web`/);
    expect(paused.stderr).toContain("1 service paused at a PAUSE hook");
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBeUndefined();
    expect((await describeService(clients, "prod", "web")).deployments?.length).toBe(2);

    const go = await continueRun(["--json"]);
    expect(go.code, go.stderr).toBe(0);
    expect(go.stderr).toMatch(/using web: ContinueServiceDeployment CONTINUE of the deployment of web:2 paused at PRE_PRODUCTION_TRAFFIC_SHIFT \(hook ecs-pause-\w+\)/);
    expect(go.stderr).toContain("PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 100% on web:2");
    expect(JSON.parse(go.stdout)).toMatchObject({ action: "continue", services: [{ service: "web", revision: "web:2", previous: "web:1", outcome: "completed" }] });
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("stable");
  });

  it("continue --action rollback returns the service to web:1 and records web:2 rolled back", async () => {
    await pauseBeforeProduction();
    expect((await release(["--until-paused"])).code).toBe(0);
    const back = await continueRun(["--action", "rollback"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain("ECS returns the service to web:1");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("rolled-back");
  });

  // "You can configure both Lambda hooks and pause hooks at the same lifecycle stage. Both hooks must
  // complete before the deployment proceeds" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html):
  // ECS lists both in lifecycleHookDetails, the Lambda hook's first here; the PAUSE hook is the one to continue.
  it("a Lambda hook beside the PAUSE hook at the same stage: release stops at the PAUSE hook, continue names it and finishes", async () => {
    await pauseBeforeProduction(1, true);
    const paused = await release(["--until-paused"]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stderr).toMatch(/web: paused at PRE_PRODUCTION_TRAFFIC_SHIFT by a PAUSE hook \(ecs-pause-\w+\)/);
    const go = await continueRun();
    expect(go.code, go.stderr).toBe(0);
    expect(go.stderr).toMatch(/ContinueServiceDeployment CONTINUE of the deployment of web:2 paused at PRE_PRODUCTION_TRAFFIC_SHIFT \(hook ecs-pause-\w+\)/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("stable");
  });

  it("without --until-paused the wait says why it waits, and how to go on, then times out", async () => {
    await pauseBeforeProduction(0); // a 2 s --timeout is refused against any bake time
    const run = await release([], ["--poll-interval", "10ms", "--timeout", "2s"]);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain("web: paused at PRE_PRODUCTION_TRAFFIC_SHIFT by a PAUSE hook");
    expect(run.stderr).toContain("continue with `ecs-release continue --cluster prod --service web`");
  });

  it("continue on a service with nothing paused: exit 2, nothing written", async () => {
    const before = (await handle.emulator.callLog()).length;
    const run = await continueRun();
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/continue: web: its newest service deployment is SUCCESSFUL, not paused at a PAUSE hook: nothing to continue; nothing was written/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });
});
