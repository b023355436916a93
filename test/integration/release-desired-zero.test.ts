/**
 * A service scaled to 0: ECS completes a deployment at once, and no task of the revision ever runs.
 * release records it as never-ran (not stable), says so, and rollback never takes it as known-good.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { readRevision, sha } from "../helpers/revisions.js";
import { createService, putImage, SEED_NETWORK, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];

describe("a rollout with no task of the new revision", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("desired 0: recorded never-ran, not stable, said in the release line, and never a rollback target", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    await createService(clients, { cluster: "prod", name: "idle", taskDefinition: "web:1", desiredCount: 0, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
    for (const commit of [sha("a"), sha("b")]) {
      await putImage(clients, "platform", commit);
      const run = await runCli(["release", "--cluster", "prod", "--service", "idle", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", commit, "--json", ...FAST], handle.env());
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { revisions: Array<{ outcome: string }> }).revisions.map((r) => r.outcome)).toEqual(["never-ran"]);
      expect(run.stderr).toMatch(/no task of web:\d ran \(desired count 0\): recorded as ecs-release:outcome=never-ran, not stable/);
      expect(run.stderr).not.toMatch(/service stable in/);
    }
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("never-ran");

    // web:2 never ran: rollback from web:3 passes it over, to the seeded web:1 (no record: a fallback, with a note).
    const rollback = await runCli(["rollback", "--cluster", "prod", "--service", "idle", "--dry-run", "--json", ...FAST], handle.env());
    expect(rollback.code, rollback.stderr).toBe(0);
    const target = (JSON.parse(rollback.stdout) as { targets: Array<{ revision: string; note: string | null }> }).targets[0];
    expect(target?.revision).toBe("web:1");
    expect(target?.note).toMatch(/falling back/);

    // Positive control: the same releases to a service with a task are stable.
    await putImage(clients, "platform", sha("c"));
    const running = await runCli(["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", sha("c"), "--json", ...FAST], handle.env());
    expect(running.code, running.stderr).toBe(0);
    expect((JSON.parse(running.stdout) as { revisions: Array<{ outcome: string }> }).revisions.map((r) => r.outcome)).toEqual(["stable"]);
  });
});
