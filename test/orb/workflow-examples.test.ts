/**
 * Every orb example as a workflow, from its config file as a user writes it, through the workflow
 * runner (test/helpers/workflow-runner.ts) on the emulator: OIDC authentication through the
 * emulator's STS, contexts with security groups, approvals by named users, workspaces and artifacts.
 * Each test reads the outcome back from AWS and from the artifacts the approver sees.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { describeService, readRevision } from "../helpers/revisions.js";
import { putParameters } from "../helpers/seed.js";
import { CircleCi } from "../helpers/workflow-runner.js";
import { readOrb } from "./orb-files.js";
import { builtCommit, createWorld, exampleConfig, ORGANIZATION, outputs, SECRET, statuses, type World } from "./workflow-world.js";

vi.setConfig({ testTimeout: 300_000 });

const handle = useEmulator();
let clients: AwsClients;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
});

/** Where each example of the orb runs as a workflow (a new example fails this until it has its test). */
const RUN_AS_WORKFLOW: Record<string, string> = {
  minimal: "workflow-examples.test.ts, workflow-reruns.test.ts",
  deployment_pipeline: "workflow-examples.test.ts",
  release_sha: "workflow-examples.test.ts",
  panic_rollback: "workflow-rollbacks.test.ts (panic)",
  rerun_old_release: "workflow-rollbacks.test.ts (normal, high priority)",
};

it("every example of the orb runs as a workflow in these tests", () => {
  expect(Object.keys(readOrb().examples).sort()).toEqual(Object.keys(RUN_AS_WORKFLOW).sort());
});

async function imageOf(cluster: string, service: string): Promise<string> {
  const { taskDefinition } = await describeService(clients, cluster, service);
  const revision = await readRevision(clients, taskDefinition as string);
  return revision.tags["ecs-release:sha"] ?? taskDefinition ?? "";
}

describe("minimal", () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld(handle, clients);
  });

  it("bob (outside prod-deployers) merges to main: test, build and the plan run, the approval waits; alice approves and the release runs", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const pipeline = await world.circleci.trigger(exampleConfig("minimal"), { user: "bob", branch: "main", sha });
    const workflow = pipeline.workflows[0]!;
    expect(statuses(workflow)).toEqual({ test: "success", build: "success", plan_prod: "success", approve_prod: "on_hold", release_prod: "blocked" });
    const plan = await world.circleci.artifact(workflow, "plan_prod", "release-plan-prod.md");
    expect(plan).toContain("# Release plan: web on prod");
    expect(plan).not.toContain(SECRET);

    await world.circleci.approve(workflow, "approve_prod", "alice");
    expect(statuses(workflow)["release_prod"], outputs(workflow)).toBe("success");
    expect(workflow.jobs.get("release_prod")?.run?.output).toContain("matches the approved plan");
    expect(CircleCi.status(workflow)).toBe("success");
    expect(outputs(workflow)).not.toContain(SECRET);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/prod-web:2$/);
    // Authenticated with the job's OIDC token through the emulator's STS: no static keys in the job.
    const calls = await handle.emulator.callLog();
    expect(calls.filter((call) => call.operation === "AssumeRoleWithWebIdentity").length).toBeGreaterThanOrEqual(3);
    // The release (after the approval, in the restricted context) chains to the deploy role with its ExternalId.
    expect(calls.some((call) => call.operation === "AssumeRole")).toBe(true);
  });

  // "This approval job may be approved by any member of the project, but the deploy job will fail as
  // unauthorized if the approver is not part of the restricted context security group"
  // (https://circleci.com/docs/contexts/#approve-jobs-that-use-restricted-contexts).
  it("bob clicks Approve into the restricted release: the click is taken, release_prod is UNAUTHORIZED, nothing released", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const workflow = (await world.circleci.trigger(exampleConfig("minimal"), { user: "bob", branch: "main", sha })).workflows[0]!;
    const before = (await handle.emulator.callLog()).length;
    await world.circleci.approve(workflow, "approve_prod", "bob");
    expect(statuses(workflow)).toMatchObject({ approve_prod: "success", release_prod: "unauthorized" });
    expect(CircleCi.status(workflow)).toBe("unauthorized");
    expect(workflow.jobs.get("release_prod")?.run).toBeUndefined();
    expect((await handle.emulator.callLog()).slice(before)).toEqual([]);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/prod-web:1$/);
  });

  it("control: with the plan job in the restricted context (the old layout), bob's merge stops UNAUTHORIZED before any approval", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const config = exampleConfig("minimal").replace("context: aws-prod-plan", "context: aws-prod");
    expect(config).not.toContain("aws-prod-plan");
    const workflow = (await world.circleci.trigger(config, { user: "bob", branch: "main", sha })).workflows[0]!;
    expect(statuses(workflow)).toMatchObject({ plan_prod: "unauthorized", approve_prod: "not_run", release_prod: "not_run" });
  });

  it("no static keys: a pipeline of another project gets no AWS credentials (the role's trust policy refuses its token)", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const stranger = new CircleCi({ ...world.circleci.options, organization: { ...ORGANIZATION, projectId: "00000000-0000-4000-8000-000000000000" } });
    const workflow = (await stranger.trigger(exampleConfig("minimal"), { user: "alice", branch: "main", sha })).workflows[0]!;
    expect(statuses(workflow)).toMatchObject({ test: "success", build: "failed", plan_prod: "not_run" });
    expect(workflow.jobs.get("build")?.run?.output).toMatch(/AccessDenied|not authorized/i);
    const calls = await handle.emulator.callLog();
    expect(calls.some((call) => call.operation === "AssumeRoleWithWebIdentity")).toBe(true);
  });

  it("a branch other than main: only the tests run", async () => {
    const sha = await world.repository.commit("on a branch");
    const workflow = (await world.circleci.trigger(exampleConfig("minimal"), { user: "bob", branch: "feature", sha })).workflows[0]!;
    expect(statuses(workflow)).toEqual({ test: "success" });
  });
});

