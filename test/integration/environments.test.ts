/**
 * Two environments in one account sharing the family `web`: cluster `prod` (SSM /platform/prod) and
 * cluster `staging` (SSM /platform/staging). Each release records its environment on the revision;
 * rollback (`previous` and `--to sha:`), the next release's template, `secrets` references, prune and
 * history each stay within the service's environment.
 */
import { DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { activeRevisions, describeService, readRevision, sha } from "../helpers/revisions.js";
import { createCluster, createRole, createService, putImage, putParameters, SEED_EXECUTION_ROLE, SEED_NETWORK, seedPlatform, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
const FAST = ["--poll-interval", "10ms", "--timeout", "1m"];
const A = sha("a");
const B = sha("b");
const C = sha("c");

/** Staging's own template: more memory, an execution role (it references its secrets). */
function stagingTemplate(): string {
  const dir = mkdtempSync(join(tmpdir(), "envs-"));
  const file = join(dir, "staging.json");
  writeFileSync(file, JSON.stringify({ ...webTaskDefinition(A), memory: "1024", executionRoleArn: "arn:aws:iam::123456789012:role/staging-exec" }));
  return file;
}

async function release(cluster: string, commit: string, extra: string[] = []): ReturnType<typeof runCli> {
  return runCli(["release", "--cluster", cluster, "--service", "web", "--ssm-path", `/platform/${cluster}`, "--repository", "platform", "--sha", commit, ...FAST, ...extra], handle.env());
}

/**
 * prod: A (web:2), B (web:3); staging: B (web:4, from its template, in `secrets` mode); prod: C (web:5).
 * Before environments were recorded, each of the commands below would have taken staging's web:4.
 */
async function releaseBothEnvironments(clients: AwsClients): Promise<void> {
  await seedPlatform(clients);
  await createCluster(clients, "staging");
  // The staging template's execution role exists (release's pre-flight reads it).
  await createRole(clients, "staging-exec");
  await createService(clients, { cluster: "staging", name: "web", taskDefinition: "web:1", desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
  await putParameters(clients, "/platform/staging", { LOG_LEVEL: "debug", "database/HOST": "db.staging", "database/PASSWORD": { value: "staging-pw", secure: true }, "database/REPLICA_PASSWORD": { value: "staging-replica-pw", secure: true } });
  for (const commit of [A, B, C]) await putImage(clients, "platform", commit);
  const template = stagingTemplate();
  const steps: Array<[string, string, string[]]> = [
    ["prod", A, []],
    ["prod", B, []],
    ["staging", B, ["--template", template, "--secure-strings", "secrets"]],
    ["prod", C, []],
  ];
  for (const [cluster, commit, extra] of steps) {
    const run = await release(cluster, commit, extra);
    expect(run.code, `release ${commit[0]} to ${cluster}: ${run.stderr}`).toBe(0);
  }
}

async function describeRevision(clients: AwsClients, name: string) {
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: name }));
  return out.taskDefinition!;
}

describe("environments sharing a family", () => {
  beforeEach(async () => {
    await handle.emulator.reset();
  });

  it("records each revision's environment; the next release renders from its own environment's revision, secrets included", async () => {
    const clients = awsClients(handle.emulator);
    await releaseBothEnvironments(clients);
    const staging = await readRevision(clients, "web:4");
    expect([staging.tags[TAG.environment], staging.tags[TAG.cluster], staging.tags[TAG.ssmPath]]).toEqual(["staging", "staging", "/platform/staging"]);
    const prod = await readRevision(clients, "web:5");
    expect([prod.tags[TAG.environment], prod.tags[TAG.cluster], prod.tags[TAG.ssmPath]]).toEqual(["prod", "prod", "/platform/prod"]);

    // Positive control: staging's revision has its memory and references its secrets.
    const stagingDefinition = await describeRevision(clients, "web:4");
    expect(stagingDefinition.memory).toBe("1024");
    expect(JSON.stringify(stagingDefinition.containerDefinitions?.[0]?.secrets ?? [])).toMatch(/\/platform\/staging\/database\/REPLICA_PASSWORD/);
    // prod's C was rendered from prod's web:3, not from the family's latest (staging's web:4).
    const prodDefinition = await describeRevision(clients, "web:5");
    expect(prodDefinition.memory).toBe("512");
    expect(prodDefinition.executionRoleArn).toBe(SEED_EXECUTION_ROLE); // prod's own, not staging-exec
    expect(JSON.stringify(prodDefinition.containerDefinitions ?? [])).not.toMatch(/platform\/staging/);
    expect(Object.values(prod.environment)).toContain("db.internal");
  });

  it("verify --environment checks the revision release --environment would render from (another environment's), writing nothing; a bad name is exit 2", async () => {
    const clients = awsClients(handle.emulator);
    await releaseBothEnvironments(clients);
    const verify = (extra: string[]) => runCli(["verify", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", C, "--json", ...extra], handle.env());
    const before = (await handle.emulator.callLog()).length;
    // Positive control: prod's own revision (web:5) has prod's execution role, not staging's.
    const own = await verify([]);
    expect(own.code, own.stderr).toBe(0);
    const ownRole = (JSON.parse(own.stdout) as { revisions: Array<{ executionRoleArn: string | null }> }).revisions[0]?.executionRoleArn;
    expect(ownRole).not.toBe("arn:aws:iam::123456789012:role/staging-exec");
    // Staging's newest revision (web:4, from its template) is the one release --environment staging renders from: its role is checked.
    const staging = await verify(["--environment", "staging"]);
    expect(staging.code, staging.stderr).toBe(0);
    expect((JSON.parse(staging.stdout) as { revisions: Array<{ executionRoleArn: string | null }> }).revisions[0]?.executionRoleArn).toBe("arn:aws:iam::123456789012:role/staging-exec");
    const bad = await verify(["--environment", "staging/eu"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--environment .*an environment is named with up to 128 letters/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
  });

  it("rollback previous and --to sha: stay in prod; a commit only staging runs is refused, nothing written", async () => {
    const clients = awsClients(handle.emulator);
    await releaseBothEnvironments(clients);

    const bySha = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", `sha:${B}`, "--dry-run", "--json", ...FAST], handle.env());
    expect(bySha.code, bySha.stderr).toBe(0);
    expect((JSON.parse(bySha.stdout) as { targets: Array<{ revision: string }> }).targets.map((t) => t.revision)).toEqual(["web:3"]);

    const run = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--json", ...FAST], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { targets: Array<{ revision: string }>; deregistered: Array<{ revision: string }> };
    expect(result.targets.map((t) => t.revision)).toEqual(["web:3"]);
    expect(result.deregistered.map((r) => r.revision)).toEqual(["web:5"]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:3$/);
    expect((await describeService(clients, "staging", "web")).taskDefinition).toMatch(/web:4$/);

    // Staging runs B as web:4; in prod, deregister web:3 by hand: only staging's revision runs B now.
    await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", "web:2", ...FAST], handle.env());
    await clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:3" }));
    const before = (await handle.emulator.callLog()).length;
    const refused = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", `sha:${B}`, ...FAST], handle.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no ACTIVE revision of web in this environment runs commit b{40}; only other environments' revisions run it: web:4 \(staging\)/);
    expect(writeOperations((await handle.emulator.callLog()).slice(before))).toEqual([]);
    // Named explicitly, another environment's revision is allowed, with a note.
    const named = await runCli(["rollback", "--cluster", "prod", "--service", "web", "--to", "web:4", "--dry-run", "--json", ...FAST], handle.env());
    expect(named.code, named.stderr).toBe(0);
    expect((JSON.parse(named.stdout) as { targets: Array<{ note: string | null }> }).targets[0]?.note).toMatch(/released to environment staging, not prod/);
  });

  it("prune keeps prod's rollback target although staging's revision is newer; history shows the service's environment", async () => {
    const clients = awsClients(handle.emulator);
    await releaseBothEnvironments(clients);

    const run = await runCli(["prune", "--family", "web", "--keep", "1", "--json"], handle.env());
    expect(run.code, run.stderr).toBe(0);
    const kept = (JSON.parse(run.stdout) as { families: Array<{ kept: Array<{ revision: number; reasons: string[] }> }> }).families[0]?.kept ?? [];
    expect(kept.find((k) => k.revision === 3)?.reasons).toEqual(["rollback target of web:5"]);
    expect(kept.find((k) => k.revision === 4)?.reasons).toEqual(["in use by web (cluster staging)", "newest known-good of environment staging (rollback target)"]);
    // web:1 records no environment: staging's rollback target (a fallback, it has no outcome); web:2 goes.
    expect(kept.find((k) => k.revision === 1)?.reasons).toEqual(["rollback target of web:4"]);
    expect(await activeRevisions(clients, "web")).toEqual([1, 3, 4, 5]);

    const history = await runCli(["history", "--cluster", "prod", "--service", "web", "--json"], handle.env());
    expect(history.code, history.stderr).toBe(0);
    const shown = JSON.parse(history.stdout) as { environment: string; revisions: Array<{ revision: number; environment: string | null }> };
    expect(shown.environment).toBe("prod");
    expect(shown.revisions.map((r) => r.revision)).not.toContain(4);
    expect(shown.revisions.map((r) => r.revision)).toContain(5);
    const all = await runCli(["history", "--cluster", "prod", "--service", "web", "--all-environments", "--json"], handle.env());
    expect((JSON.parse(all.stdout) as { revisions: Array<{ revision: number; environment: string | null }> }).revisions.find((r) => r.revision === 4)?.environment).toBe("staging");
  });
});
