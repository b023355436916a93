/**
 * Every orb example as a workflow, from its config file as a user writes it, through the workflow
 * runner (test/helpers/workflow-runner.ts) on the emulator: OIDC authentication through the
 * emulator's STS, contexts with security groups, approvals by named users, workspaces and artifacts.
 * Each test reads the outcome back from AWS and from the artifacts the approver sees.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients, useEmulator, type AwsClients } from "../helpers/emulator.js";
import { describeService, readRevision } from "../helpers/revisions.js";
import { CircleCi } from "../helpers/workflow-runner.js";
import { builtCommit, createWorld, exampleConfig, outputs, SECRET, statuses, type World } from "./workflow-world.js";

vi.setConfig({ testTimeout: 300_000 });

const handle = useEmulator();
let clients: AwsClients;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
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
  });
});