describe("deployment_pipeline", () => {
  it("staging then prod, each planned and approved; prod's pre-deploy task runs first; both run the commit with their own SSM", async () => {
    const world = await createWorld(handle, clients, ["staging", "prod"]);
    const sha = await builtCommit(world, clients, "a change");
    const workflow = (await world.circleci.trigger(exampleConfig("deployment_pipeline"), { user: "bob", branch: "main", sha })).workflows[0]!;
    expect(statuses(workflow)).toMatchObject({ test: "success", build: "success", plan_staging: "success", approve_staging: "on_hold" });
    // Staging's context is not restricted: bob may approve it.
    await world.circleci.approve(workflow, "approve_staging", "bob");
    expect(statuses(workflow)).toMatchObject({ release_staging: "success", plan_prod: "success", approve_prod: "on_hold" });
    expect(await world.circleci.artifact(workflow, "plan_prod", "release-plan-prod.md")).toContain("# Release plan: web, worker on prod");
    await world.circleci.approve(workflow, "approve_prod", "carol");
    expect(statuses(workflow)["release_prod"], outputs(workflow)).toBe("success");
    expect(workflow.jobs.get("release_prod")?.run?.output).toMatch(/pre-deploy/i);
    expect(await imageOf("staging", "web")).toBe(sha);
    expect(await imageOf("prod", "worker")).toBe(sha);
    expect(outputs(workflow)).not.toContain(SECRET);
    expect(world.circleci.serialLog).toEqual({ "gh/acme/shop/release-staging": [`${workflow.pipeline.number}/deploy/release_staging`], "gh/acme/shop/release-prod": [`${workflow.pipeline.number}/deploy/release_prod`] });
  });
});

describe("release_sha", () => {
  it("Trigger Pipeline with release_sha: only that workflow runs; plan, approval, release of the old commit with today's SSM", async () => {
    const world = await createWorld(handle, clients);
    const bad = await builtCommit(world, clients, "a bad change");
    const deploy = (await world.circleci.trigger(exampleConfig("release_sha"), { user: "alice", branch: "main", sha: bad })).workflows[0]!;
    await world.circleci.approve(deploy, "approve_prod", "alice");
    expect(await imageOf("prod", "web")).toBe(bad);
    await putParameters(clients, "/myapp/prod", { LOG_LEVEL: "debug" });

    const pipeline = await world.circleci.trigger(exampleConfig("release_sha"), { user: "alice", branch: "main", sha: bad, parameters: { release_sha: world.first } });
    expect(pipeline.workflows.map((w) => w.name)).toEqual(["release_sha"]);
    const workflow = pipeline.workflows[0]!;
    expect(statuses(workflow)).toEqual({ plan_prod: "success", approve_prod: "on_hold", release_prod: "blocked" });
    await world.circleci.approve(workflow, "approve_prod", "carol");
    expect(statuses(workflow)["release_prod"], outputs(workflow)).toBe("success");
    const { taskDefinition } = await describeService(clients, "prod", "web");
    expect(taskDefinition).toMatch(/prod-web:3$/);
    const revision = await readRevision(clients, taskDefinition!);
    expect(revision.tags["ecs-release:sha"]).toBe(world.first);
    expect(revision.environment["LOG_LEVEL"]).toBe("debug");
  });
});
