/**
 * "You can only describe INACTIVE task definitions while an active task or service references them"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html). The
 * emulator models it by default (ConsistencySettings.inactiveNeedsReference; off is moto's way).
 * ListTaskDefinitions (status INACTIVE) still names such revisions and ListTagsForResource still reads
 * their tags (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTagsForResource.html),
 * so history shows them with their release record, and rollback --to says one is INACTIVE (and which
 * commit to release again) rather than that it does not exist.
 */
import { DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { registerRevisions, sha } from "../helpers/revisions.js";
import { seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];

/** web:1 (the seed, run by service web), web:2 (A, stable) and web:3 (B, stable); web:2 deregistered. */
async function seedWithDeregistered(clients: AwsClients): Promise<void> {
  await seedPlatform(clients);
  await registerRevisions(clients, [
    { family: "web", sha: sha("a"), outcome: "stable", releasedBy: "ann" },
    { family: "web", sha: sha("b"), outcome: "stable", releasedBy: "bob" },
  ]);
  await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
}

/** history --json rows as [revision, status, sha's first character, releasedBy, outcome, live]. */
function historyRows(stdout: string): unknown[][] {
  const rows = (JSON.parse(stdout) as { revisions: Array<{ revision: number; status: string; sha: string | null; releasedBy: string | null; outcome: string; live: boolean }> }).revisions;
  return rows.map((r) => [r.revision, r.status, r.sha?.[0] ?? null, r.releasedBy, r.outcome, r.live]);
}

describe("INACTIVE revisions nothing runs are not described", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("the emulator: ClientException for one nothing references; a service's INACTIVE revision and ACTIVE ones are described", async () => {
    const clients = awsClients(handle.emulator);
    await seedWithDeregistered(clients);
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }))).rejects.toMatchObject({ name: "ClientException", message: "Unable to describe task definition." });
    // Positive controls: service web still runs the deregistered web:1; web:3 is ACTIVE.
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:1" }))).taskDefinition?.status).toBe("INACTIVE");
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:3" }))).taskDefinition?.status).toBe("ACTIVE");
    // With the rule off (moto's way), web:2 is described.
    await handle.emulator.setConsistency({ inactiveNeedsReference: false });
    expect((await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }))).taskDefinition?.status).toBe("INACTIVE");
  });

  it("history shows such a revision with its commit and outcome, read from its tags", async () => {
    const clients = awsClients(handle.emulator);
    await seedWithDeregistered(clients);
    // The premise: ECS will not describe web:2.
    await expect(clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }))).rejects.toMatchObject({ message: "Unable to describe task definition." });
    const run = await runCli(["history", "--family", "web", "--cluster", "prod", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(historyRows(run.stdout)).toEqual([
      [3, "ACTIVE", "b", "bob", "stable", false],
      [2, "INACTIVE", "a", "ann", "stable", false],
      [1, "ACTIVE", "1", null, "unknown", true],
    ]);
  });

  it("history still shows it by name and status when its tags cannot be read", async () => {
    const clients = awsClients(handle.emulator);
    await seedWithDeregistered(clients);
    await handle.emulator.addFault({ operation: "ListTagsForResource", error: "AccessDeniedException" });
    const run = await runCli(["history", "--family", "web", "--cluster", "prod", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(historyRows(run.stdout)).toEqual([
      [3, "ACTIVE", "b", "bob", "stable", false],
      [2, "INACTIVE", null, null, "unknown", false],
      [1, "ACTIVE", "1", null, "unknown", true],
    ]);
  });

  it("rollback --to such a revision exits 2 saying it is INACTIVE and which commit to release again, nothing written", async () => {
    const clients = awsClients(handle.emulator);
    await seedWithDeregistered(clients);
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", "web:2", ...FAST], handle.env());
    expect(run.code).toBe(2);
    const lines = run.stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line));
    expect(lines, run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(/web:2 is INACTIVE: ECS cannot start tasks from it \(release commit a{12} again instead: ecs-release release --sha a{40}\)/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  it("rollback --to a revision that never existed still says it does not exist", async () => {
    const clients = awsClients(handle.emulator);
    await seedWithDeregistered(clients);
    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", "web:9", ...FAST], handle.env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/web:9 does not exist/);
  });
});
