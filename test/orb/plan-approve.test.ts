/**
 * The examples' plan → approve → release flow (issue 15 item 5), run through the orb harness on the
 * emulator: the plan job (release dry run writing the plan, its Markdown stored as an artifact, the
 * plan persisted to the workspace), the approval (a click: nothing runs), and the release job
 * (attaching the workspace, releasing only what was planned). Workspaces as CircleCI documents them:
 * https://circleci.com/docs/workspaces/ (kept 15 days by default). The jobs are the example's own
 * (steps, pre-steps, post-steps, plan_file), pointed at the emulator's seeded platform.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { expandJob, runJob, type JobRun, type Yaml } from "../helpers/orb-harness.js";
import { ACCOUNT_ID, awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { circleciToken, type CircleciTokenOptions } from "../helpers/jwt.js";
import { contextVariables, EXTERNAL_ID, expectCallsAllowedByRoles, roleArn, setUpCircleCiIam } from "../helpers/oidc-roles.js";
import { putParameters, SEED_EXECUTION_ROLE, SEED_SHAS, seedPlatform } from "../helpers/seed.js";
import { readOrb } from "./orb-files.js";

// Each test runs two jobs, each unpacking the embedded CLI: on a loaded machine that is slow.
vi.setConfig({ testTimeout: 180_000 });

const orb = readOrb();
const handle = useEmulator();
let clients: AwsClients;
let workspace: string;
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const SECRET = "MARKER-51ab-orb-plan-secret";
type Map = Record<string, Yaml>;

/** The example's jobs for `environment`, by name in the workflow: [orb job, arguments]. */
function exampleJobs(example: string): Record<string, Map> {
  const workflows = (orb.examples[example]?.usage["workflows"] ?? {}) as Record<string, { jobs: Yaml[] }>;
  const jobs: Record<string, Map> = {};
  for (const entry of Object.values(workflows).flatMap((w) => w.jobs)) {
    const [job, args] = Object.entries(entry as Map)[0] as [string, Map];
    jobs[typeof args["name"] === "string" ? args["name"] : job] = { job, ...args };
  }
  return jobs;
}

