/**
 * Races (issue 7): two releases for one service. The later UpdateService supersedes the earlier
 * deployment; the run whose deployment was superseded must exit 1 saying so (never 0, never
 * "rolled back"), and whatever a run reports as released must be what the service runs at the end.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../helpers/emulator.js";
import { pinnedImageUri, SEED_SHAS, seedEachTest } from "../helpers/seed.js";
import { startCli, type CliRun } from "../helpers/cli.js";
import { waitUntil } from "../helpers/wait-until.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const [, SHA_B, SHA_C] = SEED_SHAS;
const releaseArgs = (sha: string, ...extra: string[]): string[] => [
  "release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha, "--poll-interval", "20ms", "--json", ...extra,
];

async function webService() {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
  return out.services![0]!;
}

async function outcomeTag(revision: string): Promise<string | undefined> {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ["TAGS"] }));
  return (out.tags ?? []).find((t) => t.key === "ecs-release:outcome")?.value;
}

async function imageOf(arn: string): Promise<string | undefined> {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return out.taskDefinition?.containerDefinitions?.find((c) => c.name === "app")?.image;
}

/** The revision a run says it updated the service to (from its --json document). */
function releasedTo(run: CliRun): string {
  const document = JSON.parse(run.stdout) as { services?: Array<{ to: string | null }>; result?: { services?: Array<{ to: string | null }> } };
  return (document.services ?? document.result?.services)?.[0]?.to ?? "";
}

describe("two releases for one service", () => {
  it("a release over one still rolling out (--force): the first exits 1 as superseded, the second 0, the service on the second's revision", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 1000 });
    await handle.emulator.addRule({ match: SHA_C, outcome: "complete", steps: 3 });
    const first = startCli(releaseArgs(SHA_B), handle.env());
    await waitUntil(() => /waiting for 1 rollout/.test(first.stderr()), "the first release to wait", () => handle.emulator.callLog());
    const second = startCli(releaseArgs(SHA_C, "--force"), handle.env());
    const [one, two] = await Promise.all([first.ended, second.ended]);

    expect(two.code, two.stderr).toBe(0);
    expect(one.code, one.stderr).toBe(1);
    expect(one.stderr).toMatch(/web: superseded by deployment ecs-svc\/\d+ on revision web:3/);
    expect(one.stderr).not.toMatch(/rolled back|stable on web:2|released web:2/);
    const service = await webService();
    expect(service.taskDefinition).toMatch(/web:3$/);
    expect(service.deployments).toHaveLength(1);
    expect(await imageOf(service.taskDefinition!)).toBe(await pinnedImageUri(clients, "platform", SHA_C));
    // The superseded revision is not recorded as failed (it never got a chance) nor as stable.
    expect(await outcomeTag("web:2")).toBeUndefined();
    expect(await outcomeTag("web:3")).toBe("stable");
    expect(JSON.parse(one.stdout)).toMatchObject({ error: { exitCode: 1 }, result: { services: [{ service: "web", outcome: "superseded", fallenBackTo: expect.stringMatching(/web:3$/) }] } });
  });

  it("two releases started together (both --force): one ends 0 on the revision the service runs, the other 1 as superseded", async () => {
    // Long enough rollouts that both updates land before either could complete.
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 40 });
    await handle.emulator.addRule({ match: SHA_C, outcome: "complete", steps: 40 });
    const runs = await Promise.all([startCli(releaseArgs(SHA_B, "--force"), handle.env()).ended, startCli(releaseArgs(SHA_C, "--force"), handle.env()).ended]);

    const service = await webService();
    expect(service.deployments, "one deployment left").toHaveLength(1);
    const winners = runs.filter((r) => r.code === 0);
    const losers = runs.filter((r) => r.code !== 0);
    expect(winners, runs.map((r) => r.stderr).join("\n----\n")).toHaveLength(1);
    expect(releasedTo(winners[0]!)).toBe(service.taskDefinition);
    expect(losers[0]!.code, losers[0]!.stderr).toBe(1);
    expect(losers[0]!.stderr).toMatch(new RegExp(`superseded by deployment ecs-svc/\\d+ on revision ${service.taskDefinition!.split("/")[1]}`));
    expect(releasedTo(losers[0]!)).not.toBe(service.taskDefinition);
  });

  it("two releases started together without --force: neither reports success for a revision that is not running", async () => {
    await handle.emulator.addRule({ match: SHA_B, outcome: "complete", steps: 20 });
    await handle.emulator.addRule({ match: SHA_C, outcome: "complete", steps: 20 });
    const runs = await Promise.all([startCli(releaseArgs(SHA_B), handle.env()).ended, startCli(releaseArgs(SHA_C), handle.env()).ended]);
    const service = await webService();
    const detail = runs.map((r) => r.stderr).join("\n----\n");
    // Either both updated (one superseded: 1), or the second to look saw the first rolling out (2).
    for (const run of runs) expect([0, 1, 2], detail).toContain(run.code);
    const winners = runs.filter((r) => r.code === 0);
    expect(winners, detail).toHaveLength(1);
    expect(releasedTo(winners[0]!)).toBe(service.taskDefinition);
    expect(service.deployments).toHaveLength(1);
  });
});
