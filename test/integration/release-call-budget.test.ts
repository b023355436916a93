/**
 * `release` makes the fewest API calls the work needs (issue 8; `npm run bench` measures the same
 * at scale): parameter pages, one image check, one DescribeServices per 10 services, one
 * DescribeTaskDefinition, RegisterTaskDefinition and outcome TagResource per family, one
 * UpdateService per service (all in flight at once), and the polls; in the default
 * `--secure-strings secretsmanager` mode, one PutSecretValue and the pre-flight's GetRole of the
 * execution role. The lookup of the environment
 * an older SHA first shipped with runs only when the image was pushed before the running revision
 * was released — a forward release of a new commit never pays for it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { minimumReleaseCalls } from "../../scripts/bench/release.js";
import { allOverlap, countByOperation } from "../../scripts/bench/calls.js";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { registerRevision, rollOut } from "../helpers/revisions.js";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { putImage, SEED_EXECUTION_ROLE, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
const NEW_SHA = "4444444444444444444444444444444444444444";
const RUNNING_SHA = "5555555555555555555555555555555555555555";
const HOUR = 3_600_000;

/**
 * Puts web and worker on revisions released by ecs-release (TAG.releasedAt = `releasedAt`), then
 * pushes NEW_SHA's image now; returns the call log length after seeding.
 */
async function seed(releasedAt: Date): Promise<number> {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  for (const service of ["web", "worker"]) {
    const arn = await registerRevision(clients, { family: service, sha: RUNNING_SHA, outcome: "stable", releasedAt: releasedAt.toISOString(), executionRoleArn: SEED_EXECUTION_ROLE });
    await rollOut(clients, "prod", service, arn);
  }
  // The environment was released before: its SecureStrings secret exists (the first release creates it, one call more).
  await clients.secretsManager.send(new CreateSecretCommand({ Name: "ecs-release/platform/prod", SecretString: "{}" }));
  await putImage(clients, "platform", NEW_SHA);
  await handle.emulator.addRule({ match: NEW_SHA, outcome: "complete", steps: 1 });
  // The minimum is measured where ECS answers consistently; each stale read after UpdateService (the
  // emulator's default, as ECS can) costs one more DescribeServices poll.
  await handle.emulator.setConsistency({ staleServiceReads: 0 });
  return (await handle.emulator.callLog()).length;
}

async function release(): Promise<void> {
  // The default --secure-strings secretsmanager: the seeded SecureString goes to the environment's secret.
  const cli = await runCli(
    ["release", "--cluster", "prod", "--service", "web,worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", NEW_SHA, "--poll-interval", "1ms"],
    handle.env(),
  );
  expect(cli.code, cli.stderr).toBe(0);
}

describe("release: API calls", () => {
  beforeEach(() => {
    clients = awsClients(handle.emulator);
  });

  it("a forward release (image pushed after the running revision was released) makes exactly the minimum, updates overlapping", async () => {
    const seeded = await seed(new Date(Date.now() - HOUR));
    await release();
    const log = (await handle.emulator.callLog()).slice(seeded);
    // 6 seeded parameters: one page; 2 services; 2 families (one execution role); rollouts complete on
    // the first poll; one SecureString: one secret version.
    expect(countByOperation(log)).toEqual(minimumReleaseCalls({ parameters: 6, services: 2, families: 2, steps: 1, executionRoles: 1, secretsSnapshot: true }));
    expect(allOverlap(log.filter((e) => e.operation === "UpdateService"))).toBe(true);
  });

  it("an image pushed before the running revision was released is a re-release: only then are earlier revisions scanned", async () => {
    const seeded = await seed(new Date(Date.now() + HOUR));
    await release();
    const counts = countByOperation((await handle.emulator.callLog()).slice(seeded));
    expect(counts["ListTaskDefinitions"]).toBe(2); // one per family, looking for NEW_SHA's first release
  });
});
