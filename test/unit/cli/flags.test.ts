import { describe, expect, expectTypeOf, it } from "vitest";
import { defineCommand, type CliContext } from "../../../src/cli/command.js";
import { GLOBAL_FLAGS, optional, RELEASE_FLAGS, TIMEOUT } from "../../../src/cli/flag-definitions.js";
import { byName, defineFlags, envVarName, type ParsedFlags } from "../../../src/cli/flag-spec.js";
import { choiceList, parseCommandLine, parseFlags } from "../../../src/cli/flags.js";
import { commandHelp } from "../../../src/cli/help.js";
import { ValidationError } from "../../../src/core/errors.js";
import { silentLogger } from "../../../src/core/logger.js";
import { Redactor } from "../../../src/core/redact.js";

/** Nothing required: each row sees what parsing alone makes of argv and the environment. */
const specs = defineFlags([
  { name: "cluster", type: "string", description: "" },
  { name: "service", type: "list", description: "" },
  { name: "ssm-path", type: "string", description: "" },
  { name: "timeout", type: "duration", default: "30m", description: "" },
  { name: "limit", type: "integer", description: "" },
  { name: "no-wait", type: "boolean", description: "" },
  { name: "env", type: "list", keepCommas: true, description: "" },
  { name: "mode", type: "string", choices: ["environment", "secrets"], default: "environment", description: "" },
]);

/** One of each kind of flag, to check the types parseFlags gives them. */
const typed = defineFlags([
  { name: "cluster", type: "string", required: true, description: "" },
  { name: "service", type: "list", required: true, description: "" },
  { name: "context", type: "string", default: ".", description: "" },
  { name: "sha", type: "string", description: "" },
  { name: "dry-run", type: "boolean", description: "" },
  { name: "tag", type: "list", description: "" },
  TIMEOUT,
  { name: "limit", type: "integer", default: "20", description: "" },
  { name: "keep", type: "integer", description: "" },
  { name: "mode", type: "string", choices: ["environment", "secrets"], default: "environment", description: "" },
  { name: "launch", type: "string", choices: ["FARGATE", "EC2"], description: "" },
  optional({ name: "task", type: "string", required: true, description: "" }),
]);

