/**
 * orb/orb.yml, every example's usage and .circleci/config.yml against CircleCI's own JSON schema.
 * The schema's known false positives — a `<< parameters.x >>` expression in a field it constrains by
 * enum or pattern — are replaced one by one, at the exact paths listed here, by a value the parameter
 * can take; everything else must validate as it is.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileSchema, PROJECT_CONFIG_FILE, readOrb, walk } from "./orb-files.js";

const validate = compileSchema();

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
    let parent = copy as Record<string, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
    parent[field] = FALSE_POSITIVE_FIELDS[field];
    replaced.push(path.join("/"));
  }
  return { document: copy, replaced };
}

describe("CircleCI config schema", () => {
  const orb = readOrb();

  it("validates orb/orb.yml, with exactly the expected false positives replaced", () => {
    const { document, replaced } = replaceKnownFalsePositives(orb);
    expect(replaced.sort()).toEqual(
      [
        "executors/node/resource_class",
        "jobs/build/executor/resource_class",
        "jobs/release/executor/resource_class",
        "jobs/rollback/executor/resource_class",
        "commands/release/steps/0/run/no_output_timeout",
        "commands/rollback/steps/0/run/no_output_timeout",
      ].sort(),
    );
    const result = validate(document);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("gives no_output_timeout only values CircleCI reads: the timeout defaults and the examples' timeouts", () => {
    // The parameter expression is a false positive above; the values it becomes must still match.
    const schema = JSON.parse(readFileSync(new URL("../../../shared/circleci/config-schema.json", import.meta.url), "utf8")) as object;
    const pattern = [...walk(schema)].find(([path]) => path.at(-1) === "no_output_timeout")?.[1] as { pattern?: string } | undefined;
    expect(pattern?.pattern).toBeDefined();
    const unit = new RegExp(`^(?:${pattern?.pattern ?? ""})$`);
    const values = [
      ...["release", "rollback"].map((command) => (orb.commands[command]?.["parameters"] as Record<string, { default?: unknown }>)["timeout"]?.default),
      ...[...walk(Object.values(orb.examples).map((example) => example.usage))].filter(([path]) => path.at(-1) === "timeout").map(([, value]) => value),
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
    expect(validate(smallest).errors).toEqual([]);
  });
});
