/**
 * orb/orb.yml, every example's usage and .circleci/config.yml against CircleCI's own JSON schema.
 * The schema's known false positives — a `<< parameters.x >>` expression in a field it constrains by
 * enum or pattern — are replaced one by one, at the exact paths listed here, by a value the parameter
 * can take; everything else must validate as it is.
 *
 * The schema file is not in this repository: the suite runs where CIRCLECI_CONFIG_SCHEMA names it
 * (`.ci/run` and the project's CircleCI test job set it) and otherwise shows as skipped, with the
 * variable in its name. CircleCI's own @circleci/circleci-config-parser was evaluated as a check that
 * always runs and does not fit: its latest release is 0.10.0-alpha.3, built on config-sdk ^0.10 (this
 * project generates with 0.12.5), it has no orb-document validation, refuses the orb's parameterized
 * executor (`resource_class: << parameters.resource_class >>`) and fails a malformed step with
 * "TypeError: e.map is not a function" instead of a validation error. What always runs instead: the
 * orb harness expands every job of the orb and of every example (expand.test.ts, examples.test.ts),
 * the review rules (review.test.ts), and CircleCI's own `circleci orb validate` in the project's
 * publishing jobs.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createHash } from "node:crypto";
import { CONFIG_SCHEMA } from "../../src/orb/project-config.js";
import { compileSchema, PROJECT_CONFIG_FILE, readOrb, readSchema, SCHEMA_VARIABLE, schemaFile, walk } from "./orb-files.js";

const SCHEMA = schemaFile();
// Said once per run, beside vitest's skipped count, so the skip is never mistaken for a pass.
if (SCHEMA === undefined) console.warn(`CircleCI config schema suite SKIPPED: set ${SCHEMA_VARIABLE} to the path of CircleCI's schema.json (see test/orb/orb-files.ts)`);
const validate = SCHEMA === undefined ? () => ({ valid: false, errors: ["no schema"] }) : compileSchema(SCHEMA);

/** Fields CircleCI accepts a parameter expression in, but the schema checks by enum or pattern. */
const FALSE_POSITIVE_FIELDS: Record<string, string> = {
  resource_class: "small",
  no_output_timeout: "30m",
};

/** Replaces the known false positives in a copy of `document`; returns it and the paths replaced. */
function replaceKnownFalsePositives(document: unknown): { document: unknown; replaced: string[] } {
  const copy = structuredClone(document);
  const replaced: string[] = [];
  for (const [path, value] of walk(copy)) {
    const field = path.at(-1);
    if (field === undefined || !(field in FALSE_POSITIVE_FIELDS) || typeof value !== "string" || !/^<< parameters\.\w+ >>$/.test(value)) continue;
    // A job handing its no_output_timeout parameter on to a command is not a run step's field.
    if (field === "no_output_timeout" && path.at(-2) !== "run") continue;
    let parent = copy as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    parent[field] = FALSE_POSITIVE_FIELDS[field];
    replaced.push(path.join("/"));
  }
  return { document: copy, replaced };
}