describe("parseFlags", () => {
  it("maps kebab-case flags to ECS_RELEASE_ variables", () => {
    expect(envVarName("ssm-path")).toBe("ECS_RELEASE_SSM_PATH");
    expect(envVarName("no-wait")).toBe("ECS_RELEASE_NO_WAIT");
  });

  it.each<[string, string[], Record<string, string>, Record<string, unknown>]>([
    ["argv only", ["--cluster", "c", "--service", "a", "--service", "b"], {}, { cluster: "c", service: ["a", "b"], timeout: 1_800_000 }],
    ["environment fallback, comma list", [], { ECS_RELEASE_CLUSTER: "c", ECS_RELEASE_SERVICE: "a, b,", ECS_RELEASE_NO_WAIT: "true" }, { cluster: "c", service: ["a", "b"], "no-wait": true }],
    ["newline list keeps commas", [], { ECS_RELEASE_SERVICE: "a,1\nb,2\n" }, { service: ["a,1", "b,2"] }],
    ["comma list on the command line", ["--service", "a,b", "--service", "c"], {}, { service: ["a", "b", "c"] }],
    ["key=value list keeps commas on the command line", ["--env", "A=1,2", "--env", "B=3"], {}, { env: ["A=1,2", "B=3"] }],
    ["flag wins over variable", ["--cluster", "flag"], { ECS_RELEASE_CLUSTER: "env" }, { cluster: "flag" }],
    ["empty variable is unset", [], { ECS_RELEASE_CLUSTER: "", ECS_RELEASE_TIMEOUT: "", ECS_RELEASE_MODE: "" }, { cluster: undefined, timeout: 1_800_000, mode: "environment" }],
    ["absent: a switch is false, a list empty, a string undefined, a default applied", [], {}, { "no-wait": false, service: [], env: [], "ssm-path": undefined, limit: undefined, timeout: 1_800_000, mode: "environment" }],
    ["duration and integer", ["--timeout", "90s", "--limit", "5"], {}, { timeout: 90_000, limit: 5 }],
    ["the longest duration", ["--timeout", "24h"], {}, { timeout: 86_400_000 }],
    ["--flag=value form", ["--ssm-path=/app/prod"], {}, { "ssm-path": "/app/prod" }],
    ["one of the choices, on the command line", ["--mode", "secrets"], {}, { mode: "secrets" }],
    ["one of the choices, in the variable", [], { ECS_RELEASE_MODE: "secrets" }, { mode: "secrets" }],
  ])("%s", (_name, argv, env, expected) => {
    const values: Record<string, unknown> = parseFlags(specs, argv, env);
    for (const [key, value] of Object.entries(expected)) expect(values[key], key).toEqual(value);
  });

  it.each<[string[], Record<string, string>, RegExp]>([
    [["--nope"], {}, /^unknown flag --nope \(see --help\)$/],
    [["--ssm_path", "/app/prod"], {}, /^unknown flag --ssm_path: did you mean --ssm-path\?$/],
    [["--ssmpath=/app/prod"], {}, /^unknown flag --ssmpath: did you mean --ssm-path\?$/],
    [["--cluster"], {}, /--cluster needs a value/],
    [["stray"], {}, /unexpected argument "stray"/],
    [["--timeout", "soon"], {}, /--timeout "soon" is not a duration/],
    [["--limit", "-1"], {}, /--limit/],
    [[], { ECS_RELEASE_LIMIT: "many" }, /ECS_RELEASE_LIMIT must be a whole number/],
    [[], { ECS_RELEASE_NO_WAIT: "perhaps" }, /ECS_RELEASE_NO_WAIT must be true or false/],
    // Issue 14.4: 1000h is past Node's 2^31 ms timer limit (setTimeout fires at once: a hot loop).
    [["--timeout", "1000h"], {}, /--timeout "1000h" is longer than the longest allowed, 24h/],
    [["--timeout", "24h1ms"], {}, /longer than the longest allowed, 24h/],
    [[], { ECS_RELEASE_TIMEOUT: "99999999999999999999999h" }, /ECS_RELEASE_TIMEOUT .* longer than the longest allowed/],
    // A value outside a flag's choices is refused by the parser, naming where it came from.
    [["--mode", "plaintext"], {}, /^--mode must be "environment" or "secrets", not "plaintext"$/],
    [["--mode", "Secrets"], {}, /^--mode must be "environment" or "secrets", not "Secrets"$/],
    [[], { ECS_RELEASE_MODE: "plain" }, /^ECS_RELEASE_MODE must be "environment" or "secrets", not "plain"$/],
  ])("rejects %j %j", (argv, env, message) => {
    expect(() => parseFlags(specs, argv, env)).toThrow(ValidationError);
    expect(() => parseFlags(specs, argv, env)).toThrow(message);
  });

  it("names every missing required flag at once (an empty list is missing too)", () => {
    expect(() => parseFlags(typed, [], { ECS_RELEASE_SERVICE: "," })).toThrow(/^missing required flags: --cluster \(or ECS_RELEASE_CLUSTER\), --service \(or ECS_RELEASE_SERVICE\)$/);
    expect(() => parseFlags(typed, ["--service", "web"], {})).toThrow(/^missing required flag: --cluster \(or ECS_RELEASE_CLUSTER\)$/);
  });

  it("lists choices in words", () => {
    expect(choiceList(["a"])).toBe('"a"');
    expect(choiceList(["a", "b"])).toBe('"a" or "b"');
    expect(choiceList(["a", "b", "c"])).toBe('"a", "b" or "c"');
  });
});

