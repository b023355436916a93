import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { buildEnvironment, isValidEnvironmentName, mapParameterName, normalizeSsmPath, parseLiteralEnvironment, type SsmParameter } from "../../../src/core/ssm-environment.js";

const p = (name: string, value = "v", type = "String"): SsmParameter => ({ name, value, type, arn: `arn:aws:ssm:us-east-1:1:parameter${name}` });

describe("mapParameterName", () => {
  it.each([
    ["/app/prod", "/app/prod/HOST", "HOST"],
    ["/app/prod/", "/app/prod/db/HOST", "db_HOST"],
    ["/app/prod", "/app/prod/a/b/c/Mixed", "a_b_c_Mixed"],
    ["/", "/TOP", "TOP"],
    ["/", "/a/b", "a_b"],
  ])("under %s, %s → %s", (path, name, expected) => expect(mapParameterName(path, name)).toBe(expected));
});

describe("normalizeSsmPath", () => {
  it.each([
    ["/app/prod/", "/app/prod"],
    ["/app/prod", "/app/prod"],
  ])("%s → %s", (input, expected) => expect(normalizeSsmPath(input)).toBe(expected));
  // Issue 14.3: the root would inline every parameter of the Region, other environments' secrets included.
  it.each(["/", "//", " / ", "/app//prod", "/app/pr od", "/app/$(x)"])("refuses %j", (input) => expect(() => normalizeSsmPath(input)).toThrow(ValidationError));
  it("names the root as the reason", () => expect(() => normalizeSsmPath("//")).toThrow(/root of Parameter Store/));
  it.each(["", "app/prod"])("refuses %j", (input) => expect(() => normalizeSsmPath(input)).toThrow(ValidationError));
});

describe("isValidEnvironmentName", () => {
  it.each([
    ["HOST", true],
    ["db_HOST", true],
    ["_x1", true],
    ["1ST", false],
    ["bad-name", false],
    ["dotted.name", false],
    ["", false],
  ])("%j → %s", (name, valid) => expect(isValidEnvironmentName(name)).toBe(valid));
});

describe("buildEnvironment", () => {
  it("inlines every value in environment mode, sorted, marking SecureStrings", () => {
    const env = buildEnvironment({ path: "/app", parameters: [p("/app/b/X", "2"), p("/app/A", "1"), p("/app/PASS", "s3", "SecureString")] });
    expect(env.environment.map((e) => [e.name, e.value, e.secure])).toEqual([
      ["A", "1", false],
      ["PASS", "s3", true],
      ["b_X", "2", false],
    ]);
    expect(env.secrets).toEqual([]);
    expect(env.secureNames).toEqual(["PASS"]);
  });

  it("references SecureStrings by ARN in secrets mode, plain values inline", () => {
    const env = buildEnvironment({ path: "/app", parameters: [p("/app/A", "1"), p("/app/PASS", "s3", "SecureString")], mode: "secrets" });
    expect(env.environment.map((e) => e.name)).toEqual(["A"]);
    expect(env.secrets).toEqual([{ name: "PASS", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/app/PASS" }]);
  });

  it("adds --env literals; SSM wins a clash and the clash is reported", () => {
    const env = buildEnvironment({ path: "/app", parameters: [p("/app/A", "ssm")], literals: ["A=literal", "B=x=y", "C="] });
    expect(env.environment.map((e) => [e.name, e.value])).toEqual([
      ["A", "ssm"],
      ["B", "x=y"],
      ["C", ""],
    ]);
    expect(env.clashes).toEqual(["A"]);
  });

  it("lists every invalid and colliding name in one error", () => {
    let error: unknown;
    try {
      buildEnvironment({ path: "/app", parameters: [p("/app/bad-name"), p("/app/1ST"), p("/app/db/HOST"), p("/app/db_HOST"), p("/app/OK")] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain("/app/bad-name");
    expect(message).toContain("/app/1ST");
    expect(message).toContain("/app/db/HOST and /app/db_HOST → db_HOST");
    expect(message).not.toContain("\n");
    expect((error as ValidationError).problems).toHaveLength(3);
  });

  it("allows an empty parameter list", () => {
    expect(buildEnvironment({ path: "/app", parameters: [] }).environment).toEqual([]);
  });
});

describe("parseLiteralEnvironment", () => {
  it.each([["NOEQUALS"], ["=x"], ["1A=x"], ["a-b=x"]])("refuses %j", (item) => expect(() => parseLiteralEnvironment([item])).toThrow(ValidationError));
  it("keeps the last of repeated names", () => expect(parseLiteralEnvironment(["A=1", "A=2"])).toEqual([{ name: "A", value: "2" }]));
});