describe.skipIf(SCHEMA === undefined)(`CircleCI config schema (${SCHEMA === undefined ? `SKIPPED: set ${SCHEMA_VARIABLE} to CircleCI's schema.json` : `${SCHEMA_VARIABLE}=${SCHEMA}`})`, () => {
  const orb = readOrb();

  it("validates orb/orb.yml, with exactly the expected false positives replaced", () => {
    const { document, replaced } = replaceKnownFalsePositives(orb);
    expect(replaced.sort()).toEqual(
      [
        "executors/node/resource_class",
        "jobs/build/executor/resource_class",
        "jobs/release/executor/resource_class",
        "jobs/rollback/executor/resource_class",
        "jobs/continue/executor/resource_class",
        "commands/release/steps/0/run/no_output_timeout",
        "commands/rollback/steps/0/run/no_output_timeout",
        "commands/continue/steps/0/run/no_output_timeout",
      ].sort(),
    );
    const result = validate(document);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("gives no_output_timeout only values CircleCI reads: the defaults and the examples' values", () => {
    // The parameter expression is a false positive above; the values it becomes must still match.
    const schema = readSchema(SCHEMA as string);
    const pattern = [...walk(schema)].find(([path]) => path.at(-1) === "no_output_timeout")?.[1] as { pattern?: string } | undefined;
    expect(pattern?.pattern).toBeDefined();
    const unit = new RegExp(`^(?:${pattern?.pattern ?? ""})$`);
    const values = [
      ...["release", "rollback"].map((command) => (orb.commands[command]?.["parameters"] as Record<string, { default?: unknown }>)["no_output_timeout"]?.default),
      ...[...walk(Object.values(orb.examples).map((example) => example.usage))].filter(([path]) => path.at(-1) === "no_output_timeout").map(([, value]) => value),
    ];
    expect(values.length).toBeGreaterThanOrEqual(3);
    for (const value of values) expect(String(value)).toMatch(unit);
  });

  it("really fails on the false positives unless they are replaced (the exception is needed)", () => {
    const result = validate(orb);
    expect(result.valid).toBe(false);
    expect(result.errors.some((error) => error.startsWith("/executors/node/resource_class "))).toBe(true);
  });

  it("validates every example's usage as a complete config, as it is", () => {
    expect(Object.keys(orb.examples).length).toBeGreaterThan(0);
    for (const [name, example] of Object.entries(orb.examples)) {
      const result = validate(example.usage);
      expect({ name, errors: result.errors }).toEqual({ name, errors: [] });
    }
  });

  it("validates the project's own .circleci/config.yml, as it is", () => {
    const result = validate(parse(readFileSync(PROJECT_CONFIG_FILE, "utf8")));
    expect(result.errors).toEqual([]);
  });

  it("rejects a broken orb (the validator is not vacuous)", () => {
    const broken = structuredClone(orb) as unknown as { jobs: Record<string, Record<string, unknown>> };
    (broken.jobs["release"] as Record<string, unknown>)["steps"] = "not a list";
    expect(validate(replaceKnownFalsePositives(broken).document).valid).toBe(false);
  });
});

describe("README", () => {
  it("shows the orb's minimal example as the smallest working config", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Use the orb"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const smallest = parse(block ?? "") as unknown;
    expect(smallest).toEqual(readOrb().examples["minimal"]?.usage);
  });

  it.skipIf(SCHEMA === undefined)(`its smallest working config validates against CircleCI's schema (needs ${SCHEMA_VARIABLE})`, () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Use the orb"));
    const smallest = parse(/```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "") as unknown;
    expect(validate(smallest).errors).toEqual([]);
  });
});

describe("the schema check is never silently skipped", () => {
  it(`names ${SCHEMA_VARIABLE} and refuses a set variable that names no file`, () => {
    expect(schemaFile({})).toBeUndefined();
    expect(schemaFile({ [SCHEMA_VARIABLE]: "  " })).toBeUndefined();
    expect(schemaFile({ [SCHEMA_VARIABLE]: "/x/schema.json" })).toBe("/x/schema.json");
    expect(() => compileSchema("/nonexistent/schema.json")).toThrow(`${SCHEMA_VARIABLE}=/nonexistent/schema.json: no such file`);
  });
});

describe("the project's CircleCI pipeline checks what a local run cannot", () => {
  const config = parse(readFileSync(PROJECT_CONFIG_FILE, "utf8")) as { jobs: Record<string, { steps: unknown[] }> };
  const commands = (job: string) => (config.jobs[job]?.steps ?? []).flatMap((step) => (typeof step === "object" && step !== null && "run" in step ? [String((step as { run: { command: string } }).run.command)] : []));

  it(`the test job downloads CircleCI's schema pinned by commit and SHA-256, and sets ${SCHEMA_VARIABLE} before the tests`, () => {
    expect(CONFIG_SCHEMA.variable).toBe(SCHEMA_VARIABLE);
    const steps = commands("test");
    const download = steps.findIndex((command) => command.includes(CONFIG_SCHEMA.url));
    expect(download).toBeGreaterThanOrEqual(0);
    expect(CONFIG_SCHEMA.url).toContain("/CircleCI-Public/circleci-yaml-language-server/c9a13f55002be4d417369b2dfce7f9da1ea7e517/schema.json");
    expect(steps[download]).toContain(`echo "${CONFIG_SCHEMA.sha256}  ${CONFIG_SCHEMA.path}" | sha256sum -c -`);
    expect(steps[download]).toContain(`export ${SCHEMA_VARIABLE}=${CONFIG_SCHEMA.path}`);
    expect(download).toBeLessThan(steps.findIndex((command) => command.startsWith("mkdir -p test-results && npm test")));
  });

  it.skipIf(SCHEMA === undefined)(`the schema given in ${SCHEMA_VARIABLE} is the pinned one (SHA-256)`, () => {
    expect(createHash("sha256").update(readFileSync(SCHEMA as string)).digest("hex")).toBe(CONFIG_SCHEMA.sha256);
  });

  it("every publishing job runs the real `circleci orb validate` before `circleci orb publish`", () => {
    for (const job of ["publish_dev_orb", "publish_orb"]) {
      const steps = commands(job);
      const validateAt = steps.findIndex((command) => command === "circleci orb validate orb/orb.yml");
      const publishAt = steps.findIndex((command) => command.startsWith("circleci orb publish orb/orb.yml "));
      expect(validateAt, job).toBeGreaterThanOrEqual(0);
      expect(validateAt, job).toBeLessThan(publishAt);
    }
  });
});
