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
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { putParameters, SEED_SHAS, seedPlatform } from "../helpers/seed.js";
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

/** Runs a job of the example against the emulator's platform (cluster prod, service web, /platform/prod). */
async function runExampleJob(args: Map, extra: Map = {}): Promise<JobRun> {
  const { job, name: _name, requires: _requires, context: _context, "serial-group": _group, filters: _filters, ...rest } = args;
  const given: Map = {
    ...rest,
    cluster: "prod",
    service: "web",
    ssm_path: "/platform/prod",
    repository: "platform",
    poll_interval: "10ms",
    // The emulator takes static keys; the OIDC step is tested on its own (oidc-long-job, injection).
    auth: [{ run: { name: "Static keys from the context", command: "true" } }],
    ...extra,
  };
  const expanded = expandJob(orb, String(job).replace(/^ecs-release\//, ""), given);
  const run = await runJob(expanded, { workspace, env: handle.env(), circle: { CIRCLE_SHA1: SEED_SHAS[1]! } });
  roots.push(join(run.home, ".."));
  expect(run.output, "a SecureString value in the job output").not.toContain(SECRET);
  return run;
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

    const release = await runExampleJob(jobs["release_prod"]!);
    expect(release.code, release.output).toBe(0);
    expect(release.output).toContain("matches the approved plan");
    expect(await writesSince(start)).toContain("RegisterTaskDefinition");
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
