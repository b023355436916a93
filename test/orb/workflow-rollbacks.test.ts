/**
 * The runbook's three ways back (docs/runbook.md), each as a team does it in CircleCI, through the
 * workflow runner on the emulator with the orb's examples as config: normal (a revert commit, a new
 * pipeline, the release: the revert's image with today's SSM), high priority (Rerun workflow from
 * start on the old pipeline: the old image, today's SSM, a new forward revision) and panic (Trigger
 * Pipeline with action=rollback: the rollback job puts the stable revision back, its environment too).
 * Each reads the outcome back from AWS.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { describeService, readRevision } from "../helpers/revisions.js";
import { putImage, putParameters } from "../helpers/seed.js";
import type { Workflow } from "../helpers/workflow-runner.js";
import { builtCommit, createWorld, exampleConfig, outputs, SECRET, statuses, type World } from "./workflow-world.js";

vi.setConfig({ testTimeout: 300_000 });

const handle = useEmulator();
let clients: AwsClients;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
});

async function running(cluster: string, service: string): Promise<{ revision: string; sha: string; environment: Record<string, string> }> {
  const { taskDefinition } = await describeService(clients, cluster, service);
  const revision = await readRevision(clients, taskDefinition!);
  return { revision: taskDefinition!.split("/").at(-1)!, sha: revision.tags["ecs-release:sha"] ?? "", environment: revision.environment };
}

/** Pushes `sha` to main with `config` and approves every hold as alice, in order. */
async function release(world: World, config: string, sha: string): Promise<Workflow> {
  const workflow = (await world.circleci.trigger(config, { user: "bob", branch: "main", sha })).workflows[0]!;
  for (let hold = [...workflow.jobs.values()].find((j) => j.status === "on_hold"); hold; hold = [...workflow.jobs.values()].find((j) => j.status === "on_hold")) {
    await world.circleci.approve(workflow, hold.definition.name, "alice");
  }
  expect(Object.values(statuses(workflow)).every((s) => s === "success"), outputs(workflow)).toBe(true);
  expect(outputs(workflow)).not.toContain(SECRET);
  return workflow;
}

describe("the three rollbacks", () => {
  it("normal: git revert, the new pipeline releases the revert's image with today's SSM in a new revision", async () => {
    const world = await createWorld(handle, clients);
    const config = exampleConfig("rerun_old_release");
    const bad = await builtCommit(world, clients, "a bad change");
    await release(world, config, bad);
    await putParameters(clients, "/myapp/prod", { LOG_LEVEL: "warn" });
    world.repository.git("revert", "--no-edit", bad);
    const revert = world.repository.git("rev-parse", "HEAD");
    // The revert's image as its build job leaves it in ECR (the podman build itself: jobs-emulator.test.ts).
    await putImage(clients, "myapp", revert);
    await release(world, config, revert);
    expect(await running("prod", "web")).toMatchObject({ revision: "prod-web:3", sha: revert, environment: { LOG_LEVEL: "warn" } });
  });

  it("high priority: Rerun workflow from start on the good commit's pipeline: the old image, today's SSM, a new forward revision", async () => {
    const world = await createWorld(handle, clients);
    const config = exampleConfig("rerun_old_release");
    const good = await builtCommit(world, clients, "a good change");
    const goodRun = await release(world, config, good);
    const bad = await builtCommit(world, clients, "a bad change");
    await release(world, config, bad);
    expect((await running("prod", "web")).sha).toBe(bad);
    world.circleci.advanceDays(20); // weeks later: the good pipeline's workspace has expired
    await putParameters(clients, "/myapp/prod", { LOG_LEVEL: "warn" });

    const again = await world.circleci.rerun(goodRun, { from: "start" }, "alice");
    expect(again.pipeline).toBe(goodRun.pipeline);
    expect(statuses(again)).toMatchObject({ test: "success", build: "success", plan_prod: "success", approve_prod: "on_hold" });
    expect(again.jobs.get("build")?.run?.output).toMatch(/already exists|skip/i);
    expect(await world.circleci.artifact(again, "plan_prod", "release-plan-prod.md")).toContain("LOG_LEVEL");
    await world.circleci.approve(again, "approve_prod", "alice");
    expect(statuses(again)["release_prod"], outputs(again)).toBe("success");
    expect(again.jobs.get("release_prod")?.run?.output).toContain("matches the approved plan");
    expect(await running("prod", "web")).toMatchObject({ revision: "prod-web:4", sha: good, environment: { LOG_LEVEL: "warn" } });
  });

  it("panic: Trigger Pipeline with action=rollback: the rollback job puts the stable revision back, with its environment", async () => {
    const world = await createWorld(handle, clients, ["staging", "prod"]);
    const config = exampleConfig("panic_rollback");
    const good = await builtCommit(world, clients, "a good change");
    await release(world, config, good);
    await putParameters(clients, "/myapp/prod", { LOG_LEVEL: "broken" });
    const bad = await builtCommit(world, clients, "a bad change");
    await release(world, config, bad);
    expect(await running("prod", "web")).toMatchObject({ revision: "prod-web:3", sha: bad, environment: { LOG_LEVEL: "broken" } });

    const pipeline = await world.circleci.trigger(config, { user: "alice", branch: "main", sha: bad, parameters: { action: "rollback", environment: "prod" } });
    expect(pipeline.workflows.map((w) => w.name)).toEqual(["rollback"]);
    const workflow = pipeline.workflows[0]!;
    expect(statuses(workflow), outputs(workflow)).toEqual({ "ecs-release/rollback": "success" });
    expect(await running("prod", "web")).toMatchObject({ revision: "prod-web:2", sha: good, environment: { LOG_LEVEL: "info" } });
    expect(await running("staging", "web")).toMatchObject({ sha: bad });

    // Rerun workflow from start (a new workflow, the same pipeline): already rolled back, nothing moves.
    const again = await world.circleci.rerun(workflow, { from: "start" }, "alice");
    expect(statuses(again), outputs(again)).toEqual({ "ecs-release/rollback": "success" });
    expect(outputs(again)).toContain("already rolled back by this");
    expect(await running("prod", "web")).toMatchObject({ revision: "prod-web:2", sha: good });
  });

  it("panic by someone outside prod-deployers: the rollback job is UNAUTHORIZED and nothing moves", async () => {
    const world = await createWorld(handle, clients, ["prod"]);
    const pipeline = await world.circleci.trigger(exampleConfig("panic_rollback"), { user: "bob", branch: "main", sha: world.first, parameters: { action: "rollback", environment: "prod" } });
    expect(statuses(pipeline.workflows[0]!)).toEqual({ "ecs-release/rollback": "unauthorized" });
    expect((await running("prod", "web")).revision).toBe("prod-web:1");
  });
});
