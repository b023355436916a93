/**
 * Jobs of orb/orb.yml expanded the way CircleCI compiles them: what each job runs, its size, that no
 * step fetches code, and the harness's own expansion rules. The test job and the CLI install also
 * run here.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_BUDGET_BYTES, JOBS_PER_PIPELINE } from "../../src/orb/cli-builds.js";
import { expandJob, loadOrb, runJob, type ExpandedJob, type Orb, type RunStep } from "../helpers/orb-harness.js";
import { createFixtureRepository, type FixtureRepository } from "./fixture-repo.js";
import { MINIMAL_ARGS } from "./job-args.js";
import { ORB_FILE } from "./orb-files.js";

let orb: Orb;
let repo: FixtureRepository;


function runs(job: ExpandedJob): RunStep[] {
  return job.steps.flatMap((step) => (step.type === "run" ? [step.run] : []));
}

beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
  repo = await createFixtureRepository();
});

describe("expanded jobs", () => {
  it("release: install the embedded CLI, OIDC credentials, then `ecs-release release` with its parameters in environment", () => {
    const job = expandJob(orb, "release", MINIMAL_ARGS["release"] as never);
    expect(job.steps.map((step) => (step.type === "run" ? step.run.name : step.type))).toEqual([
      "Install ecs-release (embedded in the orb)",
      "Configure AWS credentials from the job's OIDC token",
      "Release web,worker to prod",
    ]);
    const release = runs(job)[2] as RunStep;
    expect(release.command).toBe("ecs-release release");
    expect(release.environment).toMatchObject({
      ECS_RELEASE_CLUSTER: "prod",
      ECS_RELEASE_SERVICE: "web,worker",
      ECS_RELEASE_SSM_PATH: "/shop/prod",
      ECS_RELEASE_REPOSITORY: "shop",
      ECS_RELEASE_SHA: "",
      ECS_RELEASE_TIMEOUT: "30m",
      ECS_RELEASE_DRY_RUN: "false",
      CIRCLE_PIPELINE_NUM: "42",
    });
    expect(release.no_output_timeout).toBe("65m");
    expect(job.executor).toEqual({ docker: [{ image: "cimg/node:22.14" }], resource_class: "small" });
    expect(job.steps.some((step) => step.type === "checkout")).toBe(false);
  });

  it("build: checkout, remote docker (layer caching only when asked), install, credentials, push", () => {
    const plain = expandJob(orb, "build", MINIMAL_ARGS["build"] as never);
    expect(plain.steps.map((step) => step.type)).toEqual(["checkout", "setup_remote_docker", "run", "run", "run"]);
    // No version unless one is given: CircleCI Server refuses a setup_remote_docker version.
    expect(plain.steps[1]).toEqual({ type: "setup_remote_docker", args: {} });
    const cached = expandJob(orb, "build", { ...MINIMAL_ARGS["build"], docker_layer_caching: true } as never);
    expect(cached.steps[1]).toEqual({ type: "setup_remote_docker", args: { docker_layer_caching: true } });
    const pinned = expandJob(orb, "build", { ...MINIMAL_ARGS["build"], remote_docker_version: "docker24" } as never);
    expect(pinned.steps[1]).toEqual({ type: "setup_remote_docker", args: { version: "docker24" } });
    const both = expandJob(orb, "build", { ...MINIMAL_ARGS["build"], remote_docker_version: "docker24", docker_layer_caching: true } as never);
    expect(both.steps.filter((step) => step.type === "setup_remote_docker")).toEqual([{ type: "setup_remote_docker", args: { version: "docker24", docker_layer_caching: true } }]);
    expect(runs(plain)[2]).toMatchObject({ command: "ecs-release push", environment: { ECS_RELEASE_REPOSITORY: "shop", ECS_RELEASE_CONTEXT: ".", ECS_RELEASE_DOCKER: "docker" } });
  });

  it("every CLI job takes node_version and resource_class (Arm and newer Docker classes included) for its executor", () => {
    for (const name of ["build", "release", "rollback"]) {
      const job = expandJob(orb, name, { ...MINIMAL_ARGS[name], node_version: "20.19", resource_class: "arm.medium" } as never);
      expect(job.executor, name).toEqual({ docker: [{ image: "cimg/node:20.19" }], resource_class: "arm.medium" });
      expect(expandJob(orb, name, MINIMAL_ARGS[name] as never).executor["docker"], name).toEqual([{ image: "cimg/node:22.14" }]);
    }
  });

  it("splices steps parameters in the documented form `- steps: << parameters.x >>`", () => {
    const raw = JSON.stringify(orb.jobs);
    expect(raw).not.toMatch(/"<< parameters\.(auth|steps) >>"(?!\})/);
    expect((orb.jobs["release"]?.["steps"] as unknown[])[1]).toEqual({ steps: "<< parameters.auth >>" });
    expect((orb.jobs["test"]?.["steps"] as unknown[])[1]).toEqual({ steps: "<< parameters.steps >>" });
  });

  it("replaces the OIDC steps with the auth steps given", () => {
    const job = expandJob(orb, "rollback", { ...MINIMAL_ARGS["rollback"], auth: [{ run: { name: "Static keys", command: "true" } }] } as never);
    expect(runs(job).map((run) => run.name)).toEqual(["Install ecs-release (embedded in the orb)", "Static keys", "Roll back web,worker on prod to previous"]);
    const withRole = expandJob(orb, "rollback", { ...MINIMAL_ARGS["rollback"], auth: [{ configure_aws_oidc: { role_arn: "arn:aws:iam::123456789012:role/deploy" } }] } as never);
    expect(runs(withRole)[1]?.environment["ORB_ROLE_ARN"]).toBe("arn:aws:iam::123456789012:role/deploy");
  });

  it("refuses what CircleCI refuses: unknown, missing and mistyped parameters", () => {
    expect(() => expandJob(orb, "release", { ...MINIMAL_ARGS["release"], clustr: "x" } as never)).toThrow(/unknown parameter clustr/);
    expect(() => expandJob(orb, "release", { cluster: "prod" } as never)).toThrow(/missing required parameter service/);
    expect(() => expandJob(orb, "release", { ...MINIMAL_ARGS["release"], dry_run: "yes" } as never)).toThrow(/dry_run must be boolean/);
    expect(() => expandJob(orb, "release", { ...MINIMAL_ARGS["release"], resource_class: 2 } as never)).toThrow(/resource_class must be string/);
    expect(() => expandJob(orb, "test", {} as never)).toThrow(/missing required parameter steps/);
  });

  it("unescapes \\<< in embedded scripts, and keeps a parameter's type when it is a whole value", () => {
    const install = runs(expandJob(orb, "release", MINIMAL_ARGS["release"] as never))[0] as RunStep;
    expect(install.environment["ORB_UNPACK_SCRIPT"]).toContain("brotliDecompressSync");
    expect(install.environment["ORB_UNPACK_SCRIPT"]).not.toContain("\\<<");
  });

  for (const name of ["test", "build", "release", "rollback"]) {
    it(`${name}: the expanded job adds at most ${CONFIG_BUDGET_BYTES / 1024} KiB to the compiled config (the budget: ≥ ${JOBS_PER_PIPELINE} CLI jobs in CircleCI's 8 MB)`, () => {
      const job = expandJob(orb, name, MINIMAL_ARGS[name] as never);
      expect(Buffer.byteLength(job.yaml), `${name}: ${Buffer.byteLength(job.yaml)} bytes`).toBeLessThanOrEqual(CONFIG_BUDGET_BYTES);
    });

    it(`${name}: every step's environment fits what Linux passes to a process`, () => {
      // execve refuses one "NAME=value" string over MAX_ARG_STRLEN (32 pages: 128 KiB) and all of argv
      // and the environment over a quarter of the stack limit (2 MiB with the usual 8 MiB). The orb's
      // share stays under half of that, leaving room for CircleCI's, the context's and the project's variables.
      const job = expandJob(orb, name, MINIMAL_ARGS[name] as never);
      for (const run of runs(job)) {
        const strings = Object.entries(run.environment).map(([variable, value]) => Buffer.byteLength(`${variable}=${value}`) + 1);
        for (const bytes of strings) expect(bytes, run.name).toBeLessThan(128 * 1024);
        expect(strings.reduce((sum, bytes) => sum + bytes, 0), run.name).toBeLessThan(1024 * 1024);
      }
    });

    it(`${name}: no step fetches code (npm, npx, curl, wget, ...) and every command is short and readable`, () => {
      const job = expandJob(orb, name, MINIMAL_ARGS[name] as never);
      const FETCH = /\b(npm|npx|yarn|pnpm|curl|wget|pip3?|apt(-get)?|apk|gem|go\s+(get|install)|git\s+(clone|fetch|pull))\b|https?:\/\//;
      for (const run of runs(job)) {
        expect(run.command, run.name).not.toMatch(FETCH);
        // The orb's own commands are one short line (RC009); the test job's steps are the user's.
        if (!(name === "test" && run.name === "Run the tests")) expect(run.command.includes("\n") || run.command.length > 64, run.command).toBe(false);
        for (const [variable, value] of Object.entries(run.environment)) {
          // The packed CLI is data (base 85 without quotes, backslashes, $, backquotes, braces or < >;
          // checked against its SHA-256 when unpacked), not a script.
          if (/^ORB_PACKED_\d+$/.test(variable)) expect(value).toMatch(/^[!#%&()*+,\-./0-9:;=?@A-Z[\]^_a-z|~]+$/);
          else if (name !== "test") expect(value, `${run.name}: ${variable}`).not.toMatch(FETCH);
        }
      }
      for (const step of job.steps) expect(["run", "checkout", "setup_remote_docker", "store_test_results"]).toContain(step.type);
    });
  }

  it("test: checks out the commit, runs the user's steps and stores the results", async () => {
    const job = expandJob(orb, "test", MINIMAL_ARGS["test"] as never);
    const run = await runJob(job, { repository: repo.path, circle: { CIRCLE_SHA1: repo.sha } });
    expect(run.code, run.output).toBe(0);
    expect(await readFile(join(run.workingDirectory, "hello.txt"), "utf8")).toBe("hello from the fixture\n");
    expect(await readFile(join(run.workingDirectory, "test-results", "junit.xml"), "utf8")).toContain("testsuite");
    expect(run.stored).toEqual(["test-results"]);
  });

  it("test: a failing test step fails the job and stops it", async () => {
    const job = expandJob(orb, "test", { steps: [{ run: { name: "Fail", command: "false" } }, { run: { name: "Never", command: "touch never" } }] } as never);
    const run = await runJob(job, { repository: repo.path, circle: { CIRCLE_SHA1: repo.sha } });
    expect(run.code).toBe(1);
    expect(run.steps.map((step) => step.name)).toEqual(["Checkout code", "Fail"]);
  });

  it("install: unpacks the embedded CLI, checks its SHA-256 and puts it on PATH for later steps", async () => {
    const job = expandJob(orb, "rollback", { ...MINIMAL_ARGS["rollback"], auth: [{ run: { name: "Which", command: "command -v ecs-release && ecs-release --version" } }] } as never);
    const firstTwo = { ...job, steps: job.steps.slice(0, 2) };
    const run = await runJob(firstTwo);
    expect(run.code, run.output).toBe(0);
    expect(run.steps[1]?.output).toContain(join(run.home, ".ecs-release", "bin", "ecs-release"));
    // The version the install step prints is the one the installed CLI gives.
    const version = run.steps[1]?.output.trim().split("\n").at(-1);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.steps[0]?.output).toMatch(new RegExp(`^Installed ecs-release ${version?.replace(/\./g, "\\.")} at .*\\.ecs-release/bin/ecs-release \\(sha256 [0-9a-f]{64}\\)\\.\n$`));

    // A damaged orb is caught: the SHA-256 no longer matches.
    const install = job.steps[0] as { type: "run"; run: RunStep };
    const damaged = { ...install, run: { ...install.run, environment: { ...install.run.environment, ORB_SHA256: "0".repeat(64) } } };
    const bad = await runJob({ ...job, steps: [damaged] });
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/the orb is damaged/);
  });
});
