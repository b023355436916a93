/**
 * Saved plans (issue 15 item 5): `release --dry-run --plan-file` before the approval, `release
 * --plan-file` after it. Terraform's saved plans are the model
 * (https://developer.hashicorp.com/terraform/cli/commands/plan#out-filename): the release after the
 * approval registers only what was planned; a change in between is exit 2 with nothing written, unless
 * --accept-drift. The built CLI against the emulator; "nothing written" is read from its call log.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PutImageCommand } from "@aws-sdk/client-ecr";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { runCli, type CliRun } from "../helpers/cli.js";
import { awsClients, REGION, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { imageManifest, putParameters, registerTaskDefinition, SEED_SHAS, seedPlatform, webTaskDefinition } from "../helpers/seed.js";

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
    const saved = JSON.parse(json) as { image: string; imageTag: string; families: Array<{ family: string; environment: Record<string, string> }> };
    expect(saved.imageTag).toContain(SEED_SHAS[1]);
    expect(saved.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(Object.keys(saved.families[0]!.environment).some((name) => name.endsWith("PASSWORD"))).toBe(true);
  });

  // The tag is what the approver read; the digest is what ran. In a mutable repository anyone with
  // ecr:PutImage can move the tag (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
  it("a tag moved to other bytes after the plan: exit 2 naming both digests, nothing written, even with --accept-drift", async () => {
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file])).code).toBe(0);
    const planned = (JSON.parse(readFileSync(file, "utf8")) as { image: string }).image;
    expect(planned).toMatch(/\/platform@sha256:[0-9a-f]{64}$/);
    const { image } = await clients.ecr.send(
      new PutImageCommand({ repositoryName: "platform", imageTag: SEED_SHAS[1], imageManifest: imageManifest("other bytes"), imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json" }),
    );
    const moved = image?.imageId?.imageDigest ?? "";
    expect(moved).not.toBe(planned.split("@")[1]);
    for (const extra of [[], ["--accept-drift"]]) {
      const before = await mark();
      const after = await release(["--plan-file", file, ...extra]);
      expect(after.code, after.output).toBe(2);
      expect(after.stderr).toContain(`the image tag`);
      expect(after.stderr).toContain(`${planned.split("@")[1]} (approved), it is ${moved} now`);
      expect(await writesSince(before)).toEqual([]);
    }
  });

  it("the revision runs the image by digest (the tag kept in its ecs-release:image tag, for people)", async () => {
    const run = await release(["--json"]);
    expect(run.code, run.output).toBe(0);
    const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }));
    const { taskDefinition, tags } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: services?.[0]?.taskDefinition, include: ["TAGS"] }));
    const app = taskDefinition?.containerDefinitions?.find((c) => c.name === "app");
    expect(app?.image).toMatch(/\.amazonaws\.com\/platform@sha256:[0-9a-f]{64}$/);
    expect(tags?.find((t) => t.key === "ecs-release:image")?.value).toMatch(new RegExp(`/platform:${SEED_SHAS[1]}$`));
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

/**
 * A plan nobody can forge: the dry run has KMS compute an HMAC of the plan (GenerateMac) and the
 * release has KMS verify it (VerifyMac) with --plan-key, a key neither job can read
 * (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html). Whoever holds the workspace has
 * the plan and its `.key`, so can change a value and re-digest it — but cannot make the MAC.
 */
describe("release --plan-file --plan-key: the plan's KMS MAC", () => {
  async function hmacKey(): Promise<string> {
    const kms = new KMSClient({ region: REGION, endpoint: handle.emulator.url, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    return KeyMetadata?.Arn ?? "";
  }

  /** Someone with the workspace: after SSM changed, re-plans without the key and puts that plan (and its digest key) in place of the approved one, keeping its MAC. */
  function forge(file: string, forged: string): void {
    const approved = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const replanned = JSON.parse(readFileSync(forged, "utf8")) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...replanned, createdAt: approved["createdAt"], mac: approved["mac"] }, null, 2));
    copyFileSync(forged.replace(/\.json$/, ".key"), file.replace(/\.json$/, ".key"));
  }

  it("signed by the dry run, verified by the release: goes ahead", async () => {
    const key = await hmacKey();
    const file = join(dir, "plan.json");
    const plan = await release(["--dry-run", "--plan-file", file, "--plan-key", key]);
    expect(plan.code, plan.output).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).mac).toMatchObject({ keyArn: key, algorithm: "HMAC_SHA_256", value: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) });
    const after = await release(["--plan-file", file, "--plan-key", key]);
    expect(after.code, after.output).toBe(0);
    expect(after.stderr).toContain("the plan's KMS MAC verifies");
    expect(after.stderr).toContain("matches the approved plan");
  });

  it("a plan changed and re-digested by someone holding the workspace is refused: exit 2, nothing written", async () => {
    const key = await hmacKey();
    const file = join(dir, "plan.json");
    expect((await release(["--dry-run", "--plan-file", file, "--plan-key", key])).code).toBe(0);
    await putParameters(clients, "/platform/prod", { "database/PASSWORD": { value: SECRETS[1]!, secure: true } });
    const forged = join(dir, "forged.json");
    expect((await release(["--dry-run", "--plan-file", forged])).code).toBe(0);
    forge(file, forged);
    // Positive control: the forged plan itself matches what the release would do now (the digests were redone).
    const unsigned = join(dir, "unsigned.json");
    const { mac: _mac, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(unsigned, JSON.stringify(rest));
    copyFileSync(file.replace(/\.json$/, ".key"), unsigned.replace(/\.json$/, ".key"));
    const before = await mark();
    const refused = await release(["--plan-file", file, "--plan-key", key]);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toContain("was changed after the plan job signed it");
    expect(await writesSince(before)).toEqual([]);
    // Without its MAC the same plan is refused too (unsigned, while the release expects a signed one)…
    const stripped = await release(["--plan-file", unsigned, "--plan-key", key]);
    expect(stripped.code, stripped.output).toBe(2);
    expect(stripped.stderr).toContain("is not signed");
    expect(await writesSince(before)).toEqual([]);
    // …and only a release that does not check the MAC would take it (what the key protects against).
    const unchecked = await release(["--plan-file", unsigned]);
    expect(unchecked.code, unchecked.output).toBe(0);
    expect(unchecked.stderr).toContain("matches the approved plan");
  });

  it("with --plan-key a missing plan is refused too (deleting it must not skip the check); a dry run without a key warns the plan is unsigned", async () => {
    const key = await hmacKey();
    const before = await mark();
    const missing = await release(["--plan-file", join(dir, "none.json"), "--plan-key", key]);
    expect(missing.code, missing.output).toBe(2);
    expect(missing.stderr).toContain("no plan at");
    expect(missing.stderr).toContain("nothing was written");
    expect(await writesSince(before)).toEqual([]);
    const unsigned = await release(["--dry-run", "--plan-file", join(dir, "plan.json")]);
    expect(unsigned.code).toBe(0);
    expect(unsigned.stderr).toContain("the plan is not signed (no --plan-key)");
  });
});
