/**
 * The pre-flight check (release before it registers anything, its dry run, and `verify` alone): the
 * execution role exists and trusts ecs-tasks.amazonaws.com, the awslogs log groups exist (or the
 * driver creates them), the `secrets` references and the images exist. Every problem at once, exit 2,
 * nothing written; each check can be skipped. The emulator refuses to start a task without its log
 * group, as ECS does (test/integration/emulator-logs.test.ts), so what the check predicts is real.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../helpers/cli.js";
import { ACCOUNT_ID, REGION, useEmulator, writeOperations } from "../helpers/emulator.js";
import { createLogGroup, createRole, imageUri, putParameters, SEED_SHAS, seedEachTest } from "../helpers/seed.js";

const handle = useEmulator();
const clients = seedEachTest(handle);
const dir = mkdtempSync(join(tmpdir(), "ecs-release-preflight-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHA = SEED_SHAS[1];
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/worker-execution`;
const GROUP = "/ecs/worker";
const SECRET = "/shared/prod/STRIPE_KEY";
const SIDECAR = imageUri("platform", "9999999999999999999999999999999999999999");
let seeded = 0;

beforeEach(async () => {
  seeded = (await handle.emulator.callLog()).length;
});

/** A worker template with an execution role, awslogs, a `secrets` reference and, when asked, a sidecar. */
function template(options: { sidecar?: string } = {}): string {
  const file = join(dir, `worker-${Math.random().toString(36).slice(2)}.json`);
  const awslogs = { logDriver: "awslogs", options: { "awslogs-group": GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" } };
  const containers: object[] = [{ name: "app", image: imageUri("platform", SHA), essential: true, memory: 256, logConfiguration: awslogs, secrets: [{ name: "STRIPE_KEY", valueFrom: SECRET }] }];
  if (options.sidecar) containers.push({ name: "proxy", image: options.sidecar, essential: false, memory: 64 });
  writeFileSync(file, JSON.stringify({ family: "worker", executionRoleArn: ROLE, networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512", containerDefinitions: containers }));
  return file;
}

const ARGS = ["--cluster", "prod", "--service", "worker", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA, "--container", "app"];

async function cli(command: "release" | "verify", extra: string[]): Promise<CliRun> {
  return runCli([command, ...ARGS, ...(command === "release" ? ["--poll-interval", "1ms"] : []), ...extra], handle.env());
}

async function writes(): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(seeded)).map((entry) => entry.operation);
}

/** What a release needs, all there: the role trusting ECS tasks, the log group, the secret parameter. */
async function provideEverything(): Promise<void> {
  await createRole(clients, "worker-execution");
  await createLogGroup(clients, GROUP);
  await putParameters(clients, "/shared/prod", { STRIPE_KEY: { value: "sk_live_x", secure: true } });
  seeded = (await handle.emulator.callLog()).length;
}

describe("pre-flight", () => {
  it("release names every problem at once — missing role, log group, secret, image — exits 2 and writes nothing", async () => {
    const run = await cli("release", ["--template", template({ sidecar: SIDECAR })]);
    expect(run.code, run.stderr).toBe(2);
    const error = run.stderr.split("\n").find((line) => line.includes(" error: ")) ?? "";
    expect(error).toContain(`execution role ${ROLE} does not exist`);
    expect(error).toContain(`log group ${GROUP} does not exist`);
    expect(error).toContain(`SSM parameter ${SECRET} does not exist`);
    expect(error).toContain(`image ${SIDECAR} does not exist in ECR`);
    expect(error).toContain("--skip-check execution-role,log-groups,secrets,images");
    expect(await writes()).toEqual([]);
  });

  it("a release whose log group is missing exits 2 before any write; with the group it releases (positive control)", async () => {
    await createRole(clients, "worker-execution");
    await putParameters(clients, "/shared/prod", { STRIPE_KEY: { value: "sk_live_x", secure: true } });
    seeded = (await handle.emulator.callLog()).length;
    const file = template();
    const refused = await cli("release", ["--template", file]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/error: pre-flight: 1 problem .*worker: log group \/ecs\/worker does not exist/);
    expect(await writes()).toEqual([]);

    await createLogGroup(clients, GROUP);
    const released = await cli("release", ["--template", file]);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stderr).toContain("pre-flight: 1 execution role, 1 log group, 1 secret parameter, images checked");
    expect(await writes()).toContain("RegisterTaskDefinition");
  });

  it("an execution role that does not trust ecs-tasks.amazonaws.com exits 2 before any write", async () => {
    await createRole(clients, "worker-execution", "ec2.amazonaws.com");
    await createLogGroup(clients, GROUP);
    await putParameters(clients, "/shared/prod", { STRIPE_KEY: { value: "sk_live_x", secure: true } });
    seeded = (await handle.emulator.callLog()).length;
    const run = await cli("release", ["--template", template()]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`execution role ${ROLE} does not trust ecs-tasks.amazonaws.com`);
    expect(await writes()).toEqual([]);
  });

  it("--dry-run runs the checks too", async () => {
    const run = await cli("release", ["--template", template(), "--dry-run"]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`log group ${GROUP} does not exist`);
    expect(await writes()).toEqual([]);
  });

  it("verify alone reports the same problems (exit 2, in --json too) and writes nothing; passes once they are fixed", async () => {
    const file = template({ sidecar: SIDECAR });
    const run = await cli("verify", ["--template", file, "--json"]);
    expect(run.code, run.stderr).toBe(2);
    const document = JSON.parse(run.stdout) as { error: { exitCode: number }; result: { problems: Array<{ check: string; family: string }> } };
    expect(document.error.exitCode).toBe(2);
    expect(document.result.problems.map((p) => p.check).sort()).toEqual(["execution-role", "images", "log-groups", "secrets"]);
    expect(await writes()).toEqual([]);

    await provideEverything();
    const passed = await cli("verify", ["--template", template()]);
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stderr).toContain("verify: every check passed; nothing was written");
    expect(await writes()).toEqual([]);
  });

  it("--skip-check turns checks off (for a role that may not read IAM or CloudWatch Logs)", async () => {
    const run = await cli("verify", ["--template", template(), "--skip-check", "execution-role", "--skip-check", "log-groups,secrets"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("pre-flight: images checked (skipped: execution-role, log-groups, secrets)");
    const bad = await cli("verify", ["--template", template(), "--skip-check", "roles"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--skip-check "roles" is not valid: the checks are execution-role, log-groups, secrets, images \(or all\)/);
  });
});
