/**
 * ssm-environment.ts word for word: every refusal of `--ssm-path` and `--env`, the names parameters map
 * to, the problems of several parameters at once (the separators, the plurals), and the order of what
 * is rendered (sorted by name, literals after SSM's clashes).
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { buildEnvironment, mapParameterName, normalizeSsmPath, parseLiteralEnvironment } from "../../../src/core/ssm-environment.js";

const caught = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error("nothing thrown");
};

describe("normalizeSsmPath", () => {
  it.each<[string, string]>([
    [" /app/prod/ ", "/app/prod"],
    ["/app//", "/app"],
    ["/a.b_c-d/E1", "/a.b_c-d/E1"],
  ])("%j → %s", (path, expected) => expect(normalizeSsmPath(path)).toBe(expected));

  it.each<[string, string]>([
    ["", '--ssm-path "" must be an absolute parameter path such as /app/prod'],
    ["   ", '--ssm-path "   " must be an absolute parameter path such as /app/prod'],
    ["app/prod", '--ssm-path "app/prod" must be an absolute parameter path such as /app/prod'],
    [
      " // ",
      `--ssm-path " // " is the root of Parameter Store: it would put every parameter of the Region (other environments' secrets included) into the task definition; name the environment's path, such as /app/prod`,
    ],
    ["/app//prod", '--ssm-path "/app//prod" is not a parameter path: segments of letters, digits, _ . and - separated by single slashes, such as /app/prod'],
    ["/app/pr od", '--ssm-path "/app/pr od" is not a parameter path: segments of letters, digits, _ . and - separated by single slashes, such as /app/prod'],
    ["/app/$x", '--ssm-path "/app/$x" is not a parameter path: segments of letters, digits, _ . and - separated by single slashes, such as /app/prod'],
  ])("refuses %j", (path, message) => expect(caught(() => normalizeSsmPath(path)).message).toBe(message));
});

describe("mapParameterName", () => {
  it.each<[string, string, string]>([
    ["/app/prod", "/app/prod/db/HOST", "db_HOST"],
    ["/app/prod/", "/app/prod/KEY", "KEY"],
    ["/", "/KEY", "KEY"],
    ["/", "/a/b", "a_b"],
    ["/app/prod", "/app/production/KEY", "app_production_KEY"],
    ["/app/prod", "KEY", "KEY"],
  ])("under %s: %s → %s", (path, name, expected) => expect(mapParameterName(path, name)).toBe(expected));
});

describe("parseLiteralEnvironment", () => {
  it("the last value of a name wins; a value may hold = and be empty", () => {
    expect(parseLiteralEnvironment(["A=1", "B=x=y", "A=2", "C="])).toStrictEqual([
      { name: "A", value: "2" },
      { name: "B", value: "x=y" },
      { name: "C", value: "" },
    ]);
  });

  it("every problem at once, each named", () => {
    const error = caught(() => parseLiteralEnvironment(["=x", "NOEQUALS", "1A=2", "OK=1", "B-C=3"]));
    expect(error.message).toBe('--env: "=x" is not NAME=VALUE; "NOEQUALS" is not NAME=VALUE; "1A" is not a valid variable name; "B-C" is not a valid variable name (names: letters, digits and _, not starting with a digit)');
    expect(error.problems).toStrictEqual(['"=x" is not NAME=VALUE', '"NOEQUALS" is not NAME=VALUE', '"1A" is not a valid variable name', '"B-C" is not a valid variable name']);
  });
});

describe("buildEnvironment: several problems, the order of what it renders", () => {
  const p = (name: string, value = "v", type = "String") => ({ name, value, type });

  it("one invalid name and one collision", () => {
    const error = caught(() => buildEnvironment({ path: "/app", parameters: [p("/app/1X"), p("/app/a/b"), p("/app/a_b")] }));
    expect(error.message).toBe(
      '1 parameter map to invalid environment variable names: /app/1X → "1X"; two parameters map to the same variable name: /app/a/b and /app/a_b → a_b — rename them in SSM under /app (names: letters, digits and _, not starting with a digit; "/" becomes "_")',
    );
    expect(error.problems).toStrictEqual(['invalid name /app/1X → "1X"', "colliding /app/a/b and /app/a_b → a_b"]);
  });

  it("several of each", () => {
    const error = caught(() => buildEnvironment({ path: "/app", parameters: [p("/app/1X"), p("/app/2Y"), p("/app/a/b"), p("/app/a_b"), p("/app/c/d"), p("/app/c_d")] }));
    expect(error.message).toBe(
      '2 parameters map to invalid environment variable names: /app/1X → "1X"; /app/2Y → "2Y"; parameters map to the same variable name: /app/a/b and /app/a_b → a_b; /app/c/d and /app/c_d → c_d — rename them in SSM under /app (names: letters, digits and _, not starting with a digit; "/" becomes "_")',
    );
  });

  it("collisions only", () => {
    expect(caught(() => buildEnvironment({ path: "/app", parameters: [p("/app/a/b"), p("/app/a_b")] })).message).toBe(
      'two parameters map to the same variable name: /app/a/b and /app/a_b → a_b — rename them in SSM under /app (names: letters, digits and _, not starting with a digit; "/" becomes "_")',
    );
  });

  it("sorted by name; literals after a clash are left out and named; the default mode inlines SecureStrings", () => {
    const rendered = buildEnvironment({ path: "/app", parameters: [p("/app/Z"), p("/app/TOKEN", "long-secret", "SecureString"), p("/app/B")], literals: ["Z=mine", "A=1", "C=2"] });
    expect(rendered).toStrictEqual({
      environment: [
        { name: "A", value: "1", secure: false },
        { name: "B", value: "v", secure: false, parameter: "/app/B" },
        { name: "C", value: "2", secure: false },
        { name: "TOKEN", value: "long-secret", secure: true, parameter: "/app/TOKEN" },
        { name: "Z", value: "v", secure: false, parameter: "/app/Z" },
      ],
      secrets: [],
      secureNames: ["TOKEN"],
      clashes: ["Z"],
    });
  });

  it("secrets mode: SecureStrings as references (the ARN, else the name), sorted", () => {
    const rendered = buildEnvironment({
      path: "/app",
      mode: "secrets",
      parameters: [
        { name: "/app/Y", value: "s", type: "SecureString" },
        { name: "/app/X", value: "s", type: "SecureString", arn: "arn:aws:ssm:us-east-1:1:parameter/app/X" },
      ],
      literals: ["B=1", "A=2"],
    });
    expect(rendered.secrets).toStrictEqual([
      { name: "X", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/app/X" },
      { name: "Y", valueFrom: "/app/Y" },
    ]);
    expect(rendered.secureNames).toStrictEqual(["X", "Y"]);
    expect(rendered.environment.map((e) => e.name)).toStrictEqual(["A", "B"]);
  });

  it("clashes sorted", () => {
    expect(buildEnvironment({ path: "/app", parameters: [p("/app/B"), p("/app/A")], literals: ["B=1", "A=1"] }).clashes).toStrictEqual(["A", "B"]);
  });
});
