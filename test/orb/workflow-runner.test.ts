/**
 * The workflow runner's rules (test/helpers/workflow-runner.ts), each on a small config of the user's
 * own jobs that only echo: filters, requires with statuses, `when` and pipeline parameters, contexts
 * with security groups before and after an approval, approvals refused, OIDC token claims, workspaces
 * and their retention, re-runs (from start, from failed, one job with SSH, 90 days) and the orb version
 * a re-run keeps.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Orb, Yaml } from "../helpers/orb-harness.js";
import { decodeJwtPayload } from "../emulator/sts.js";
import { CircleCi, passesFilters, Refused, type Workflow } from "../helpers/workflow-runner.js";
import { ORGANIZATION, statuses } from "./workflow-world.js";

const docker = [{ image: "cimg/base:current" }];
const echo = (text: string) => ({ docker, steps: [{ run: { name: "say", command: `echo ${text}` } }] });

function runner(registry: Record<string, Orb> = {}): CircleCi {
  return new CircleCi({ organization: ORGANIZATION, registry, awsEnv: () => ({}) });
}

function config(workflows: Record<string, Yaml>, jobs: Record<string, Yaml>, extra: Record<string, Yaml> = {}): string {
  return stringify({ version: 2.1, ...extra, jobs, workflows });
}

const output = (workflow: Workflow, job: string) => workflow.jobs.get(job)?.run?.output ?? "";

describe("filters", () => {
  it.each([
    [{ branches: { only: "main" } }, { branch: "main" }, true],
    [{ branches: { only: "main" } }, { branch: "feature" }, false],
    [{ branches: { ignore: ["/feat-.*/"] } }, { branch: "feat-x" }, false],
    [{ branches: { only: "/ma/" } }, { branch: "main" }, false], // a regular expression matches the whole name
    [undefined, { tag: "v1.0.0" }, false], // no tags filter: not run for a tag
    [{ tags: { only: "/^v[0-9]+\\.[0-9]+\\.[0-9]+$/" } }, { tag: "v1.2.3" }, true],
    [{ tags: { only: "/^v.*/" }, branches: { ignore: "/.*/" } }, { branch: "main" }, false],
  ] as const)("%j for %j: %s", (filters, trigger, expected) => {
    expect(passesFilters(filters as Yaml, trigger)).toBe(expected);
  });
});

