import { describe, expect, it } from "vitest";
import {
  AwsCallError,
  DeploymentFailedError,
  EcsReleaseError,
  ExitCode,
  InterruptedError,
  ValidationError,
  WaitTimeoutError,
  isAwsCallError,
  isDeploymentFailedError,
  isEcsReleaseError,
  isInterruptedError,
  isValidationError,
  isWaitTimeoutError,
  withContext,
} from "../../../src/core/errors.js";

/** An error of ours as another bundle's copy of the module would make it: not our class, our name and exit code. */
function foreign(name: string, exitCode: number, message = "m"): Error {
  const error = new Error(message) as Error & { exitCode: number };
  error.name = name;
  error.exitCode = exitCode;
  return error;
}

describe("isEcsReleaseError", () => {
  it.each([
    ["our class", new ValidationError("x"), true],
    ["another copy's error (name ends in Error, numeric exit code)", foreign("ValidationError", 2), true],
    ["a numeric exit code but a name not ending in Error", foreign("ValidationErrorX", 2), false],
    ["a name ending in Error but no numeric exit code", Object.assign(new Error("x"), { name: "SomeError", exitCode: "2" }), false],
    ["a plain Error", new Error("x"), false],
    ["an object that is not an Error", { name: "ValidationError", exitCode: 2, message: "x" }, false],
    ["undefined", undefined, false],
  ])("%s → %s", (_label, error, expected) => {
    expect(isEcsReleaseError(error)).toBe(expected);
  });
});

describe("the guards", () => {
  const guards = { isValidationError, isDeploymentFailedError, isAwsCallError, isWaitTimeoutError, isInterruptedError };
  const names = ["ValidationError", "DeploymentFailedError", "AwsCallError", "WaitTimeoutError", "InterruptedError"];
  it.each(names)("a foreign %s is recognised by its guard only", (name) => {
    const error = foreign(name, 1);
    for (const [guardName, guard] of Object.entries(guards)) expect([guardName, guard(error)]).toEqual([guardName, guardName === `is${name}`]);
  });
  it("a plain Error named like ours is not ours (no exit code)", () => {
    expect(isValidationError(Object.assign(new Error("x"), { name: "ValidationError" }))).toBe(false);
  });
  it("an instance is recognised whatever its name", () => {
    const error = new ValidationError("x");
    Object.defineProperty(error, "name", { value: "Renamed" });
    expect(isValidationError(error)).toBe(true);
  });
});

describe("withContext", () => {
  it("an AwsCallError keeps operation, resource and code, the note after the detail, once", () => {
    const cause = new AwsCallError("UpdateService", "svc", "boom", { code: "ThrottlingException" });
    const next = withContext(cause, " (note)", { r: 1 });
    expect(next).toBeInstanceOf(AwsCallError);
    expect(next.message).toBe("UpdateService svc failed: boom (note)");
    expect(next.name).toBe("AwsCallError");
    expect(next.exitCode).toBe(ExitCode.awsCallFailed);
    expect((next as AwsCallError).operation).toBe("UpdateService");
    expect((next as AwsCallError).resource).toBe("svc");
    expect((next as AwsCallError).code).toBe("ThrottlingException");
    expect(next.result).toEqual({ r: 1 });
    expect(next.cause).toBe(cause);
  });
  it("an AwsCallError without a code gets none (the key is absent)", () => {
    const next = withContext(new AwsCallError("A", "b", "c"), "!", undefined) as AwsCallError;
    expect(next.code).toBeUndefined();
    expect(next.message).toBe("A b failed: c!");
    expect(next.result).toBeUndefined();
  });
  it("a foreign AwsCallError whose message lacks the prefix keeps its whole message", () => {
    const error = Object.assign(foreign("AwsCallError", 3, "plain"), { operation: "Op", resource: "res", code: undefined }) as unknown as EcsReleaseError;
    expect(withContext(error, "+", null).message).toBe("Op res failed: plain+");
  });
  it.each([
    ["ValidationError", new ValidationError("v", { problems: ["p1", "p2"] }), ValidationError, ExitCode.badInput],
    ["DeploymentFailedError", new DeploymentFailedError("v"), DeploymentFailedError, ExitCode.deploymentFailed],
    ["WaitTimeoutError", new WaitTimeoutError("v"), WaitTimeoutError, ExitCode.timedOut],
    ["InterruptedError", new InterruptedError("v"), InterruptedError, ExitCode.interrupted],
    ["EcsReleaseError", new EcsReleaseError("v"), EcsReleaseError, ExitCode.deploymentFailed],
  ] as const)("%s keeps its class, exit code and the note", (name, error, type, exitCode) => {
    const next = withContext(error, " more", { x: 1 });
    expect(next.constructor).toBe(type);
    expect(next.name).toBe(name);
    expect(next.exitCode).toBe(exitCode);
    expect(next.message).toBe("v more");
    expect(next.cause).toBe(error);
    expect(next.result).toEqual({ x: 1 });
    if (next instanceof ValidationError) expect(next.problems).toEqual(["p1", "p2"]);
  });
  it("a ValidationError without problems has an empty list", () => {
    expect(new ValidationError("x").problems).toEqual([]);
  });
});
