/**
 * Prune and rollback in a region whose clusters have more than one page of services: ListServices
 * answers at most 100 a page and DescribeServices takes at most 10 services (the emulator enforces
 * both as ECS documents them: test/emulator/api-limits.ts). A revision run only by a service past
 * the first page must still count as in use: stopping after the first page, or describing more than
 * 10 services at once, would deregister a revision a service runs.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { FILLER_SERVICES, seedManyServices } from "../helpers/many-services.js";
import { readRevision, registerRevisions, rollOut, sha } from "../helpers/revisions.js";
import { putImage, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];

beforeEach(async () => {
  await handle.emulator.reset();
});

describe(`a cluster of ${FILLER_SERVICES + 1} services (two pages of ListServices)`, () => {
  it("prune keeps the revision only a service on the second page runs", async () => {
    const clients = awsClients(handle.emulator);
    const arns = await registerRevisions(clients, [1, 2, 3, 4, 5].map((n) => ({ family: "api", sha: sha(String(n)) })));
    await seedManyServices(clients, "big", { api: arns[1]! }); // api:2

    const run = await runCli(["prune", "--family", "api", "--keep", "1", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { families: Array<{ kept: Array<{ revision: number; reasons: string[] }>; deregistered: Array<{ revision: number }> }> };
    expect(result.families[0]?.kept).toEqual(expect.arrayContaining([expect.objectContaining({ revision: 2, reasons: [expect.stringMatching(/in use by api \(cluster big\)/)] })]));
    // api:5 is the newest (--keep 1), api:1 the rollback target of api:2: only 3 and 4 go.
    expect(result.families[0]?.deregistered.map((r) => r.revision).sort()).toEqual([3, 4]);
    expect((await readRevision(clients, "api:2")).status).toBe("ACTIVE");
    const log = await handle.emulator.callLog();
    expect(log.filter((c) => c.operation === "ListServices" && JSON.stringify(c.request).includes("big")).length).toBeGreaterThanOrEqual(2);
  });

  it("rollback spares the revision it rolls back from when a service on another cluster's second page runs it", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const [A, B] = [sha("a"), sha("b")];
    for (const commit of [A, B]) await putImage(clients, "platform", commit);
    const arns = await registerRevisions(clients, [
      { family: "web", sha: A, outcome: "stable", pushImage: true },
      { family: "web", sha: B, outcome: "stable", pushImage: true },
    ]);
    await rollOut(clients, "prod", "web", arns[1]!); // web:3
    await seedManyServices(clients, "big", { "web-copy": arns[1]! });

    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { targets: Array<{ revision: string }>; deregistered: Array<{ revision: string }>; spared: Array<{ revision: string; reason: string }> };
    expect(result.targets.map((t) => t.revision)).toEqual(["web:2"]);
    expect(result.deregistered).toEqual([]);
    expect(result.spared).toEqual([expect.objectContaining({ revision: "web:3", reason: "still used by web-copy (cluster big)" })]);
    expect((await readRevision(clients, "web:3")).status).toBe("ACTIVE");
  });

  it("status describes 12 services (two DescribeServices calls of at most 10)", async () => {
    const clients = awsClients(handle.emulator);
    const [api] = await registerRevisions(clients, [{ family: "api", sha: sha("1") }]);
    await seedManyServices(clients, "big", { api: api! });
    const names = [...Array.from({ length: 11 }, (_, i) => `filler-${String(i).padStart(3, "0")}`), "api"];
    const run = await runCli(["status", "--cluster", "big", ...names.flatMap((name) => ["--service", name]), "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { services: Array<{ service: string }> };
    expect(result.services.map((s) => s.service).sort()).toEqual([...names].sort());
    const describes = (await handle.emulator.callLog()).filter((c) => c.operation === "DescribeServices" && c.status === 200);
    expect(describes.map((c) => (c.request as { services: string[] }).services.length).sort((a, b) => a - b)).toEqual([2, 10]);
  });
});