describe("requires, when and pipeline parameters", () => {
  it("a job requiring {build: failed} runs only when build failed; one requiring build does not", async () => {
    const circleci = runner();
    const text = (code: number) =>
      config({ ci: { jobs: ["build", { notify: { requires: [{ build: "failed" }] } }, { deploy: { requires: ["build"] } }] } }, {
        build: { docker, steps: [{ run: `exit ${code}` }] },
        notify: echo("notified"),
        deploy: echo("deployed"),
      });
    const failed = (await circleci.trigger(text(1), { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    expect(statuses(failed)).toEqual({ build: "failed", notify: "success", deploy: "not_run" });
    const passed = (await circleci.trigger(text(0), { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    expect(statuses(passed)).toEqual({ build: "success", notify: "not_run", deploy: "success" });
  });

  it("`terminal` accepts every end: a cleanup requiring {build: terminal} runs after a failed build and after a passed one", async () => {
    const circleci = runner();
    const text = (code: number) =>
      config({ ci: { jobs: ["build", { cleanup: { requires: [{ build: "terminal" }] } }] } }, { build: { docker, steps: [{ run: `exit ${code}` }] }, cleanup: echo("cleaned") });
    expect(statuses((await circleci.trigger(text(1), { user: "bob", branch: "main", sha: "a" })).workflows[0]!)).toEqual({ build: "failed", cleanup: "success" });
    expect(statuses((await circleci.trigger(text(0), { user: "bob", branch: "main", sha: "a" })).workflows[0]!)).toEqual({ build: "success", cleanup: "success" });
  });

  it("an expression filter (a string) is refused as not modelled, not read as no filter", () => {
    expect(() => passesFilters('pipeline.git.branch == "stage"', { branch: "main" })).toThrow(/expression filters are not modelled/);
    expect(passesFilters({ branches: { only: "stage" } }, { branch: "main" })).toBe(false);
  });

  it("workflows gated by `when` on a pipeline parameter; pipeline values substituted; unknown parameters refused", async () => {
    const circleci = runner();
    const text = config(
      {
        normal: { when: { equal: ["deploy", "<< pipeline.parameters.action >>"] }, jobs: ["say"] },
        other: { when: { equal: ["rollback", "<< pipeline.parameters.action >>"] }, jobs: [{ say: { name: "say_<< pipeline.parameters.action >>" } }] },
      },
      { say: { docker, steps: [{ run: "echo pipeline << pipeline.number >> on << pipeline.git.branch >>" }] } },
      { parameters: { action: { type: "enum", enum: ["deploy", "rollback"], default: "deploy" } } },
    );
    const normal = await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" });
    expect(normal.workflows.map((w) => w.name)).toEqual(["normal"]);
    expect(output(normal.workflows[0]!, "say")).toContain(`pipeline ${normal.number} on main`);
    const other = await circleci.trigger(text, { user: "bob", branch: "main", sha: "a", parameters: { action: "rollback" } });
    expect(other.workflows.map((w) => [w.name, [...w.jobs.keys()]])).toEqual([["other", ["say_rollback"]]]);
    expect(() => circleci.createPipeline(text, { user: "bob", branch: "main", sha: "a", parameters: { action: "panic" } })).toThrow(/action must be enum/);
    expect(() => circleci.createPipeline(text, { user: "bob", branch: "main", sha: "a", parameters: { nope: "x" } })).toThrow(/unknown parameter nope/);
  });
});

describe("contexts with security groups and approvals", () => {
  const text = config(
    {
      deploy: {
        jobs: [
          { plan: { context: "aws-prod-plan" } },
          { hold: { type: "approval", requires: ["plan"] } },
          { release: { context: "aws-prod", requires: ["hold"] } },
          { direct: { context: "aws-prod", requires: ["plan"] } },
        ],
      },
    },
    { plan: echo("plan"), release: { docker, steps: [{ run: 'echo "role $AWS_ROLE_ARN as $CIRCLE_USERNAME"' }] }, direct: echo("direct") },
  );

  it("bob triggers: a job with the restricted context before any approval is UNAUTHORIZED; the plan and the hold are not", async () => {
    const circleci = runner();
    const workflow = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    expect(statuses(workflow)).toEqual({ plan: "success", hold: "on_hold", release: "blocked", direct: "unauthorized" });
    expect(workflow.jobs.get("direct")?.reason).toMatch(/bob is not in a security group of the restricted context aws-prod/);
  });

  // https://circleci.com/docs/contexts/#approve-jobs-that-use-restricted-contexts: "This approval job may be
  // approved by any member of the project, but the deploy job will fail as unauthorized if the approver is
  // not part of the restricted context security group."
  it("bob's approval into the restricted context is accepted and the release after it is UNAUTHORIZED; alice's runs the release as alice", async () => {
    const circleci = runner();
    const workflow = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    await circleci.approve(workflow, "hold", "bob");
    expect(statuses(workflow)).toMatchObject({ hold: "success", release: "unauthorized" });
    expect(workflow.jobs.get("release")?.reason).toMatch(/bob is not in a security group of the restricted context aws-prod/);
    expect(workflow.jobs.get("release")?.run).toBeUndefined();
    expect(CircleCi.status(workflow)).toBe("unauthorized");
    // Positive control: the same workflow approved by a member of the group releases, as her.
    const other = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    await circleci.approve(other, "hold", "alice");
    expect(statuses(other)["release"]).toBe("success");
    expect(output(other, "release")).toContain(`role ${ORGANIZATION.contexts["aws-prod"]!.env["AWS_ROLE_ARN"]} as alice`);
  });

  it("a restricted context on the approval job itself: only its group may approve", async () => {
    const circleci = runner();
    const gated = config({ ci: { jobs: [{ hold: { type: "approval", context: "aws-prod" } }, { after: { requires: ["hold"] } }] } }, { after: echo("after") });
    const workflow = (await circleci.trigger(gated, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    await expect(circleci.approve(workflow, "hold", "bob")).rejects.toThrow(/bob may not approve hold/);
    await circleci.approve(workflow, "hold", "carol");
    expect(statuses(workflow)).toEqual({ hold: "success", after: "success" });
  });

  it("alice triggers: every job runs, the restricted one before the approval too", async () => {
    const workflow = (await runner().trigger(text, { user: "alice", branch: "main", sha: "a" })).workflows[0]!;
    expect(statuses(workflow)).toEqual({ plan: "success", hold: "on_hold", release: "blocked", direct: "success" });
  });
});

describe("the job's OIDC token", () => {
  it("carries CircleCI's claims: v2 sub with vcs-origin and vcs-ref, project-id, context-ids, ssh-rerun (true only in a re-run with SSH)", async () => {
    const circleci = runner();
    const text = config({ ci: { jobs: [{ token: { context: "aws-prod-plan" } }] } }, { token: { docker, steps: [{ run: 'printf "%s" "$CIRCLE_OIDC_TOKEN_V2"' }] } });
    const workflow = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    const claims = decodeJwtPayload(output(workflow, "token").split("\n").at(-1)!)!;
    expect(claims["iss"]).toBe(`https://oidc.circleci.com/org/${ORGANIZATION.id}`);
    expect(claims["aud"]).toBe(ORGANIZATION.id);
    expect(String(claims["sub"])).toMatch(new RegExp(`^org/${ORGANIZATION.id}/project/${ORGANIZATION.projectId}/user/[0-9a-f-]{36}/vcs-origin/github.com/acme/shop/vcs-ref/refs/heads/main$`));
    expect(claims["oidc.circleci.com/project-id"]).toBe(ORGANIZATION.projectId);
    expect(claims["oidc.circleci.com/vcs-ref"]).toBe("refs/heads/main");
    expect(claims["oidc.circleci.com/context-ids"]).toHaveLength(1);
    expect(claims["oidc.circleci.com/ssh-rerun"]).toBe(false);
    expect(Number(claims["exp"]) - Number(claims["iat"])).toBe(3600);
    const ssh = await circleci.rerun(workflow, { jobs: ["token"], ssh: true }, "bob");
    expect(ssh.jobs.get("token")?.claims?.["oidc.circleci.com/ssh-rerun"]).toBe(true);
    // "If you rerun a workflow containing a job that was previously re-run with SSH, the new workflow runs
    // with SSH enabled for that job" (https://circleci.com/docs/guides/orchestrate/workflows/#rerunning-a-workflows-failed-jobs).
    const again = await circleci.rerun(ssh, { from: "start" }, "bob");
    expect(again.jobs.get("token")?.claims?.["oidc.circleci.com/ssh-rerun"]).toBe(true);
  });

  it("CIRCLE_OIDC_TOKEN (v1) has the v1 sub and the same additional claims, vcs-origin and vcs-ref included", async () => {
    const circleci = runner();
    const text = config({ ci: { jobs: ["token"] } }, { token: { docker, steps: [{ run: 'printf "%s" "$CIRCLE_OIDC_TOKEN"' }] } });
    const workflow = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    const claims = decodeJwtPayload(output(workflow, "token").split("\n").at(-1)!)!;
    expect(String(claims["sub"])).toMatch(new RegExp(`^org/${ORGANIZATION.id}/project/${ORGANIZATION.projectId}/user/[0-9a-f-]{36}$`));
    expect(claims["oidc.circleci.com/vcs-origin"]).toBe("github.com/acme/shop");
    expect(claims["oidc.circleci.com/vcs-ref"]).toBe("refs/heads/main");
  });
});

describe("workspaces", () => {
  const text = config(
    { ci: { jobs: ["make", { hold: { type: "approval", requires: ["make"] } }, { use: { requires: ["hold"] } }] } },
    {
      make: { docker, steps: [{ run: "mkdir -p out && echo made-$CIRCLE_WORKFLOW_ID > out/file" }, { persist_to_workspace: { root: "out", paths: ["file"] } }] },
      use: { docker, steps: [{ attach_workspace: { at: "in" } }, { run: "cat in/file" }] },
    },
  );

  it("a job after the approval attaches what the job before it persisted; 15 days later the attach fails", async () => {
    const circleci = runner();
    const fresh = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    await circleci.approve(fresh, "hold", "bob");
    expect(output(fresh, "use")).toContain(`made-${fresh.id}`);

    const late = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    circleci.advanceDays(15);
    await circleci.approve(late, "hold", "bob");
    expect(statuses(late)["use"]).toBe("failed");
    expect(output(late, "use")).toContain("the workspace expired");
  });

  it("a re-run from start inherits the old workspace and attaches the fresh layer over it", async () => {
    const circleci = runner();
    const first = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    circleci.advanceDays(20);
    const again = await circleci.rerun(first, { from: "start" }, "bob");
    expect(again.id).not.toBe(first.id);
    expect(again.pipeline).toBe(first.pipeline);
    expect(again.layers.map((layer) => layer.inherited)).toEqual([true, false]);
    await circleci.approve(again, "hold", "bob");
    expect(output(again, "use")).toContain(`made-${again.id}`);
  });
});

describe("re-runs", () => {
  const text = config(
    { ci: { jobs: ["test", { hold: { type: "approval", requires: ["test"] } }, { ship: { requires: ["hold"] } }] } },
    { test: echo("tested"), ship: { docker, steps: [{ run: 'test -e "$HOME/../../ok" || test "$CIRCLE_USERNAME" = carol' }] } },
  );

  it("from failed: the successful jobs and the approval are kept, only the failed job runs again (no second approval)", async () => {
    const circleci = runner();
    const first = (await circleci.trigger(text, { user: "alice", branch: "main", sha: "a" })).workflows[0]!;
    await circleci.approve(first, "hold", "alice");
    expect(statuses(first)["ship"]).toBe("failed");
    const again = await circleci.rerun(first, { from: "failed" }, "carol");
    expect(statuses(again)).toEqual({ test: "success", hold: "success", ship: "failed" });
    expect(again.jobs.get("test")?.kept).toBe(true);
    expect(again.jobs.get("hold")?.approvedBy).toBe("alice");
    // The approval kept, the job after it runs as its approver, not as who re-ran.
    expect(again.jobs.get("ship")?.actor).toBe("alice");
    expect(again.jobs.get("ship")?.kept).toBeUndefined();
  });

  it("from start: every job again, the approval too", async () => {
    const circleci = runner();
    const first = (await circleci.trigger(text, { user: "alice", branch: "main", sha: "a" })).workflows[0]!;
    await circleci.approve(first, "hold", "alice");
    const again = await circleci.rerun(first, { from: "start" }, "carol");
    expect(statuses(again)).toEqual({ test: "success", hold: "on_hold", ship: "blocked" });
    await circleci.approve(again, "hold", "carol");
    expect(statuses(again)["ship"]).toBe("success");
  });

  it("a pipeline 90 days or older is not re-run; at 89 days it is", async () => {
    const circleci = runner();
    const first = (await circleci.trigger(text, { user: "alice", branch: "main", sha: "a" })).workflows[0]!;
    circleci.advanceDays(89);
    expect(statuses(await circleci.rerun(first, { jobs: ["test"] }, "alice"))["test"]).toBe("success");
    circleci.advanceDays(2);
    await expect(circleci.rerun(first, { from: "start" }, "alice")).rejects.toThrow(/91 days old: workflows 90 days or older cannot be re-run/);
    await expect(circleci.approve(first, "hold", "alice")).rejects.toThrow(Refused);
  });

  it("an approval job can be approved up to 90 days after it started, not after the pipeline did", async () => {
    const circleci = runner();
    const first = (await circleci.trigger(text, { user: "alice", branch: "main", sha: "a" })).workflows[0]!;
    circleci.advanceDays(80);
    const again = await circleci.rerun(first, { from: "start" }, "alice");
    circleci.advanceDays(15);
    await expect(circleci.approve(first, "hold", "alice")).rejects.toThrow(Refused); // on hold 95 days
    await circleci.approve(again, "hold", "alice"); // on hold 15 days, in a 95-day-old pipeline
    expect(statuses(again)["hold"]).toBe("success");
  });

  it("a re-run keeps its pipeline's orb version; a new pipeline gets the newly published one", async () => {
    const orb = (version: string): Orb => ({ commands: {}, executors: {}, jobs: { hello: { docker, steps: [{ run: { name: "hello", command: `echo orb ${version}` } }] } } });
    const registry: Record<string, Orb> = { "acme/tools@1": orb("1.0.0") };
    const circleci = runner(registry);
    const text = config({ ci: { jobs: ["tools/hello"] } }, {}, { orbs: { tools: "acme/tools@1" } });
    const first = (await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!;
    registry["acme/tools@1"] = orb("1.0.1");
    expect(output(await circleci.rerun(first, { from: "start" }, "bob"), "tools/hello")).toContain("orb 1.0.0");
    expect(output((await circleci.trigger(text, { user: "bob", branch: "main", sha: "a" })).workflows[0]!, "tools/hello")).toContain("orb 1.0.1");
  });
});

describe("the runner reads the config as written", () => {
  it("reads a YAML file", () => {
    const circleci = runner();
    const text = readFileSync(join(import.meta.dirname, "../../.circleci/config.yml"), "utf8");
    expect(Object.keys(circleci.createPipeline(text, { user: "bob", branch: "main", sha: "a" }).definitions)).toEqual(["main"]);
  });
});
