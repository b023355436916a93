/**
 * The orb review rules (CircleCI's orb-tools review, plus this project's): descriptions everywhere,
 * examples, display URLs, named run steps, snake_case names, no long inline shell, parameters that
 * reach the CLI only through `environment:`, and every CLI-backed parameter mapped to a real flag.
 */
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { GLOBAL_FLAGS } from "../../src/cli/flag-definitions.js";
import { envVarName, type FlagSpec } from "../../src/cli/flag-spec.js";
import type { Yaml } from "../helpers/orb-harness.js";
import { fromFlag, STEP_PARAMETERS } from "../../src/orb/parameters.js";
import { readOrb, walk } from "./orb-files.js";

const orb = readOrb();
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const COMPONENT_KINDS = ["commands", "jobs", "executors"] as const;

type Map = Record<string, Yaml>;

/** Every run step in the orb's components (nested `when`/`unless` included), with where it is. */
function runSteps(): { where: string; run: Map }[] {
  const found: { where: string; run: Map }[] = [];
  for (const kind of ["commands", "jobs"] as const) {
    for (const [name, component] of Object.entries(orb[kind])) {
      for (const [path, value] of walk(component["steps"])) {
        if (path.at(-1) === "run" && value !== null && typeof value === "object" && !Array.isArray(value)) found.push({ where: `${kind}.${name}.${path.join(".")}`, run: value as Map });
        if (path.at(-1) === "run" && typeof value === "string") found.push({ where: `${kind}.${name}.${path.join(".")}`, run: { command: value } });
      }
    }
  }
  return found;
}

