/**
 * Re-runs of the release workflow as CircleCI offers them, on the minimal example through the workflow
 * runner: after a release refused for drift (SSM changed between the plan and the approval),
 * "Rerun workflow from start" makes and checks a new plan behind a new approval, while "Rerun workflow
 * from failed" asks no second approval and checks the original plan again (still refused); a pipeline
 * 91 days old is not re-run (89 days is, its expired workspace notwithstanding).
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { describeService } from "../helpers/revisions.js";
import { putParameters } from "../helpers/seed.js";
import { Refused, type Workflow } from "../helpers/workflow-runner.js";
import { builtCommit, createWorld, exampleConfig, outputs, SECRET, statuses, type World } from "./workflow-world.js";

vi.setConfig({ testTimeout: 300_000 });

const handle = useEmulator();
let clients: AwsClients;
let world: World;

beforeEach(async () => {
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  world = await createWorld(handle, clients);
});

async function writesDuring(act: () => Promise<unknown>): Promise<string[]> {
  const start = (await handle.emulator.callLog()).length;
  await act();
  return writeOperations((await handle.emulator.callLog()).slice(start)).map((call) => call.operation);
}

/** A pipeline whose release was refused: the SecureString rotated after the plan, before the approval. */
async function refusedForDrift(): Promise<Workflow> {
  const sha = await builtCommit(world, clients, "a change");
  const workflow = (await world.circleci.trigger(exampleConfig("minimal"), { user: "bob", branch: "main", sha })).workflows[0]!;
  await putParameters(clients, "/myapp/prod", { "database/PASSWORD": { value: `${SECRET}-rotated`, secure: true } });
  expect(await writesDuring(() => world.circleci.approve(workflow, "approve_prod", "alice"))).toEqual([]);
  expect(statuses(workflow)["release_prod"]).toBe("failed");
  expect(workflow.jobs.get("release_prod")?.run?.output).toMatch(/PASSWORD changed since the plan/);
  return workflow;
}

describe("re-runs of the release workflow", () => {
  it("from start: a new plan to approve, and the release checks that new plan (released)", async () => {
    const refused = await refusedForDrift();
    const again = await world.circleci.rerun(refused, { from: "start" }, "alice");
    expect(again.id).not.toBe(refused.id);
    expect(statuses(again)).toMatchObject({ plan_prod: "success", approve_prod: "on_hold", release_prod: "blocked" });
    await world.circleci.approve(again, "approve_prod", "alice");
    expect(statuses(again)["release_prod"], outputs(again)).toBe("success");
    expect(again.jobs.get("release_prod")?.run?.output).toContain("matches the approved plan");
    expect(outputs(again)).not.toContain(SECRET);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/prod-web:2$/);
  });

  it("from failed: no second approval (the first is kept); the release checks the original plan again and is still refused", async () => {
    const refused = await refusedForDrift();
    let again: Workflow | undefined;
    expect(await writesDuring(async () => (again = await world.circleci.rerun(refused, { from: "failed" }, "alice")))).toEqual([]);
    expect(statuses(again!)).toEqual({ test: "success", build: "success", plan_prod: "success", approve_prod: "success", release_prod: "failed" });
    expect(again!.jobs.get("approve_prod")?.kept).toBe(true);
    expect(again!.jobs.get("plan_prod")?.kept).toBe(true);
    expect(again!.jobs.get("release_prod")?.run?.output).toMatch(/PASSWORD changed since the plan/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/prod-web:1$/);
  });

  it("Rerun job with SSH on the release: the job's token says ssh-rerun and the release refuses to write", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const workflow = (await world.circleci.trigger(exampleConfig("minimal"), { user: "alice", branch: "main", sha })).workflows[0]!;
    await world.circleci.approve(workflow, "approve_prod", "alice");
    expect(statuses(workflow)["release_prod"], outputs(workflow)).toBe("success");
    let ssh: Workflow | undefined;
    expect(await writesDuring(async () => (ssh = await world.circleci.rerun(workflow, { jobs: ["release_prod"], ssh: true }, "alice")))).toEqual([]);
    const job = ssh!.jobs.get("release_prod")!;
    expect(job.claims?.["oidc.circleci.com/ssh-rerun"]).toBe(true);
    expect(job.status).toBe("failed");
    expect(job.run?.output).toMatch(/refusing to run release in a job re-run with SSH/);
    expect(statuses(ssh!)).toMatchObject({ plan_prod: "success", approve_prod: "success" });
  });

  it("a pipeline 91 days old is refused; at 89 days it re-runs, with a fresh plan over the expired workspace", async () => {
    const sha = await builtCommit(world, clients, "a change");
    const old = (await world.circleci.trigger(exampleConfig("minimal"), { user: "alice", branch: "main", sha })).workflows[0]!;
    await world.circleci.approve(old, "approve_prod", "alice");
    world.circleci.advanceDays(89);
    const again = await world.circleci.rerun(old, { from: "start" }, "alice");
    await world.circleci.approve(again, "approve_prod", "alice");
    expect(statuses(again)["release_prod"], outputs(again)).toBe("success");
    world.circleci.advanceDays(2);
    await expect(world.circleci.rerun(old, { from: "start" }, "alice")).rejects.toThrow(Refused);
    await expect(world.circleci.rerun(old, { jobs: ["release_prod"] }, "alice")).rejects.toThrow(/91 days old/);
  });
});
