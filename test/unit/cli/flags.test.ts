import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { envVarName, parseFlags, requireFlags, type FlagSpec } from "../../../src/cli/flags.js";

const specs: FlagSpec[] = [
  { name: "cluster", type: "string", required: true, description: "" },
  { name: "service", type: "list", required: true, description: "" },
  { name: "ssm-path", type: "string", description: "" },
  { name: "timeout", type: "duration", default: "30m", description: "" },
  { name: "limit", type: "integer", description: "" },
  { name: "no-wait", type: "boolean", description: "" },
  { name: "env", type: "list", keepCommas: true, description: "" },
];

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
    ["empty variable is unset", [], { ECS_RELEASE_CLUSTER: "", ECS_RELEASE_TIMEOUT: "" }, { cluster: undefined, timeout: 1_800_000 }],
    ["duration and integer", ["--timeout", "90s", "--limit", "5"], {}, { timeout: 90_000, limit: 5 }],
    ["the longest duration", ["--timeout", "24h"], {}, { timeout: 86_400_000 }],
    ["--flag=value form", ["--ssm-path=/app/prod"], {}, { "ssm-path": "/app/prod" }],
  ])("%s", (_name, argv, env, expected) => {
    const values = parseFlags(specs, argv, env);
    for (const [key, value] of Object.entries(expected)) expect(values[key], key).toEqual(value);
  });

  it.each<[string[], Record<string, string>, RegExp]>([
    [["--nope"], {}, /unknown flag --nope/],
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
  ])("rejects %j %j", (argv, env, message) => {
    expect(() => parseFlags(specs, argv, env)).toThrow(ValidationError);
    expect(() => parseFlags(specs, argv, env)).toThrow(message);
  });

  it("names every missing required flag at once", () => {
    expect(() => requireFlags(specs, parseFlags(specs, [], {}))).toThrow(/--cluster \(or ECS_RELEASE_CLUSTER\), --service \(or ECS_RELEASE_SERVICE\)/);
  });
});
