import { DeregisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations } from "../helpers/emulator.js";
import { registerRevision, registerRevisions, sha } from "../helpers/revisions.js";
import { createService, seedPlatform } from "../helpers/seed.js";
import { mapConcurrently } from "../../src/core/map-concurrently.js";

const handle = useEmulator();

interface Row {
  revision: number;
  status: string;
  sha: string | null;
  releasedBy: string | null;
  outcome: string;
  services: string[];
  live: boolean;
}

describe("ecs-release history", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("lists revisions newest first with status, commit, who, outcome and the services running them", async () => {
    const clients = awsClients(handle.emulator);
    const platform = await seedPlatform(clients);
    // web:1 is the seed (untagged); then A stable, B stable, C failed, D stable.
    const [, , , d] = await registerRevisions(clients, [
      { family: "web", sha: sha("a"), outcome: "stable", releasedBy: "ann" },
      { family: "web", sha: sha("b"), outcome: "stable", releasedBy: "bob" },
      { family: "web", sha: sha("c"), outcome: "failed", releasedBy: "cy" },
      { family: "web", sha: sha("d"), outcome: "stable", releasedBy: "dee" },
    ]);
    await createService(clients, { cluster: platform.cluster, name: "web-canary", taskDefinition: d!, desiredCount: 1 });
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));

    const run = await runCli(["history", "--cluster", "prod", "--service", "web-canary", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { family: string; revisions: Row[] };
    expect(result.family).toBe("web");
    expect(result.revisions.map((r) => [r.revision, r.status, r.sha?.[0] ?? null, r.releasedBy, r.outcome, r.services, r.live])).toEqual([
      [5, "ACTIVE", "d", "dee", "stable", ["web-canary"], true],
      [4, "ACTIVE", "c", "cy", "failed", [], false],
      [3, "ACTIVE", "b", "bob", "stable", [], false],
      [2, "ACTIVE", "a", "ann", "stable", [], false],
      // The seed's image is tagged with its commit SHA; the service web still runs the deregistered revision.
      [1, "INACTIVE", "1", null, "unknown", ["web"], true],
    ]);

    const table = await runCli(["history", "--family", "web", "--cluster", "prod", "--limit", "2"], handle.env());
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ +REVISION +STATUS +SHA +RELEASED +BY +OUTCOME +ENVIRONMENT +RUNNING IN$/);
    expect(lines[1]).toMatch(/^\* +web:5 +ACTIVE +dddddddddddd +\d{4}-\d\d-\d\d \d\d:\d\dZ +dee +stable +- +web-canary$/);
    expect(lines[2]).toMatch(/^ +web:4 +ACTIVE +cccccccccccc +\S+ \S+ +cy +failed +- +-$/);
    // Columns line up: every row's STATUS starts where the header's does.
    const column = lines[0]!.indexOf("STATUS");
    for (const line of lines.slice(1)) expect(line.slice(column, column + 6)).toBe("ACTIVE");
  });

  // More than three full pages of ListTaskDefinitions (at most 100 ARNs a page:
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html): reading
  // them all would take 4+ List and 350 Describe calls. `npm run bench` measures 5,000 revisions.
  it("reads only what --limit needs on a family with 350 revisions (more than three pages)", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const arns = await mapConcurrently(
      Array.from({ length: 350 }, (_, i) => i),
      8,
      (i) => registerRevision(clients, { family: "big", sha: i.toString(16).padStart(40, "0"), outcome: i % 7 === 0 ? "failed" : "stable" }),
    );
    const before = (await handle.emulator.callLog()).length;

    const run = await runCli(["history", "--family", "big", "--limit", "20", "--json"], handle.env());
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { revisions: Row[] };
    // Concurrent registrations may race in moto and share a number: expect the newest 20 that exist.
    const newest = [...new Set(arns.map((arn) => Number(arn.slice(arn.lastIndexOf(":") + 1))))].sort((a, b) => b - a).slice(0, 20);
    expect(newest[0]).toBeGreaterThan(300);
    expect(result.revisions.map((r) => r.revision)).toEqual(newest);

    const calls = (await handle.emulator.callLog()).slice(before);
    const count = (operation: string): number => calls.filter((c) => c.operation === operation).length;
    expect(count("DescribeTaskDefinition")).toBe(20);
    expect(count("ListTaskDefinitions")).toBeLessThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(22);
    expect(writeOperations(calls)).toEqual([]);
  });

  it("refuses bad input with exit 2 and one line, before calling AWS", async () => {
    for (const args of [["history"], ["history", "--service", "web"], ["history", "--family", "web", "--limit", "0"]]) {
      const run = await runCli(args, handle.env());
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line)), run.stderr).toHaveLength(1);
    }
    expect(await handle.emulator.callLog()).toEqual([]);
  });

  it("exits 2 for an unknown service, one line, nothing written", async () => {
    await seedPlatform(awsClients(handle.emulator));
    const before = (await handle.emulator.callLog()).length;
    const run = await runCli(["history", "--cluster", "prod", "--service", "nope"], handle.env());
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line)), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(/service "nope" not found in cluster prod/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });
});
