/**
 * The orb's examples are configs that would run: every orb job they invoke expands with the
 * arguments given (no unknown, missing or mistyped parameter — which the schema cannot see), every
 * `requires` names a job of the workflow, every `serial-group` is one CircleCI accepts once pipeline
 * values and parameters are in (≤ 512 characters of A-Z a-z 0-9 . - _ /), and the compiled config
 * stays far below CircleCI's limit although each orb job carries the CLI.
 */
import { describe, expect, it } from "vitest";
import { CONFIG_BUDGET_BYTES, JOBS_PER_PIPELINE } from "../../src/orb/cli-builds.js";
import { expandJob, type Yaml } from "../helpers/orb-harness.js";
import { readOrb, withPipelineValues } from "./orb-files.js";

const orb = readOrb();
const ORB_ALIAS = "ecs-release";
/**
 * CircleCI's limit on a compiled config, "8MB" (raised from 4 MB in November 2023), read the strict way
 * as 8,000,000 bytes: https://support.circleci.com/hc/en-us/articles/360045043634
 */
const COMPILED_CONFIG_LIMIT = 8_000_000;
type Map = Record<string, Yaml>;

/** Each workflow's jobs as [name in the workflow, job invoked, arguments]. */
function workflowJobs(usage: Map): { workflow: string; jobs: { name: string; job: string; args: Map }[] }[] {
  const workflows = (usage["workflows"] ?? {}) as Record<string, Map>;
  return Object.entries(workflows).map(([workflow, body]) => ({
    workflow,
    jobs: (body["jobs"] as Yaml[]).map((entry) => {
      const [job, args] = typeof entry === "string" ? [entry, {} as Map] : (Object.entries(entry as Map)[0] as [string, Map]);
      return { name: typeof args["name"] === "string" ? args["name"] : job, job, args };
    }),
  }));
}

describe("the orb's examples", () => {
  const examples = Object.entries(orb.examples);

  it("exist and import this orb under the alias their jobs use", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    for (const [name, example] of examples) expect(Object.keys((example.usage["orbs"] ?? {}) as Map), name).toEqual([ORB_ALIAS]);
  });

  for (const [name, example] of examples) {
    it(`${name}: every orb job expands with its arguments; requires and serial-group are valid`, () => {
      const usage = withPipelineValues(example.usage as Map);
      let orbJobs = 0;
      let compiledBytes = 0;
      let largestJob = 0;
      for (const { workflow, jobs } of workflowJobs(usage)) {
        const names = new Set(jobs.map((job) => job.name));
        expect(names.size, `${name}.${workflow}: job names are unique`).toBe(jobs.length);
        for (const { name: jobName, job, args } of jobs) {
          const where = `${name}.${workflow}.${jobName}`;
          for (const required of (args["requires"] ?? []) as string[]) expect(names.has(required), `${where} requires ${required}`).toBe(true);
          const group = args["serial-group"];
          if (group !== undefined) expect(String(group), where).toMatch(/^[A-Za-z0-9._/-]{1,512}$/);
          if (args["type"] === "approval") continue;
          expect(job.startsWith(`${ORB_ALIAS}/`), `${where}: ${job} is not an orb job`).toBe(true);
          const expanded = expandJob(orb, job.slice(ORB_ALIAS.length + 1), args as never);
          orbJobs += 1;
          compiledBytes += Buffer.byteLength(expanded.yaml);
          // The budget, per job as the example configures it: JOBS_PER_PIPELINE of the largest fit in CircleCI's limit.
          expect(Buffer.byteLength(expanded.yaml), `${where}: ${Buffer.byteLength(expanded.yaml)} bytes`).toBeLessThanOrEqual(CONFIG_BUDGET_BYTES);
          largestJob = Math.max(largestJob, Buffer.byteLength(expanded.yaml));
        }
      }
      expect(orbJobs).toBeGreaterThan(0);
      // Every orb job but `test` carries a build of the CLI: a pipeline of this size must stay far below
      // the limit, with room for several times as many jobs.
      expect(compiledBytes * 4, `${name}: ${compiledBytes} bytes compiled`).toBeLessThan(COMPILED_CONFIG_LIMIT);
      expect(JOBS_PER_PIPELINE * largestJob, `${name}: ${JOBS_PER_PIPELINE} jobs of ${largestJob} bytes`).toBeLessThan(COMPILED_CONFIG_LIMIT);
    });
  }

  it("the release jobs of every environment share a serial-group with that environment's rollback", () => {
    const groups = (example: string) =>
      workflowJobs(withPipelineValues(orb.examples[example]?.usage as Map))
        .flatMap(({ jobs }) => jobs)
        // plan jobs (release dry runs before an approval) write nothing and need no serial-group
        .filter(({ job, args }) => (job === `${ORB_ALIAS}/release` && args["dry_run"] !== true) || job === `${ORB_ALIAS}/rollback`)
        .map(({ job, args }) => [job, String(args["context"]), String(args["serial-group"])]);
    const panic = groups("panic_rollback");
    const rollback = panic.find(([job]) => job === `${ORB_ALIAS}/rollback`);
    expect(rollback).toBeDefined();
    // With the parameter defaults (environment=prod) the rollback uses the prod release's context and group.
    expect(panic.filter(([job, context]) => job === `${ORB_ALIAS}/release` && context === rollback?.[1]).map(([, , group]) => group)).toEqual([rollback?.[2]]);
    for (const [, , group] of groups("deployment_pipeline")) expect(group).not.toBe("undefined");
  });
});
