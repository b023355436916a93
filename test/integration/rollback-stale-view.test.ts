/**
 * The panic path under ECS's eventual consistency: a release of B goes out with --no-wait (or its job
 * is still waiting) and rollback runs at once. DescribeServices may still answer with the service as
 * it was before B's UpdateService ("the result of an API command you run that affects your Amazon ECS
 * resources might not be immediately visible to all subsequent commands you run",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html). rollback must not
 * choose its target, nor deregister, from that view: the service ends on A, B's revision is the one
 * tagged rolled-back and deregistered, A's stays ACTIVE and stable. The emulator answers the first
 * 1–3 DescribeServices after an UpdateService with the old view (`POST /_sim/consistency`).
 */
import { UpdateServiceCommand, type DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { useEmulator, writeOperations } from "../helpers/emulator.js";
import { describeService, readRevision } from "../helpers/revisions.js";
import { SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const FAST = ["--poll-interval", "10ms", "--timeout", "2m"];
const BASE = ["--cluster", "prod", "--ssm-path", "/platform/prod", "--repository", "platform", "--service", "web"];
const [, SHA_A, SHA_B] = SEED_SHAS;

function release(sha: string, args: string[] = []): Promise<CliRun> {
  return runCli(["release", ...BASE, "--sha", sha, ...args, ...FAST], handle.env());
}

/** web on web:2 (A, released and recorded stable), then B released as web:3 with --no-wait, reads `stale` reads behind. */
async function releaseBNoWait(stale: number, config?: DeploymentConfiguration): Promise<void> {
  if (config !== undefined) await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, ...config } }));
  const a = await release(SHA_A);
  expect(a.code, a.stderr).toBe(0);
  expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("stable");
  await handle.emulator.setConsistency({ staleServiceReads: stale });
  const b = await release(SHA_B, ["--no-wait"]);
  expect(b.code, b.stderr).toBe(0);
}

const STRATEGIES: ReadonlyArray<[string, DeploymentConfiguration | undefined]> = [
  ["rolling", undefined],
  ["BLUE_GREEN", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 }],
];

describe.each(STRATEGIES)("rollback right after a --no-wait release, %s", (_name, config) => {
  it.each([1, 2, 3])("with %i stale DescribeServices: the service ends on A, B is tagged and deregistered, A stays ACTIVE and stable", async (stale) => {
    await releaseBNoWait(stale, config);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("web: DescribeServices showed the service before its newest service deployment (");
    const result = JSON.parse(run.stdout) as { targets: Array<{ revision: string; rolledBackFrom: string[] }>; deregistered: Array<{ revision: string }>; taggedRolledBack: string[] };
    expect(result.targets.map((t) => t.revision)).toEqual(["web:2"]);
    expect(result.taggedRolledBack.map((arn) => arn.slice(arn.lastIndexOf("/") + 1))).toEqual(["web:3"]);
    expect(result.deregistered.map((r) => r.revision)).toEqual(["web:3"]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    const a = await readRevision(clients, "web:2");
    expect(a.status).toBe("ACTIVE");
    expect(a.tags[TAG.outcome]).toBe("stable");
    const b = await readRevision(clients, "web:3");
    expect(b.status).toBe("INACTIVE");
    expect(b.tags[TAG.outcome]).toBe("rolled-back");
  });
});

describe("status right after a --no-wait release", () => {
  it("does not show the stale view as the truth: it reads again until the newest service deployment shows, and says so", async () => {
    await releaseBNoWait(2);
    const run = await runCli(["status", "--cluster", "prod", "--service", "web", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("web: DescribeServices showed the service before its newest service deployment (");
    const result = JSON.parse(run.stdout) as { services: Array<{ service: string; taskDefinition?: string; revision?: string }> };
    expect(JSON.stringify(result.services[0])).toContain("web:3");
  });
});

describe("a view that never catches up within the grace", () => {
  it("stops the rollback: exit 4, nothing chosen or written (the tests above, with the grace long enough, write)", async () => {
    await releaseBNoWait(3);
    const before = (await handle.emulator.callLog()).length;
    // The grace is at most --timeout: 1 s, and one re-read 2 s later — still inside the 3 stale reads.
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--timeout", "1s", "--poll-interval", "2s"], handle.env());
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toMatch(/rollback: web: DescribeServices still does not show its newest service deployment \(PENDING of web:3, created \S+\) after 1s: the view could not be confirmed; nothing was chosen or written/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });
});

describe("history --service right after a --no-wait release", () => {
  it("says its running marks may be old when DescribeServices does not show the newest service deployment yet", async () => {
    await releaseBNoWait(2);
    const run = await runCli(["history", "--cluster", "prod", "--service", "web"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/history: web: DescribeServices does not show its newest service deployment \(PENDING of web:3, created \S+\) yet \(ECS's eventual consistency\): the running marks \(\*\) may be seconds old/);
  });

  it("the positive control: with the views current, no such warning", async () => {
    await releaseBNoWait(0);
    const run = await runCli(["history", "--cluster", "prod", "--service", "web"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("does not show its newest service deployment");
  });
});
