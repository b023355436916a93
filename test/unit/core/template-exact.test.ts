/**
 * template.ts word for word: each refusal of a template file (which part is wrong, in the file's
 * name), the `environment` and `secrets` shapes, the values YAML reads as numbers, and the tags a
 * template keeps.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { parseTemplate } from "../../../src/core/template.js";

const caught = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error("nothing thrown");
};
const why = (text: string): string => caught(() => parseTemplate(text, "t.json")).message.replace(/^template t\.json is not a task definition: /, "").replace(/ \(expected RegisterTaskDefinition input, or the output of aws ecs describe-task-definition\)$/, "");
const json = (value: unknown): string => JSON.stringify(value);
const app = (extra: object = {}) => ({ name: "app", image: "x", ...extra });

describe("parseTemplate: each refusal", () => {
  it.each<[string, unknown, string]>([
    ["no family", { containerDefinitions: [app()] }, 'it has no "family"'],
    ["an empty family", { family: "", containerDefinitions: [app()] }, 'it has no "family"'],
    ["a family that is a number", { family: 7, containerDefinitions: [app()] }, 'it has no "family"'],
    ["one unnamed container", { family: "web", containerDefinitions: [app(), { image: "y" }] }, '1 container definition has no "name"'],
    ["two unnamed containers, one with an empty name", { family: "web", containerDefinitions: [{ image: "y" }, { name: "", image: "z" }] }, '2 container definitions have no "name"'],
    ["an environment that is not a list", { family: "web", containerDefinitions: [app({ environment: { A: "1" } })] }, 'container "app" has a "environment" that is not a list of {"name": "...", "value": "..."}'],
    ["an environment entry without a name", { family: "web", containerDefinitions: [app({ environment: [{ value: "1" }] })] }, 'container "app" has a "environment" that is not a list of {"name": "...", "value": "..."}'],
    ["an environment value that is an object", { family: "web", containerDefinitions: [app({ environment: [{ name: "A", value: { x: 1 } }] })] }, 'container "app" has a "environment" that is not a list of {"name": "...", "value": "..."}'],
    ["an environment value that is a list", { family: "web", containerDefinitions: [app({ environment: [{ name: "A", value: [1] }] })] }, 'container "app" has a "environment" that is not a list of {"name": "...", "value": "..."}'],
    ["an environment entry that is a string", { family: "web", containerDefinitions: [app({ environment: ["A=1"] })] }, 'container "app" has a "environment" that is not a list of {"name": "...", "value": "..."}'],
    ["a secret without valueFrom", { family: "web", containerDefinitions: [app({ secrets: [{ name: "S" }] })] }, 'container "app" has a "secrets" that is not a list of {"name": "...", "valueFrom": "..."}'],
    [
      "both lists wrong, in two containers",
      { family: "web", containerDefinitions: [app({ secrets: "x" }), { name: "b", image: "y", environment: 1 }] },
      'container "app" has a "secrets" that is not a list of {"name": "...", "valueFrom": "..."}; container "b" has a "environment" that is not a list of {"name": "...", "value": "..."}',
    ],
  ])("%s", (_what, document, expected) => expect(why(json(document))).toBe(expected));

  it("text that is neither JSON nor YAML: the parser's first line, and its cause", () => {
    const error = caught(() => parseTemplate("{ not json", "t.json"));
    expect(error.message).toMatch(/^template t\.json is neither valid JSON nor YAML: [^\n]+$/);
    expect(error.cause).toBeInstanceOf(Error);
    expect(caught(() => parseTemplate("a: [1\n", "t.yaml")).message).toMatch(/^template t\.yaml is neither valid JSON nor YAML: \S[^\n]*$/);
  });

  it("JSON after blank lines is JSON; YAML is YAML", () => {
    expect(parseTemplate(`\n  ${json({ family: "web", containerDefinitions: [app()] })}`, "t.json").input.family).toBe("web");
    expect(parseTemplate("family: web\ncontainerDefinitions:\n  - name: app\n    image: x\n", "t.yaml").input.family).toBe("web");
    expect(parseTemplate("family: '{web}'\ncontainerDefinitions:\n  - name: app\n", "t.yaml").input.family).toBe("{web}");
  });
});

describe("parseTemplate: values and tags", () => {
  it("lists given as null are no lists; entries without a value stay so; numbers become strings", () => {
    const template = parseTemplate(json({ family: "web", containerDefinitions: [app({ environment: [{ name: "A", value: 1 }, { name: "B" }, { name: "C", value: "c" }], secrets: null })] }), "t.json");
    expect(template.input.containerDefinitions[0]?.environment).toStrictEqual([{ name: "A", value: "1" }, { name: "B" }, { name: "C", value: "c" }]);
  });

  it("tags: key/value or Key/Value, null and missing values as \"\", not objects skipped, own and aws: tags dropped", () => {
    const template = parseTemplate(
      json({
        taskDefinition: { family: "web", containerDefinitions: [app()] },
        tags: [
          { key: "team", value: "core" },
          { Key: "cost", Value: 7 },
          { key: "empty", value: null },
          { key: "none" },
          "not-a-tag",
          { value: "no key" },
          { key: "AWS:cloudformation:stack-name", value: "x" },
          { key: "x-aws:kept", value: "y" },
        ],
      }),
      "t.json",
    );
    expect(template.tags).toStrictEqual({ team: "core", cost: "7", empty: "", none: "", "x-aws:kept": "y" });
  });
});
