/**
 * The re-run path that always works (issue 15, item 6): the orb's `release_sha` example, a manually
 * triggered pipeline whose `release_sha` parameter names an older commit. Re-running the old pipeline
 * has limits CircleCI documents — workflows 90 days or older cannot be re-run
 * (https://circleci.com/docs/guides/orchestrate/workflows/#rerunning-workflows-fails), a re-run keeps
 * the orb version of its original pipeline
 * (https://support.circleci.com/hc/en-us/articles/25099134384795-Understanding-Orb-Versioning-Behavior-in-CircleCI),
 * "Rerun workflow from failed" repeats only the failed jobs, so an approval already given is not asked
 * again (https://circleci.com/docs/guides/orchestrate/automatic-reruns) — while a new pipeline has none
 * of them. Here the example's workflows are selected as CircleCI selects them for the parameter, and
 * its release job runs on the emulator: behind the same approval, in the same serial-group and context
 * as the normal release, releasing the older SHA as a new forward revision.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../src/core/tags.js";
import { awsClients, useEmulator } from "../helpers/emulator.js";
import { evaluateCondition, expandJob, loadOrb, runJob, type Orb, type Yaml } from "../helpers/orb-harness.js";
import { describeService, readRevision, sha } from "../helpers/revisions.js";
import { putImage, seedPlatform } from "../helpers/seed.js";
import { circleciToken } from "../helpers/jwt.js";
import { contextVariables, setUpCircleCiIam } from "../helpers/oidc-roles.js";
import { ORB_FILE, readOrb, withPipelineValues } from "./orb-files.js";

type Map = Record<string, Yaml>;
const handle = useEmulator();
let orb: Orb;
const example = readOrb().examples["release_sha"];

beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
});

beforeEach(async () => {
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator);
});

/** A job of the example's environment: no keys, its V2 OIDC token and what its context holds (the chained deploy role). */
function contextEnv(args: Map): Record<string, string> {
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...emulator } = handle.env();
  return { ...emulator, ...contextVariables(String(args["context"])), CIRCLE_OIDC_TOKEN_V2: circleciToken(Date.now()) };
}

/** The workflows CircleCI runs for these pipeline parameters, each as its jobs by name. */
function workflowsFor(parameters: Record<string, string>): Record<string, Record<string, { job: string; args: Map }>> {
  const usage = withPipelineValues(example?.usage as Map, parameters);
  const selected: Record<string, Record<string, { job: string; args: Map }>> = {};
  for (const [name, workflow] of Object.entries(usage["workflows"] as Record<string, Map>)) {
    if (workflow["when"] !== undefined && !evaluateCondition(workflow["when"])) continue;
    selected[name] = Object.fromEntries(
      (workflow["jobs"] as Map[]).map((entry) => {
        const [job, args] = Object.entries(entry)[0] as [string, Map];
        return [String(args["name"] ?? job), { job, args }];
      }),
    );
  }
  return selected;
}

describe("release_sha: a manually triggered pipeline releases an older SHA", () => {
  it("exists, and says why re-running the old pipeline is not enough", () => {
    expect(example).toBeDefined();
    expect(example?.description).toMatch(/90 days/);
    expect(example?.description).toMatch(/orb version of its original pipeline/);
    expect(example?.description).toMatch(/Rerun workflow from failed does not ask for approval again/);
  });

  it("without the parameter only the normal pipeline runs; with it only the release of that SHA, behind the same plan, approval, serial-group and context", () => {
    const normal = workflowsFor({});
    expect(Object.keys(normal)).toEqual(["deploy"]);
    const old = sha("a");
    const manual = workflowsFor({ release_sha: old });
    expect(Object.keys(manual)).toEqual(["release_sha"]);
    const jobs = manual["release_sha"] ?? {};
    expect(Object.keys(jobs)).toEqual(["plan_prod", "approve_prod", "release_prod"]);
    // The approver reads the plan of that SHA, as in the normal pipeline.
    expect(jobs["plan_prod"]?.args["dry_run"]).toBe(true);
    expect(jobs["plan_prod"]?.args["sha"]).toBe(old);
    expect(jobs["approve_prod"]?.args["type"]).toBe("approval");
    expect(jobs["approve_prod"]?.args["requires"]).toEqual(["plan_prod"]);
    const release = jobs["release_prod"];
    const usual = normal["deploy"]?.["release_prod"];
    expect(release?.job).toBe("ecs-release/release");
    expect(release?.args["requires"]).toEqual(["approve_prod"]);
    expect(release?.args["sha"]).toBe(old);
    for (const key of ["context", "serial-group", "cluster", "service", "ssm_path", "repository"]) expect(release?.args[key], key).toEqual(usual?.args[key]);
  });

  it("its release job, run on the emulator with today's orb, registers a new forward revision with the older commit's image", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const [older, newer] = [sha("a"), sha("b")];
    for (const commit of [older, newer]) await putImage(clients, "platform", commit);
    // Only the release jobs run here, not their plan jobs: allow_missing_plan (the plan check has its own tests, plan-approve).
    const emulator = { poll_interval: "10ms", timeout: "1m", ssm_path: "/platform/prod", repository: "platform", service: "web", allow_missing_plan: true };

    // The normal pipeline released the newer commit.
    const normal = workflowsFor({})["deploy"]?.["release_prod"]?.args as Map;
    const first = await runJob(expandJob(orb, "release", { ...normal, ...emulator } as never), { env: contextEnv(normal), circle: { CIRCLE_SHA1: newer } });
    expect(first.code, first.output).toBe(0);
    expect((await readRevision(clients, (await describeService(clients, "prod", "web")).taskDefinition as string)).tags[TAG.sha]).toBe(newer);

    // The manual pipeline runs on main's head (CIRCLE_SHA1 = the newer commit) and releases the older one.
    const manual = workflowsFor({ release_sha: older })["release_sha"]?.["release_prod"]?.args as Map;
    const run = await runJob(expandJob(orb, "release", { ...manual, ...emulator } as never), { env: contextEnv(manual), circle: { CIRCLE_SHA1: newer } });
    expect(run.code, run.output).toBe(0);
    const now = (await describeService(clients, "prod", "web")).taskDefinition as string;
    expect(now).toMatch(/web:3$/);
    const revision = await readRevision(clients, now);
    expect(revision.tags[TAG.sha]).toBe(older);
    expect(revision.tags[TAG.outcome]).toBe("stable");
  });
});