/** What the tests' IAM evaluation fills the policies with: the platform the jobs are pointed at. */
const VALUES = {
  Cluster: "prod",
  Family: "*",
  Repository: "platform",
  SsmPath: "platform/prod",
  TaskRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/none`,
  // The seeded families' execution role (the default secretsmanager mode's SecureStrings are read with it).
  ExecutionRoleArn: SEED_EXECUTION_ROLE,
  DeployRoleArn: roleArn("ecs-release-prod-deploy"),
};

/**
 * Runs a job of the example against the emulator's platform (cluster prod, service web, /platform/prod)
 * with the credentials the example gives it: its own auth step (configure_aws_oidc), the job's V2
 * OIDC token, and what its context holds (test/helpers/oidc-roles.ts) — no static keys. The emulator's
 * STS evaluates each role's trust policy; afterwards every call is checked against the policies of
 * the role whose session signed it.
 */
async function runExampleJob(args: Map, extra: Map = {}, token: CircleciTokenOptions = {}): Promise<JobRun> {
  const { job, name: _name, requires: _requires, context, "serial-group": _group, filters: _filters, ...rest } = args;
  const platform: Map = job === "ecs-release/rollback" ? { cluster: "prod", service: "web" } : { cluster: "prod", service: "web", ssm_path: "/platform/prod", repository: "platform" };
  const given: Map = { ...rest, ...platform, poll_interval: "10ms", ...extra };
  const expanded = expandJob(orb, String(job).replace(/^ecs-release\//, ""), given);
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...emulator } = handle.env();
  const env = { ...emulator, ...contextVariables(String(context)), CIRCLE_OIDC_TOKEN_V2: circleciToken(await handle.emulator.clock(), token) };
  const run = await runJob(expanded, { workspace, env, circle: { CIRCLE_SHA1: SEED_SHAS[1]! } });
  roots.push(join(run.home, ".."));
  expect(run.output, "a SecureString value in the job output").not.toContain(SECRET);
  expect(run.output, "the ExternalId in the job output").not.toContain(EXTERNAL_ID);
  await expectCallsAllowedByRoles(handle.emulator, VALUES);
  return run;
}

/** The roles whose sessions made calls since `start` (the order STS handed them out). */
async function rolesUsed(): Promise<string[]> {
  return [...new Set((await handle.emulator.sessions()).map((s) => s.roleArn))];
}

async function mark(): Promise<number> {
  return (await handle.emulator.callLog()).length;
}

async function writesSince(start: number): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(start)).map((e) => e.operation);
}

beforeEach(async () => {
  workspace = mkdtempSync(join(tmpdir(), "orb-workspace-"));
  roots.push(workspace);
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator);
  clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRET, secure: true } });
});

describe.each(["minimal", "deployment_pipeline"])("the %s example: plan, approve, release", (example) => {
  const jobs = exampleJobs(example);

  it("puts a plan job before every approval, and every release after an approval uses that plan", () => {
    const approvals = Object.entries(jobs).filter(([, args]) => args["type"] === "approval");
    expect(approvals.length).toBeGreaterThan(0);
    for (const [name, args] of approvals) {
      const planner = jobs[String((args["requires"] as string[])[0])];
      expect(planner?.["dry_run"], `${name} requires a plan job`).toBe(true);
      const released = Object.values(jobs).filter((job) => (job["requires"] as string[] | undefined)?.includes(name));
      for (const job of released) expect(job["plan_file"]).toBe(planner?.["plan_file"]);
    }
  });

  it("plan → approve → release: the approver's Markdown artifact shows the masked diff; the release matches the plan", async () => {
    const start = await mark();
    const plan = await runExampleJob(jobs["plan_prod"]!);
    expect(plan.code, plan.output).toBe(0);
    expect(await writesSince(start)).toEqual([]);
    expect(plan.output).toContain("dry run: web would go from");
    const artifact = plan.stored.find((path) => path.endsWith("plan.md"));
    expect(artifact).toBeDefined();
    const markdown = readFileSync(join(plan.workingDirectory, artifact!), "utf8");
    expect(markdown).toContain("# Release plan: web on prod");
    expect(markdown).toMatch(/PASSWORD/);
    expect(markdown).not.toContain(SECRET);

    expect(await rolesUsed(), "the plan job writes nothing and has only the read-only OIDC role").toEqual([roleArn("ecs-release-prod-oidc")]);

    const release = await runExampleJob(jobs["release_prod"]!);
    expect(release.code, release.output).toBe(0);
    expect(release.output).toContain("matches the approved plan");
    expect(await writesSince(start)).toContain("RegisterTaskDefinition");
    expect(await rolesUsed(), "the release job hops to the deploy role with the restricted context's ExternalId").toEqual([roleArn("ecs-release-prod-oidc"), roleArn("ecs-release-prod-deploy")]);
    const deploySessions = new Set((await handle.emulator.sessions()).filter((s) => s.roleArn === roleArn("ecs-release-prod-deploy")).map((s) => s.accessKeyId));
    const writes = writeOperations((await handle.emulator.callLog()).slice(start));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((call) => deploySessions.has(call.accessKeyId ?? "")), "every write signed by the deploy role").toBe(true);
  });

  it("the release job without a plan (the workspace expired): exit 2, nothing written; with allow_missing_plan it releases and says so", async () => {
    const start = await mark();
    const refused = await runExampleJob(jobs["release_prod"]!);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toMatch(/no plan at .*plan\.json .*nothing was written/);
    expect(await writesSince(start)).toEqual([]);
    const allowed = await runExampleJob(jobs["release_prod"]!, { allow_missing_plan: true });
    expect(allowed.code, allowed.output).toBe(0);
    expect(allowed.output).toMatch(/no plan at .* to compare with \(--allow-missing-plan\)/);
    expect(await writesSince(start)).toContain("UpdateService");
  });

  it("the plan job of a feature branch's pipeline is refused by the trust policy: nothing read", async () => {
    const start = await mark();
    const plan = await runExampleJob(jobs["plan_prod"]!, {}, { vcsRef: "refs/heads/feature/x" });
    expect(plan.code).not.toBe(0);
    expect(plan.output).toContain("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    expect((await handle.emulator.callLog()).slice(start).filter((call) => call.service !== "sts")).toEqual([]);
  });

  it("SSM changed between the plan and the release: the release job fails with exit 2 and writes nothing", async () => {
    expect((await runExampleJob(jobs["plan_prod"]!)).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: `${SECRET}-rotated`, secure: true } });
    const start = await mark();
    const release = await runExampleJob(jobs["release_prod"]!);
    expect(release.code, release.output).toBe(2);
    expect(release.output).toMatch(/PASSWORD changed since the plan/);
    expect(release.output).not.toContain(`${SECRET}-rotated`);
    expect(await writesSince(start)).toEqual([]);
  });

  it("the same change, accepted (accept_drift on the release job): released, the changes listed", async () => {
    expect((await runExampleJob(jobs["plan_prod"]!)).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: `${SECRET}-rotated`, secure: true } });
    const start = await mark();
    const release = await runExampleJob(jobs["release_prod"]!, { accept_drift: true });
    expect(release.code, release.output).toBe(0);
    expect(release.output).toMatch(/PASSWORD changed since the plan/);
    expect(await writesSince(start)).toContain("UpdateService");
  });
});

describe("the panic_rollback example's rollback job", () => {
  it("runs in the environment's restricted context with the deploy role (release and rollback policies): rolled back, every call allowed", async () => {
    const release = await runExampleJob(exampleJobs("minimal")["release_prod"]!, { allow_missing_plan: true });
    expect(release.code, release.output).toBe(0);
    const rollbackJob = exampleJobs("panic_rollback")["ecs-release/rollback"]!;
    // The pipeline parameters of a Trigger Pipeline with environment=prod, target=previous.
    const args = { ...rollbackJob, context: String(rollbackJob["context"]).replace("<< pipeline.parameters.environment >>", "prod") };
    const start = await mark();
    const rollback = await runExampleJob(args, { to: "previous" });
    expect(rollback.code, rollback.output).toBe(0);
    expect(await writesSince(start)).toContain("UpdateService");
    const deploy = roleArn("ecs-release-prod-deploy");
    const deploySessions = new Set((await handle.emulator.sessions()).filter((s) => s.roleArn === deploy).map((s) => s.accessKeyId));
    expect(writeOperations((await handle.emulator.callLog()).slice(start)).every((call) => deploySessions.has(call.accessKeyId ?? ""))).toBe(true);
  });
});
