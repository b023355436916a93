/**
 * release and rollback in a world as unkind as AWS (issue 13 part 3): the built CLI against the
 * emulator with its fidelity knobs turned up. Each test names the defect it guards and the AWS page
 * the behaviour is modelled on.
 */
import { DescribeTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform"];
const [SHA_A, SHA_B, SHA_C] = SEED_SHAS;

function release(args: string[]): Promise<CliRun> {
  return runCli(["release", ...BASE, ...args, ...FAST], handle.env());
}

async function outcomeTag(revision: string): Promise<string | undefined> {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ["TAGS"] }));
  return out.tags?.find((t) => t.key === TAG.outcome)?.value;
}

describe("eventual consistency (issue 13 §3.1; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html)", () => {
  it("a good release of web + worker with three stale reads after each UpdateService exits 0 and is recorded stable", async () => {
    await handle.emulator.setConsistency({ staleServiceReads: 3 });
    const run = await release(["--service", "web,worker", "--sha", SHA_B]);
    expect(run.code, run.stderr).toBe(0);
    // A lag of a few fast polls is not worth a line (only one that lasts 10 s is: test/unit/core/rollout-report.test.ts) …
    expect(run.stderr).not.toMatch(/ECS does not show deployment/);
    expect(await outcomeTag("web:2")).toBe("stable");
    expect(await outcomeTag("worker:2")).toBe("stable");
  });

  it("rollback uses the same wait: three stale reads do not make it fail", async () => {
    expect((await release(["--service", "web", "--sha", SHA_B])).code).toBe(0);
    await handle.emulator.setConsistency({ staleServiceReads: 3 });
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--debug", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    // … but --debug shows it (the positive control of the line's absence above).
    expect(run.stderr).toMatch(/web: ECS does not show deployment ecs-svc\/\d+ yet/);
  });
});

describe("a FAILED deployment left in place is settled (issue 13 §3.5; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html)", () => {
  it("after a failed release on a breaker without rollback, the next release says so in one line and goes ahead", async () => {
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }));
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", steps: 1 });
    const failed = await release(["--service", "web", "--sha", SHA_B]);
    expect(failed.code, failed.stderr).toBe(1);
    const left = await describeService(clients, "prod", "web");
    expect(left.deployments?.map((d) => `${d.status} ${d.taskDefinition?.split("/")[1]} ${d.rolloutState}`)).toEqual(["PRIMARY web:2 FAILED", "ACTIVE web:1 COMPLETED"]);
    const next = await release(["--service", "web", "--sha", SHA_C]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("web (web:2): the last deployment FAILED and was left in place (circuit breaker without rollback); releasing over it");
  });
});

describe("a failed rollout says why (issue 13 §3.11; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html)", () => {
  it("release names a few stopped tasks of the failed deployment in the failure line and in --json", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "fail", steps: 2, exitCode: 137 });
    const run = await release(["--service", "web", "--sha", SHA_B, "--json"]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/stopped tasks: task [0-9a-f]{12}: EssentialContainerExited: Essential container in task exited \(app: exit 137, OutOfMemoryError: Container killed due to memory usage; log-router: exit 143\)/);
    const result = JSON.parse(run.stdout).result as { services: Array<{ stoppedTasks?: Array<{ stopCode: string; stoppedReason: string; containers: Array<{ name: string; exitCode: number | null; reason: string | null }> }> }> };
    const tasks = result.services[0]?.stoppedTasks ?? [];
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.length).toBeLessThanOrEqual(3);
    expect(tasks[0]).toMatchObject({ stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" });
    expect(tasks[0]?.containers).toContainEqual({ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" });
    // Found with exactly ListTasks (startedBy, STOPPED) and one DescribeTasks.
    const log = (await handle.emulator.callLog()).map((e) => e.operation);
    expect(log.filter((op) => op === "ListTasks")).toHaveLength(1);
    expect(log.filter((op) => op === "DescribeTasks")).toHaveLength(1);
  });

  it("rollback names them too when its own rollout fails, in the failure line and in --json", async () => {
    expect((await release(["--service", "web", "--sha", SHA_B])).code).toBe(0);
    await handle.emulator.addRule({ match: SHA_A, outcome: "fail", steps: 1, exitCode: 1 });
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/stopped tasks: task [0-9a-f]{12}: EssentialContainerExited: Essential container in task exited \(app: exit 1; log-router: exit 143\)/);
    const result = JSON.parse(run.stdout).result as { services: Array<{ stoppedTasks?: Array<{ stopCode: string; containers: Array<{ name: string; exitCode: number | null }> }> }> };
    const tasks = result.services[0]?.stoppedTasks ?? [];
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks[0]?.stopCode).toBe("EssentialContainerExited");
    expect(tasks[0]?.containers).toContainEqual(expect.objectContaining({ name: "app", exitCode: 1 }));
  });
});
