/**
 * CircleCI ends a step that prints nothing for its no_output_timeout (default 10m):
 * https://circleci.com/docs/configuration-reference/#run — so each CLI step's no_output_timeout must
 * cover the step's longest wait: for release the pre-deploy task's wait plus the rollout's
 * (pre_deploy_timeout + timeout), for rollback the rollout's, each with a margin. Checked on the orb's
 * defaults and on every release and rollback job of every example, as expanded; the parameter
 * descriptions say so. (The CLI also prints a progress line at least once a minute while it waits.)
 */
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/duration.js";
import { expandJob, type RunStep } from "../helpers/orb-harness.js";
import { MINIMAL_ARGS } from "./job-args.js";
import { readOrb, withPipelineValues } from "./orb-files.js";

const orb = readOrb();
const MARGIN = parseDuration("5m");

/** CircleCI's form: a decimal with one unit (https://circleci.com/docs/configuration-reference/#run). */
function circleciDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smh])$/.exec(text);
  if (!match) throw new Error(`no_output_timeout "${text}" is not a decimal with a unit`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}

/** The CLI step of an expanded job, and the longest wait it may make. */
function check(job: string, args: Record<string, unknown>, where: string): void {
  const steps = expandJob(orb, job, args as never).steps.flatMap((step) => (step.type === "run" ? [step.run] : []));
  const cli = steps.find((run) => run.command === `ecs-release ${job}`) as RunStep;
  expect(cli, where).toBeDefined();
  const env = cli.environment;
  const wait = parseDuration(env["ECS_RELEASE_TIMEOUT"] ?? "") + (job === "release" ? parseDuration(env["ECS_RELEASE_PRE_DEPLOY_TIMEOUT"] ?? "") : 0);
  expect(cli.no_output_timeout, where).toBeDefined();
  expect(circleciDuration(cli.no_output_timeout ?? ""), `${where}: no_output_timeout ${cli.no_output_timeout} for a wait of ${wait / 60_000}m`).toBeGreaterThanOrEqual(wait + MARGIN);
}

describe("no_output_timeout covers each step's longest wait", () => {
  it("with the orb's defaults: release 30m + 30m + 5m, rollback 30m + 5m", () => {
    check("release", MINIMAL_ARGS["release"] ?? {}, "release (defaults)");
    check("rollback", MINIMAL_ARGS["rollback"] ?? {}, "rollback (defaults)");
    expect(() => check("release", { ...MINIMAL_ARGS["release"], timeout: "45m" }, "release, timeout raised alone")).toThrow(/no_output_timeout 65m for a wait of 75m/);
  });

  it("in every release and rollback job of every example", () => {
    let checked = 0;
    for (const [name, example] of Object.entries(orb.examples)) {
      for (const [workflow, body] of Object.entries((withPipelineValues(example.usage)["workflows"] ?? {}) as Record<string, { jobs: unknown[] }>)) {
        for (const entry of body.jobs) {
          if (typeof entry !== "object" || entry === null) continue;
          const [job, args] = Object.entries(entry)[0] as [string, Record<string, unknown>];
          const verb = job.replace(/^ecs-release\//, "");
          if (verb !== "release" && verb !== "rollback") continue;
          check(verb, args, `${name}.${workflow}.${String(args["name"] ?? job)}`);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it("the parameter descriptions say so", () => {
    for (const command of ["release", "rollback"]) {
      const parameters = orb.commands[command]?.["parameters"] as Record<string, { description: string }>;
      expect(parameters["no_output_timeout"]?.description, command).toMatch(/pre_deploy_timeout \+ timeout \+ 5m for release .* timeout \+ 5m for rollback/);
      expect(parameters["timeout"]?.description, command).toMatch(/Raise no_output_timeout with it/);
    }
    expect((orb.commands["release"]?.["parameters"] as Record<string, { description: string }>)["pre_deploy_timeout"]?.description).toMatch(/it must cover pre_deploy_timeout \+ timeout/);
  });
});
