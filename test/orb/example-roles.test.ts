/**
 * Every job of every orb example gets, through its context, a role whose policies cover what the job
 * does (docs/iam.md's set-up, as data in test/helpers/oidc-roles.ts): build → the build role; a plan
 * job (dry run) → the environment's read-only OIDC role, from a context without the ExternalId; a
 * release or rollback → the deploy role, reached only with the restricted context's ExternalId. The
 * example jobs that run on the emulator (test/orb/plan-approve.test.ts) then check each call against
 * the role that signed it; this catches a job given the wrong context anywhere in the examples.
 */
import { describe, expect, it } from "vitest";
import type { JobPolicy } from "../../src/iam/policies.js";
import type { Yaml } from "../helpers/orb-harness.js";
import { contextVariables, policiesOfRole } from "../helpers/oidc-roles.js";
import { readOrb, withPipelineValues } from "./orb-files.js";

type Map = Record<string, Yaml>;
const orb = readOrb();

/** The ecs-release jobs of an example (every value of an enum pipeline parameter tried), with their contexts resolved. */
function exampleJobs(usage: Map): { name: string; job: string; args: Map }[] {
  const parameters = (usage["parameters"] ?? {}) as Record<string, Map>;
  const variants: Record<string, string>[] = [{}];
  for (const [name, declaration] of Object.entries(parameters)) {
    if (declaration["type"] !== "enum") continue;
    const values = declaration["enum"] as string[];
    variants.splice(0, variants.length, ...variants.flatMap((variant) => values.map((value) => ({ ...variant, [name]: value }))));
  }
  return variants.flatMap((variant) => {
    const resolved = withPipelineValues(usage, variant);
    return Object.values((resolved["workflows"] ?? {}) as Record<string, Map>).flatMap((workflow) =>
      (workflow["jobs"] as Yaml[]).flatMap((entry) => {
        if (typeof entry === "string") return [];
        const [job, args] = Object.entries(entry as Map)[0] as [string, Map];
        if (!job.startsWith("ecs-release/") || job === "ecs-release/test") return [];
        return [{ name: `${typeof args["name"] === "string" ? args["name"] : job} ${JSON.stringify(variant)}`, job, args }];
      }),
    );
  });
}

/** The policy a job needs for what it does. */
function needed(job: string, args: Map): JobPolicy["name"] {
  if (job === "ecs-release/build") return "build";
  if (job === "ecs-release/rollback") return "rollback";
  return args["dry_run"] === true ? "plan" : "release";
}

describe.each(Object.entries(orb.examples))("the %s example", (_example, { usage }) => {
  const jobs = exampleJobs(usage);

  it("has ecs-release jobs to check", () => {
    expect(jobs.length).toBeGreaterThan(0);
  });

  it.each(jobs.map((j) => [j.name, j] as const))("%s: its context gives it a role with the policy it needs, and no more than the plan role before an approval", (_name, { job, args }) => {
    const context = String(args["context"]);
    const variables = contextVariables(context);
    const policy = needed(job, args);
    const deploy = variables["ECS_RELEASE_DEPLOY_ROLE_ARN"];
    const role = policy === "release" || policy === "rollback" ? deploy : variables["AWS_ROLE_ARN"];
    expect(role, `${context} gives ${job} no role for ${policy}`).toBeDefined();
    expect(policiesOfRole(role!).map((p) => p.name), `${context}`).toContain(policy);
    if (policy === "plan" || policy === "build") {
      // Before the approval: no ExternalId, so no way to the deploy role.
      expect(variables["ECS_RELEASE_DEPLOY_EXTERNAL_ID"], `${context} holds the ExternalId`).toBeUndefined();
    }
  });
});
