/**
 * Saved plans (issue 15 item 5): `release --dry-run --plan-file` before the approval, `release
 * --plan-file` after it. Terraform's saved plans are the model
 * (https://developer.hashicorp.com/terraform/cli/commands/plan#out-filename): the release after the
 * approval registers only what was planned; a change in between is exit 2 with nothing written, unless
 * --accept-drift. The built CLI against the emulator; "nothing written" is read from its call log.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { runCli, type CliRun } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { putParameters, registerTaskDefinition, SEED_SHAS, seedPlatform, webTaskDefinition } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRETS = ["MARKER-9d1f-plan-db-password", "MARKER-9d1f-rotated", "pw"];
const BASE = ["--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SEED_SHAS[1]!, "--poll-interval", "10ms"];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "ecs-release-plan-"));
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRETS[0]!, secure: true }, "short/PIN": { value: SECRETS[2]!, secure: true } });
});

async function release(args: string[]): Promise<CliRun> {
  const cli = await runCli(["release", ...BASE, ...args], handle.env());
  for (const secret of SECRETS) expect(cli.output, `output contains the secret ${secret}`).not.toContain(secret);
  return cli;
}

async function writesSince(mark: number): Promise<string[]> {
  return writeOperations((await handle.emulator.callLog()).slice(mark)).map((e) => e.operation);
}

async function mark(): Promise<number> {
  return (await handle.emulator.callLog()).length;
}

describe("release --plan-file: plan, approve, release what was planned", () => {
  it("the dry run writes the plan (keyed digests, no values), its Markdown (masked diff) and a separate key; nothing written to AWS", async () => {
    const before = await mark();
    const plan = await release(["--dry-run", "--plan-file", join(dir, "prod", "plan.json")]);
    expect(plan.code, plan.output).toBe(0);
    expect(await writesSince(before)).toEqual([]);
    const json = readFileSync(join(dir, "prod", "plan.json"), "utf8");
    const markdown = readFileSync(join(dir, "prod", "plan.md"), "utf8");
    const key = readFileSync(join(dir, "prod", "plan.key"), "utf8");
    for (const secret of SECRETS) {
      expect(json).not.toContain(secret);
      expect(markdown).not.toContain(secret);
    }
    expect(markdown).toContain("# Release plan: web on prod");
    expect(markdown).toContain("```diff");
    expect(markdown).toMatch(/DATABASE_PASSWORD|PASSWORD/);
    expect(markdown).not.toContain(key);
    expect(json).not.toContain(key);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const saved = JSON.parse(json) as { image: string; families: Array<{ family: string; environment: Record<string, string> }> };
    expect(saved.image).toContain(SEED_SHAS[1]);
    expect(Object.keys(saved.families[0]!.environment).some((name) => name.endsWith("PASSWORD"))).toBe(true);
  });

  it("the release after the approval matches the plan and goes ahead", async () => {
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    const after = await release(["--plan-file", file]);
    expect(after.code, after.output).toBe(0);
    expect(after.stderr).toContain("matches the approved plan");
  });

  it("SSM changed between the plan and the release: exit 2 naming what changed (never the value), nothing written", async () => {
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRETS[1]!, secure: true }, "feature/NEW_FLAG": "on" });
    const before = await mark();
    const after = await release(["--plan-file", file]);
    expect(after.code, after.output).toBe(2);
    expect(await writesSince(before)).toEqual([]);
    expect(after.stderr).toMatch(/PASSWORD changed since the plan \(value not shown\)/);
    expect(after.stderr).toMatch(/NEW_FLAG added since the plan/);
    expect(after.stderr).toContain("nothing was written");
    expect(after.stderr).toContain("--accept-drift");
  });

  it("the same with --accept-drift: the changes are listed and the release goes ahead", async () => {
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRETS[1]!, secure: true } });
    const after = await release(["--plan-file", file, "--accept-drift"]);
    expect(after.code, after.output).toBe(0);
    expect(after.stderr).toMatch(/PASSWORD changed since the plan/);
    expect(after.stderr).toContain("--accept-drift");
    expect(await writesSince(0)).toContain("RegisterTaskDefinition");
  });

  it("a new revision of the family since the plan is drift; so is another revision running", async () => {
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    const newer = await registerTaskDefinition(clients, { ...webTaskDefinition(SEED_SHAS[0]!), cpu: "512" });
    let before = await mark();
    let after = await release(["--plan-file", file]);
    expect(after.code, after.output).toBe(2);
    expect(after.stderr).toContain("the task definition (template) changed since the plan");
    expect(await writesSince(before)).toEqual([]);

    // someone else's release (or a rollback) moved the service meanwhile
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "prod", service: "web", taskDefinition: newer }));
    // ECS is eventually consistent (the emulator answers the next DescribeServices with the service as
    // it was): the release that follows comes later, when the move is visible.
    await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    before = await mark();
    after = await release(["--plan-file", file, "--force"]); // (--force: that rollout is still in progress)
    expect(after.code, after.output).toBe(2);
    expect(after.stderr).toMatch(/service web: ran web:\d+ at plan time, runs web:\d+ now/);
    expect(await writesSince(before)).toEqual([]);
  });

  it("no plan to compare (a re-run after the workspace expired): exit 2 naming the missing plan and how to go on, nothing written", async () => {
    const before = await mark();
    const after = await release(["--plan-file", join(dir, "missing", "plan.json")]);
    expect(after.code, after.output).toBe(2);
    expect(after.stderr).toMatch(/no plan at .*missing\/plan\.json .*nothing was written.*re-run the workflow from the start.*--allow-missing-plan/i);
    expect(await writesSince(before)).toEqual([]);
  });

  it("with --allow-missing-plan the release without a plan goes ahead and says so", async () => {
    const before = await mark();
    const after = await release(["--plan-file", join(dir, "missing", "plan.json"), "--allow-missing-plan"]);
    expect(after.code, after.output).toBe(0);
    expect(after.stderr).toMatch(/no plan at .* to compare with .*--allow-missing-plan/);
    expect(await writesSince(before)).toContain("UpdateService");
  });

  it("a plan of another pipeline (an old workspace) is refused like a missing one; the same pipeline's plan is used", async () => {
    const file = join(dir, "plan.json");
    const plan = await runCli(["release", ...BASE, "--dry-run", "--plan-file", file], { ...handle.env(), CIRCLE_PIPELINE_ID: "pipeline-old" });
    expect(plan.code, plan.output).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pipelineId: "pipeline-old" });
    const before = await mark();
    const other = await runCli(["release", ...BASE, "--plan-file", file], { ...handle.env(), CIRCLE_PIPELINE_ID: "pipeline-new" });
    expect(other.code, other.output).toBe(2);
    expect(other.stderr).toContain("belongs to pipeline pipeline-old, not to this pipeline (pipeline-new)");
    expect(await writesSince(before)).toEqual([]);
    const same = await runCli(["release", ...BASE, "--plan-file", file], { ...handle.env(), CIRCLE_PIPELINE_ID: "pipeline-old" });
    expect(same.code, same.output).toBe(0);
    expect(same.stderr).toContain("matches the approved plan");
  });

  it("bad input is exit 2 with nothing written: --accept-drift without --plan-file; a plan file that is not one", async () => {
    const before = await mark();
    const lone = await release(["--accept-drift"]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain("--accept-drift needs --plan-file");
    const garbage = join(dir, "garbage.json");
    (await import("node:fs")).writeFileSync(garbage, "{}");
    const bad = await release(["--plan-file", garbage]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an ecs-release plan");
    expect(await writesSince(before)).toEqual([]);
    expect(existsSync(join(dir, "garbage.md"))).toBe(false);
  });
});
