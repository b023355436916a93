/**
 * history and status read ECS's service deployment record beside the revision tags (issue 17, item 3):
 * status, start and finish, the service revision and its resolved image digests, and where the two
 * disagree. ECS keeps 90 days (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/view-service-deployment.html):
 * older revisions keep their tags alone. Calls stay bounded by --limit.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { registerRevision, rollOut, sha } from "../helpers/revisions.js";
import { seedPlatform, type SeededPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
let seeded: SeededPlatform;
const DAY = 24 * 3_600_000;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  seeded = await seedPlatform(clients);
});

interface Row {
  revision: number;
  outcome: string;
  ecs?: { status: string; finishedAt: string | null; images: Array<{ container: string; digest: string | null }> } | null;
  ecsNote?: string;
  disagrees?: boolean;
}

async function history(args: string[]): Promise<{ rows: Row[]; stdout: string; stderr: string }> {
  const run = await runCli(["history", "--cluster", "prod", "--service", "web", ...args], handle.env());
  expect(run.code, run.stderr).toBe(0);
  return { rows: args.includes("--json") ? (JSON.parse(run.stdout).revisions as Row[]) : [], stdout: run.stdout, stderr: run.stderr };
}

describe("history --service: ECS's record beside the tags", () => {
  it("a stable release shows ECS's SUCCESSFUL deployment with its finish and the digest ECS resolved; no disagreement", async () => {
    const arn = await registerRevision(clients, { family: "web", sha: sha("a"), outcome: "stable" });
    await rollOut(clients, "prod", "web", arn);
    const { rows } = await history(["--json"]);
    expect(rows[0]).toMatchObject({ revision: 2, outcome: "stable", ecs: { status: "SUCCESSFUL" } });
    expect(rows[0]?.ecs?.finishedAt).toMatch(/^\d{4}-/);
    expect(rows[0]?.ecs?.images.find((i) => i.container === "app")?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(rows[0]?.disagrees).toBeUndefined();
    // web:1 was the service's creation: ECS recorded it too.
    expect(rows[1]).toMatchObject({ revision: 1, ecs: { status: "SUCCESSFUL" } });
  });

  it("says where they disagree: the tag says stable, ECS says ROLLBACK_SUCCESSFUL (table and --json)", async () => {
    const arn = await registerRevision(clients, { family: "web", sha: sha("b"), outcome: "stable" });
    await handle.emulator.addRule({ match: sha("b"), outcome: "fail", steps: 1 });
    expect(await rollOut(clients, "prod", "web", arn)).toBe(seeded.taskDefinitions.web);
    const { rows } = await history(["--json"]);
    expect(rows[0]).toMatchObject({ revision: 2, outcome: "stable", ecs: { status: "ROLLBACK_SUCCESSFUL" }, disagrees: true });
    expect(rows[0]?.ecsNote).toMatch(/^the tag says stable, ECS says ROLLBACK_SUCCESSFUL/);
    const { stdout } = await history([]);
    expect(stdout.split("\n")[0]).toMatch(/RUNNING IN +ECS +FINISHED +DIGESTS$/);
    expect(stdout).toMatch(/ web:2 .* stable .* ROLLBACK_SUCCESSFUL ! /);
    expect(stdout).toContain("! web:2: the tag says stable, ECS says ROLLBACK_SUCCESSFUL");
  });

  it("beyond 90 days the tags stand alone, and say so", async () => {
    await registerRevision(clients, { family: "web", sha: sha("c"), outcome: "stable", releasedAt: new Date(Date.now() - 120 * DAY).toISOString() });
    await registerRevision(clients, { family: "web", sha: sha("d"), outcome: "failed" });
    const { rows } = await history(["--json"]);
    expect(rows.map((r) => [r.revision, r.ecs?.status ?? null, r.ecsNote ?? null])).toEqual([
      [3, null, null],
      [2, null, "released more than 90 days ago: ECS keeps no record that old, the tags stand alone"],
      [1, "SUCCESSFUL", null],
    ]);
  });

  it("reads ECS's record in few calls: one ListServiceDeployments page (100 deployments; ECS lists in no documented order) and one DescribeServiceRevisions for --limit 2", async () => {
    for (const character of ["e", "f", "0"]) await rollOut(clients, "prod", "web", await registerRevision(clients, { family: "web", sha: sha(character), outcome: "stable" }));
    const before = (await handle.emulator.callLog()).length;
    const { rows } = await history(["--limit", "2", "--json"]);
    expect(rows.map((r) => r.ecs?.status)).toEqual(["SUCCESSFUL", "SUCCESSFUL"]);
    const calls = (await handle.emulator.callLog()).slice(before);
    expect(calls.filter((c) => c.operation === "ListServiceDeployments")).toHaveLength(1);
    expect(calls.filter((c) => c.operation === "DescribeServiceRevisions")).toHaveLength(1);
  });

  it("history --family without --service reads no ECS record and keeps its columns", async () => {
    const run = await runCli(["history", "--family", "web"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split("\n")[0]).toMatch(/RUNNING IN$/);
    expect((await handle.emulator.callLog()).some((c) => c.operation === "ListServiceDeployments")).toBe(false);
  });
});

describe("status: ECS's current service deployment beside the tags", () => {
  it("shows it, and the disagreement when the tag says stable but ECS rolled back", async () => {
    const arn = await registerRevision(clients, { family: "web", sha: sha("b"), outcome: "stable" });
    await handle.emulator.addRule({ match: sha("b"), outcome: "fail", steps: 1 });
    await rollOut(clients, "prod", "web", arn);
    const run = await runCli(["status", "--cluster", "prod", "--service", "web,worker"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/ECS: service deployment of web:2 ROLLBACK_SUCCESSFUL \(started .*, finished .*\); app@sha256:[0-9a-f]{12}, log-router@sha256:[0-9a-f]{12}/);
    expect(run.stdout).toContain("! web:2: the tag says stable, ECS says ROLLBACK_SUCCESSFUL");
    expect(run.stdout).toMatch(/ECS: service deployment of worker:1 SUCCESSFUL/);
    const calls = await handle.emulator.callLog();
    expect(calls.filter((c) => c.operation === "DescribeServiceDeployments").length).toBeLessThanOrEqual(1);
  });
});