describe("parsed flags are typed from their definitions", () => {
  it("required or defaulted strings are strings, other strings may be undefined; switches, lists, numbers and choices", () => {
    const values = parseFlags(typed, ["--cluster", "prod", "--service", "web", "--launch", "EC2"], {});
    expectTypeOf(values).toEqualTypeOf<{
      readonly cluster: string;
      readonly service: string[];
      readonly context: string;
      readonly sha: string | undefined;
      readonly "dry-run": boolean;
      readonly tag: string[];
      readonly timeout: number;
      readonly limit: number;
      readonly keep: number | undefined;
      readonly mode: "environment" | "secrets";
      readonly launch: "FARGATE" | "EC2" | undefined;
      readonly task: string | undefined;
    }>();
    expect(values).toEqual({ cluster: "prod", service: ["web"], context: ".", sha: undefined, "dry-run": false, tag: [], timeout: 1_800_000, limit: 20, keep: undefined, mode: "environment", launch: "EC2", task: undefined });
    // @ts-expect-error: no such flag in the set
    void values.nope;
  });

  it("types a real command's flags: release's --secure-strings is the union of its choices", () => {
    type Release = ParsedFlags<typeof RELEASE_FLAGS>;
    expectTypeOf<Release["secure-strings"]>().toEqualTypeOf<"secretsmanager" | "environment" | "secrets">();
    expectTypeOf<Release["cluster"]>().toEqualTypeOf<string>();
    expectTypeOf<Release["service"]>().toEqualTypeOf<string[]>();
    expectTypeOf<Release["repository"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Release["timeout"]>().toEqualTypeOf<number>();
    expectTypeOf<Release["pre-deploy-timeout"]>().toEqualTypeOf<number>();
    expectTypeOf<Release["no-wait"]>().toEqualTypeOf<boolean>();
    expect(byName(RELEASE_FLAGS)["secure-strings"].choices).toEqual(["secretsmanager", "environment", "secrets"]);
    // The default keeps SecureStrings out of the task definition: only references, pinned per release.
    expect(byName(RELEASE_FLAGS)["secure-strings"].default).toBe("secretsmanager");
  });

  it("--help lists a flag's choices", () => {
    const command = defineCommand({ name: "demo", summary: "demo", description: "demo", examples: ["ecs-release demo"], flags: specs, execute: async () => ({ result: null }) });
    expect(commandHelp(command).split("\n").find((line) => line.includes("--mode "))).toContain("one of environment, secrets; default environment; ECS_RELEASE_MODE");
  });
});

describe("commands get their flags typed and parsed by the same definitions", () => {
  const context: Omit<CliContext, "flags"> = {
    env: {},
    log: silentLogger,
    redactor: new Redactor(),
    clock: { now: () => 0, sleep: async () => {} },
    signal: new AbortController().signal,
    json: false,
    debug: false,
    version: "test",
    print() {},
    aws: () => Promise.reject(new Error("no AWS in this test")),
  };

  it("execute receives the values parseFlags makes of the command line, defaults included", async () => {
    let seen: ParsedFlags<typeof typed> | undefined;
    const command = defineCommand({
      name: "demo",
      summary: "demo",
      description: "demo",
      examples: [],
      flags: typed,
      async execute(ctx) {
        expectTypeOf(ctx.flags.timeout).toEqualTypeOf<number>();
        seen = ctx.flags;
        return { result: ctx.flags.cluster };
      },
    });
    const parsed = command.parse(["--cluster", "prod", "--json", "--timeout", "90s"], { ECS_RELEASE_SERVICE: "web,worker" });
    expect(parsed.globals).toEqual({ region: undefined, json: true, debug: false, help: false });
    expect(await parsed.execute(context)).toEqual({ result: "prod" });
    expect(seen).toEqual(parseFlags(typed, ["--cluster", "prod", "--timeout", "90s"], { ECS_RELEASE_SERVICE: "web,worker" }));
  });

  it("--help needs no required flag; without it, a missing one is refused before execute", () => {
    expect(parseCommandLine(typed, GLOBAL_FLAGS, ["--help"], {}).globals.help).toBe(true);
    expect(() => parseCommandLine(typed, GLOBAL_FLAGS, [], {})).toThrow(/missing required flags: --cluster/);
  });
});
