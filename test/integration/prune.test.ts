import { beforeEach, describe, expect, it } from "vitest";
import type { Outcome } from "../../src/core/tags.js";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations } from "../helpers/emulator.js";
import { activeRevisions, readRevision, registerRevisions } from "../helpers/revisions.js";
import { createCluster, createService } from "../helpers/seed.js";

const handle = useEmulator();

const OUTCOMES: Record<number, Outcome> = { 5: "stable", 12: "stable", 18: "stable", 25: "stable", 27: "failed", 28: "failed" };

/** 30 revisions of `api`; prod/api runs 26, staging/api-staging runs 15, 7 is tagged to keep. */
async function seedThirty(): Promise<void> {
  const clients = awsClients(handle.emulator);
  await createCluster(clients, "prod");
  await createCluster(clients, "staging");
  const arns = await registerRevisions(
    clients,
    Array.from({ length: 30 }, (_, i) => {
      const revision = i + 1;
      const outcome = OUTCOMES[revision];
      return { family: "api", sha: revision.toString(16).padStart(40, "0"), keep: revision === 7, ...(outcome ? { outcome } : {}) };
    }),
  );
  await createService(clients, { cluster: "prod", name: "api", taskDefinition: arns[25]!, desiredCount: 1 });
  await createService(clients, { cluster: "staging", name: "api-staging", taskDefinition: arns[14]!, desiredCount: 1 });
}

// Kept: 30, 29, 28 (the newest 3); 26 (in use by api) and 25 (its rollback target, also the newest
// known-good); 15 (in use in the staging cluster) and 12 (its rollback target); 7 (tagged to keep).
const KEPT = [30, 29, 28, 26, 25, 15, 12, 7];

describe("ecs-release prune", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("--keep 3 on 30 revisions keeps exactly what the rules say, revision by revision", async () => {
    await seedThirty();
    const clients = awsClients(handle.emulator);
    const before = (await handle.emulator.callLog()).length;

    const dry = await runCli(["prune", "--family", "api", "--keep", "3", "--dry-run", "--json"], handle.env());
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as { families: Array<{ kept: Array<{ revision: number; reasons: string[] }>; deregistered: Array<{ revision: number }> }> };
    expect(planned.families[0]?.kept.map((k) => k.revision)).toEqual(KEPT);
    expect(planned.families[0]?.kept.find((k) => k.revision === 12)?.reasons).toEqual(["rollback target of api:15"]);
    expect(planned.families[0]?.kept.find((k) => k.revision === 15)?.reasons).toEqual(["in use by api-staging (cluster staging)"]);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
    expect(await activeRevisions(clients, "api")).toHaveLength(30);

    const run = await runCli(["prune", "--cluster", "prod", "--service", "api", "--keep", "3"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/api:26: kept \(in use by api\)/);
    expect(run.stderr).toMatch(/api:7: kept \(tagged ecs-release:keep=true\)/);
    for (let revision = 1; revision <= 30; revision++) {
      const { status } = await readRevision(clients, `api:${revision}`);
      expect(`api:${revision} ${status}`).toBe(`api:${revision} ${KEPT.includes(revision) ? "ACTIVE" : "INACTIVE"}`);
    }
    const deregistered = writeOperations((await handle.emulator.callLog()).slice(before));
    expect(deregistered.every((c) => c.operation === "DeregisterTaskDefinition")).toBe(true);
    expect(deregistered).toHaveLength(30 - KEPT.length);

    const again = await runCli(["prune", "--family", "api", "--keep", "3"], handle.env());
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/api: nothing to prune \(8 ACTIVE revisions kept\)/);
  });

  it("refuses bad input with exit 2 before calling AWS", async () => {
    for (const args of [["prune"], ["prune", "--family", "api", "--keep", "0"], ["prune", "--service", "api"]]) {
      const run = await runCli(args, handle.env());
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.split("\n").filter((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z /.test(line)), run.stderr).toHaveLength(1);
    }
    expect(await handle.emulator.callLog()).toEqual([]);
  });
});