describe("orb review rules", () => {
  it("has a description of at least 64 characters, and display.home_url and source_url", () => {
    expect(orb.description.length).toBeGreaterThanOrEqual(64);
    expect(orb.display["home_url"]).toMatch(/^https:\/\//);
    expect(orb.display["source_url"]).toMatch(/^https:\/\//);
  });

  it("describes every command, job, executor and example", () => {
    for (const kind of [...COMPONENT_KINDS, "examples"] as const) {
      const components = orb[kind] as Record<string, { description?: unknown }>;
      expect(Object.keys(components).length, kind).toBeGreaterThan(0);
      for (const [name, component] of Object.entries(components)) {
        expect(typeof component.description === "string" && component.description.length >= 20, `${kind}.${name} needs a description`).toBe(true);
      }
    }
  });

  it("has the five jobs, a command per CLI verb plus install and OIDC, and examples", () => {
    expect(Object.keys(orb.jobs).sort()).toEqual(["build", "continue", "release", "rollback", "test"]);
    expect(Object.keys(orb.commands).sort()).toEqual(["configure_aws_oidc", "continue", "install", "push", "release", "rollback"]);
    expect(Object.keys(orb.examples).length).toBeGreaterThanOrEqual(1);
  });

  it("types, describes and (when optional) defaults every parameter; names are snake_case", () => {
    for (const kind of COMPONENT_KINDS) {
      for (const [name, component] of Object.entries(orb[kind])) {
        expect(name, `${kind}.${name}`).toMatch(SNAKE);
        for (const [parameter, declaration] of Object.entries((component["parameters"] ?? {}) as Record<string, Map>)) {
          const where = `${kind}.${name}.parameters.${parameter}`;
          expect(parameter, where).toMatch(SNAKE);
          expect(["string", "boolean", "integer", "enum", "steps", "executor", "env_var_name"], where).toContain(declaration["type"]);
          expect(String(declaration["description"] ?? "").length, `${where} needs a description`).toBeGreaterThan(10);
          if (declaration["type"] === "enum") expect(declaration["enum"], where).toContain(declaration["default"]);
        }
      }
    }
    // RC004: example names say what they show, not that they are examples.
    for (const name of Object.keys(orb.examples)) {
      expect(name).toMatch(SNAKE);
      expect(name).not.toMatch(/example/);
    }
  });

  it("uses every parameter it declares", () => {
    for (const kind of COMPONENT_KINDS) {
      for (const [name, component] of Object.entries(orb[kind])) {
        const { parameters, ...body } = component;
        const text = JSON.stringify(body);
        for (const parameter of Object.keys((parameters ?? {}) as Map)) {
          expect(text.includes(`<< parameters.${parameter} >>`), `${kind}.${name} never uses ${parameter}`).toBe(true);
        }
      }
    }
  });

  it("names every run step, in the orb and in the examples", () => {
    const steps = runSteps();
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const { where, run } of steps) expect(typeof run["name"] === "string" && run["name"].length > 0, `${where} has no name`).toBe(true);
    for (const [name, example] of Object.entries(orb.examples)) {
      for (const [path, value] of walk(example.usage)) {
        if (path.at(-1) === "run") expect(typeof value === "object" && value !== null && "name" in value, `examples.${name}.${path.join(".")} has no name`).toBe(true);
      }
    }
  });

  it("has no long inline shell: every run command is one short line (RC009: at most 64 characters)", () => {
    for (const { where, run } of runSteps()) {
      const command = String(run["command"]);
      expect(command.includes("\n"), `${where}: ${command}`).toBe(false);
      expect(command.length, `${where}: ${command}`).toBeLessThanOrEqual(64);
    }
  });

  it("never puts a parameter into a run command: values reach the shell only through environment", () => {
    for (const { where, run } of runSteps()) expect(String(run["command"]), where).not.toMatch(/<<\s*parameters\./);
  });

  it("escapes `<<` in everything embedded (the helper scripts)", () => {
    for (const { run } of runSteps()) {
      for (const [variable, value] of Object.entries((run["environment"] ?? {}) as Map)) {
        const unescaped = String(value).replace(/\\<</g, "").replace(/<< (parameters|pipeline)\.[\w.]+ >>/g, "");
        expect(unescaped, variable).not.toContain("<<");
      }
    }
  });

  it("runs the CLI steps as `ecs-release <verb>`, named for what they do", () => {
    for (const verb of ["push", "release", "rollback", "continue"]) {
      const step = (orb.commands[verb]?.["steps"] as Map[])[0]?.["run"] as Map;
      expect(step["command"]).toBe(`ecs-release ${verb}`);
      expect(String(step["name"])).toMatch(/<< parameters\.\w+ >>/);
    }
  });
});

describe("orb parameters and CLI flags", () => {
  /** Orb parameters whose name is not the flag in snake_case, and why. */
  const RENAMED: Record<string, string> = {
    // A workflow job's `context:` is the CircleCI context; a job parameter cannot be named so.
    build_context: "context",
  };
  /** Flags the orb does not offer: output format and help make no sense in a job. */
  const NOT_IN_ORB = new Set(["json", "help"]);

  for (const verb of ["push", "release", "rollback", "continue"] as const) {
    it(`maps every ${verb} flag to a parameter of the ${verb} command, and every parameter to a flag`, () => {
      const spec = COMMANDS.find((command) => command.name === verb);
      expect(spec).toBeDefined();
      const flags = [...(spec?.flags ?? []).map((flag) => flag.name), "region", "debug"].filter((flag) => !NOT_IN_ORB.has(flag));
      const step = (orb.commands[verb]?.["steps"] as Map[])[0]?.["run"] as Map;
      const environment = step["environment"] as Record<string, string>;
      const parameters = orb.commands[verb]?.["parameters"] as Record<string, Map>;

      const expected = Object.fromEntries(flags.map((flag) => {
        const parameter = Object.entries(RENAMED).find(([, renamed]) => renamed === flag)?.[0] ?? flag.replace(/-/g, "_");
        return [envVarName(flag), `<< parameters.${parameter} >>`];
      }));
      const { CIRCLE_PIPELINE_NUM: pipelineNumber, ...flagEnvironment } = environment;
      expect(flagEnvironment).toEqual(expected);
      expect(pipelineNumber).toBe("<< pipeline.number >>");
      // Besides the flags, only CircleCI's own step settings (no_output_timeout).
      expect(Object.keys(parameters).sort()).toEqual([...Object.values(expected).map((ref) => ref.slice(14, -3)), ...STEP_PARAMETERS[verb]].sort());

      // The generated orb's type and default are the CLI's, for every flag of the verb and the global
      // ones (checked in orb/orb.yml itself, against the CLI's flag definitions).
      const definitions: readonly FlagSpec[] = [...(spec?.flags ?? []), ...GLOBAL_FLAGS];
      for (const flag of definitions) {
        if (NOT_IN_ORB.has(flag.name)) continue;
        const parameter = parameters[Object.entries(RENAMED).find(([, renamed]) => renamed === flag.name)?.[0] ?? flag.name.replace(/-/g, "_")];
        const where = `${verb} --${flag.name}`;
        expect(parameter, where).toBeDefined();
        const type = flag.type === "boolean" ? "boolean" : flag.type === "integer" ? "integer" : flag.choices ? "enum" : "string";
        expect(parameter?.["type"], `${where}: the orb's type is not the CLI's`).toBe(type);
        if (flag.choices) expect(parameter?.["enum"], `${where}: the orb's values are not the CLI's choices`).toEqual(flag.choices);
        if (flag.required) expect(parameter && "default" in parameter, `${where} is required: no default`).toBe(false);
        // The orb's default is the CLI's: the flag's own default, or the value that means "not given"
        // (an empty string the CLI ignores, false for a switch), so a job behaves as the CLI documents.
        else expect(parameter?.["default"], `${where}: the orb's default is not the CLI's`).toBe(flag.type === "boolean" ? false : flag.type === "integer" ? Number(flag.default) : (flag.default ?? ""));
      }
    });
  }

  it("defines each parameter once: a job's parameter and the command it forwards to are the same", () => {
    for (const [job, command] of [["build", "push"], ["release", "release"], ["rollback", "rollback"]] as const) {
      const jobParameters = orb.jobs[job]?.["parameters"] as Record<string, Map>;
      for (const [name, declaration] of Object.entries(orb.commands[command]?.["parameters"] as Record<string, Map>)) {
        expect(jobParameters[name], `${job}.${name} vs ${command}.${name}`).toEqual(declaration);
      }
    }
    const region = [orb.commands["configure_aws_oidc"], orb.commands["release"], orb.jobs["build"]].map((c) => (c?.["parameters"] as Record<string, Map>)["region"]);
    expect(new Set(region.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it("runs release and rollback on a small resource class, on a Node 22 image", () => {
    for (const job of ["release", "rollback"]) {
      expect(((orb.jobs[job]?.["parameters"] as Record<string, Map>)["resource_class"])?.["default"]).toBe("small");
    }
    const node = orb.executors["node"] as Map;
    expect(JSON.stringify(node["docker"])).toContain("cimg/node:<< parameters.node_version >>");
    expect(String((node["parameters"] as Record<string, Map>)["node_version"]?.["default"])).toMatch(/^22(\.|$)/);
  });
});

describe("fromFlag: an orb parameter typed and defaulted by its flag's definition", () => {
  const description = "the orb's own wording";
  it.each<[string, FlagSpec, Record<string, unknown>]>([
    ["a switch: boolean, false", { name: "dry-run", type: "boolean", description: "" }, { type: "boolean", default: false }],
    ["a string with a default: that default", { name: "docker", type: "string", default: "docker", description: "" }, { type: "string", default: "docker" }],
    ["an optional string: empty, which the CLI reads as unset", { name: "sha", type: "string", description: "" }, { type: "string", default: "" }],
    ["a required string: no default", { name: "cluster", type: "string", required: true, description: "" }, { type: "string" }],
    ["a list: a string", { name: "service", type: "list", required: true, description: "" }, { type: "string" }],
    ["a duration: a string with the flag's default", { name: "timeout", type: "duration", default: "30m", description: "" }, { type: "string", default: "30m" }],
    ["an integer: an integer", { name: "keep", type: "integer", default: "20", description: "" }, { type: "integer", default: 20 }],
    ["choices: an enum of the same values", { name: "mode", type: "string", choices: ["a", "b"], default: "a", description: "" }, { type: "enum", enum: ["a", "b"], default: "a" }],
  ])("%s", (_name, flag, expected) => {
    expect(fromFlag(flag, { description })).toEqual({ ...expected, flag: flag.name, description });
  });

  it("refuses what CircleCI could not default: an optional integer or enum without a default", () => {
    expect(() => fromFlag({ name: "limit", type: "integer", description: "" }, { description })).toThrow(/--limit: an optional integer flag needs a default/);
    expect(() => fromFlag({ name: "mode", type: "string", choices: ["a"], description: "" }, { description })).toThrow(/--mode: an optional flag with choices needs a default/);
  });
});

describe("publishing placeholders", () => {
  it("are set in one place (src/orb/meta.ts): no other generator file names the orb, its URLs or the publishing context", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const meta = await import("../../src/orb/meta.js");
    const dir = new URL("../../src/orb/", import.meta.url);
    // (`ecs-release/release` in the examples is the alias users give the orb in their config, not the namespace.)
    const literals = [meta.ORB_NAME, meta.SOURCE_URL, meta.PUBLISH_CONTEXT];
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".ts") && name !== "meta.ts")) {
      const text = readFileSync(new URL(file, dir), "utf8");
      for (const literal of literals) expect(text.includes(literal), `${file} repeats ${literal}`).toBe(false);
    }
    expect(orb.display["source_url"]).toBe(meta.SOURCE_URL);
  });
});
