/**
 * The harness's expansion rules on a small hand-written orb (so they are tested apart from ours):
 * defaults, steps parameters, commands inside commands, `when`/`unless` with logic statements,
 * `shell:`, `\<<` escapes, pipeline values; and the generator's rule that it imports no runtime code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expandJob, runJob, type Orb } from "../helpers/orb-harness.js";

const ORB: Orb = {
  executors: { tiny: { parameters: { tag: { type: "string", default: "1.0" } }, docker: [{ image: "example/tiny:<< parameters.tag >>" }] } },
  commands: {
    greet: {
      parameters: { who: { type: "string", default: "world" }, loud: { type: "boolean", default: false } },
      steps: [
        { when: { condition: "<< parameters.loud >>", steps: [{ run: { name: "Loud", command: 'printf "%s\\n" "HELLO $WHO" >> out', environment: { WHO: "<< parameters.who >>" } } }] } },
        { unless: { condition: "<< parameters.loud >>", steps: [{ run: { name: "Quiet", command: 'printf "%s\\n" "hello $WHO" >> out', environment: { WHO: "<< parameters.who >>" } } }] } },
      ],
    },
    twice: {
      parameters: { who: { type: "string" } },
      steps: [{ greet: { who: "<< parameters.who >>" } }, { greet: { who: "<< parameters.who >>", loud: true } }],
    },
  },
  jobs: {
    demo: {
      parameters: {
        who: { type: "string", default: "you" },
        mode: { type: "enum", enum: ["a", "b"], default: "a" },
        extra: { type: "steps", default: [] },
      },
      executor: { name: "tiny", tag: "2.0" },
      steps: [
        { twice: { who: "<< parameters.who >>" } },
        "<< parameters.extra >>",
        { when: { condition: { equal: ["b", "<< parameters.mode >>"] }, steps: [{ run: { name: "Mode b", command: "echo b >> out" } }] } },
        { run: { name: "Shell and escapes", shell: "/bin/sh -eu", command: "echo '\\<< not a parameter >>' \"$0\" >> out; echo << pipeline.number >> >> out" } },
      ],
    },
  },
} as unknown as Orb;

describe("orb harness", () => {
  it("expands defaults, steps parameters, nested commands, when/unless and the executor", () => {
    const job = expandJob(ORB, "demo", { who: "Ada", mode: "b", extra: [{ run: { name: "Extra", command: "echo extra >> out" } }] });
    expect(job.executor).toEqual({ docker: [{ image: "example/tiny:2.0" }] });
    expect(job.steps.map((step) => (step.type === "run" ? step.run.name : step.type))).toEqual(["Quiet", "Loud", "Extra", "Mode b", "Shell and escapes"]);
    const last = job.steps.at(-1);
    expect(last?.type === "run" && last.run.command).toBe("echo '<< not a parameter >>' \"$0\" >> out; echo 42 >> out");
    const a = expandJob(ORB, "demo", {});
    expect(a.steps.map((step) => (step.type === "run" ? step.run.name : step.type))).toEqual(["Quiet", "Loud", "Shell and escapes"]);
  });

  it("runs the steps with their environment and shell, in order", async () => {
    const run = await runJob(expandJob(ORB, "demo", { who: "Ada $(id)", mode: "b" }));
    expect(run.code, run.output).toBe(0);
    expect(readFileSync(`${run.workingDirectory}/out`, "utf8")).toBe("hello Ada $(id)\nHELLO Ada $(id)\nb\n<< not a parameter >> /bin/sh\n42\n");
  });

  it("takes a workflow's keys: pre-steps and post-steps around the job's steps, scheduling keys ignored", () => {
    const job = expandJob(ORB, "demo", {
      name: "demo_prod",
      requires: ["approve"],
      context: "aws-prod",
      filters: { branches: { only: "main" } },
      "serial-group": "gh/acme/shop/demo",
      "pre-steps": ["checkout", { greet: { who: "first" } }],
      "post-steps": [{ run: { name: "Last", command: "true" } }],
    });
    expect(job.steps.map((step) => (step.type === "run" ? step.run.name : step.type))).toEqual(["checkout", "Quiet", "Quiet", "Loud", "Shell and escapes", "Last"]);
    expect(() => expandJob(ORB, "demo", { matrix: { parameters: { who: ["a", "b"] } } })).toThrow(/matrix is not modelled/);
  });

  it("splices a steps parameter given in the documented form `- steps: << parameters.x >>`", () => {
    const documented = structuredClone(ORB) as unknown as { jobs: { demo: { steps: unknown[] } } };
    documented.jobs.demo.steps = [{ steps: "<< parameters.extra >>" }];
    const job = expandJob(documented as unknown as Orb, "demo", { extra: [{ run: { name: "Extra", command: "true" } }, { greet: { who: "x" } }] });
    expect(job.steps.map((step) => (step.type === "run" ? step.run.name : step.type))).toEqual(["Extra", "Quiet"]);
  });

  it("refuses an unknown command or a command calling itself forever", () => {
    const broken = structuredClone(ORB) as unknown as { jobs: { demo: { steps: unknown[] } }; commands: Record<string, unknown> };
    broken.jobs.demo.steps = ["nope"];
    expect(() => expandJob(broken as unknown as Orb, "demo", {})).toThrow(/unknown command nope/);
    broken.commands["loop"] = { steps: ["loop"] };
    broken.jobs.demo.steps = ["loop"];
    expect(() => expandJob(broken as unknown as Orb, "demo", {})).toThrow(/nest too deep/);
  });
});

describe("the orb generator", () => {
  // The one exception: the flag definitions (pure data and the types of a definition), from which the
  // orb's parameters take their type and default; they import nothing else of the CLI.
  const FLAG_DEFINITIONS = ["../cli/flag-definitions.js", "../cli/flag-spec.js"];

  it("imports no runtime code: only its own modules, node:, yaml, the CircleCI SDK, esbuild (the unpack script's whitespace), the flag definitions and package.json (the version)", () => {
    const dir = new URL("../../src/orb/", import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const seen = new Set<string>();
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), "utf8");
      for (const match of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/gm)) {
        const specifier = (match[1] ?? match[2]) as string;
        seen.add(specifier);
        const allowed =
          (specifier.startsWith("./") && !specifier.includes("..")) || specifier.startsWith("node:") || specifier === "yaml" || specifier === "esbuild" || specifier === "@circleci/circleci-config-sdk" || FLAG_DEFINITIONS.includes(specifier) || specifier === "../../package.json";
        expect(allowed, `${file} imports ${specifier}`).toBe(true);
      }
    }
    expect(seen).toContain("@circleci/circleci-config-sdk");
    expect(seen).toContain("./parameters.js");
    expect(seen).toContain("../cli/flag-definitions.js");
  });

  it("the flag definitions it reads import nothing but the definition types", () => {
    const imports = (file: string) => [...readFileSync(new URL(`../../src/cli/${file}`, import.meta.url), "utf8").matchAll(/^\s*import\b[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]);
    expect(imports("flag-definitions.ts")).toEqual(["./flag-spec.js"]);
    expect(imports("flag-spec.ts")).toEqual([]);
  });
});
