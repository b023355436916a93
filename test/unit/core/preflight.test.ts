import { describe, expect, it } from "vitest";
import { parseSkipChecks, preflightError, preflightNeeds, preflightPassedLine, preflightProblems, roleNameOf, ssmParameterName, trustsEcsTasks } from "../../../src/core/preflight.js";

const PLACE = { region: "us-east-1", account: "123456789012" };
const trust = (statement: object | object[]): string => encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: statement }));

describe("trustsEcsTasks", () => {
  it.each([
    ["the ECS tasks service, URL-encoded as IAM returns it", trust({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }), true],
    ["in a list of services and actions", trust([{ Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"] }, Action: ["sts:TagSession", "sts:AssumeRole"] }]), true],
    ["sts:* counts", trust({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:*" }), true],
    ["plain JSON too", JSON.stringify({ Statement: { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" } }), true],
    ["another service", trust({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }), false],
    ["ecs.amazonaws.com is not ecs-tasks", trust({ Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }), false],
    ["another action", trust({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRoleWithWebIdentity" }), false],
    ["denied again", trust([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }]), false],
    ["not JSON", "%%%", false],
  ])("%s", (_name, document, expected) => {
    expect(trustsEcsTasks(document)).toBe(expected);
  });
});

describe("ssmParameterName", () => {
  it.each([
    ["/app/prod/KEY", "/app/prod/KEY"],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/KEY", "/app/prod/KEY"],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/KEY", "KEY"],
    ["arn:aws:ssm:eu-west-1:123456789012:parameter/app/KEY", undefined],
    ["arn:aws:ssm:us-east-1:999999999999:parameter/app/KEY", undefined],
    ["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf", undefined],
  ])("%s → %s", (valueFrom, expected) => {
    expect(ssmParameterName(valueFrom, PLACE)).toBe(expected);
  });
});

describe("preflightNeeds and preflightProblems", () => {
  const revision = {
    family: "worker",
    executionRoleArn: "arn:aws:iam::123456789012:role/path/exec",
    containerDefinitions: [
      { name: "app", image: "img:1", logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/worker" } }, secrets: [{ name: "A", valueFrom: "/x/A" }, { name: "B", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:b" }] },
      { name: "router", image: "img:1", logConfiguration: { logDriver: "awsfirelens" as const } },
      { name: "side", image: "side:2", logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/side", "awslogs-create-group": "true" } } },
    ],
  };

  it("reads the role, the awslogs groups (other drivers ignored), the SSM secrets, the images", () => {
    const needs = preflightNeeds(revision, PLACE);
    expect(needs).toEqual({
      family: "worker",
      executionRoleArn: revision.executionRoleArn,
      logGroups: [
        { container: "app", group: "/ecs/worker", region: undefined, createsGroup: false },
        { container: "side", group: "/ecs/side", region: undefined, createsGroup: true },
      ],
      parameters: [{ container: "app", variable: "A", valueFrom: "/x/A", parameter: "/x/A" }],
      uncheckedSecrets: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:b"],
      images: ["img:1", "side:2"],
    });
    expect(roleNameOf(revision.executionRoleArn)).toBe("exec");
  });

  it("names each problem with its check and family; nothing for what was found", () => {
    const needs = preflightNeeds(revision, PLACE);
    expect(preflightProblems(needs, { executionRole: { state: "ok" }, missingLogGroups: [], missingParameters: [], missingImages: [] })).toEqual([]);
    const problems = preflightProblems(needs, { executionRole: { state: "untrusted" }, missingLogGroups: ["/ecs/worker"], missingParameters: ["/x/A"], missingImages: ["side:2"] });
    expect(problems.map((p) => [p.check, p.family])).toEqual([
      ["execution-role", "worker"],
      ["log-groups", "worker"],
      ["secrets", "worker"],
      ["images", "worker"],
    ]);
    expect(problems[1]?.problem).toContain("log group /ecs/worker does not exist (awslogs of container app;");
    expect(problems[2]?.problem).toBe("SSM parameter /x/A does not exist (secrets of app:A)");
    const error = preflightError(problems);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^pre-flight: 4 problems .* --skip-check execution-role,log-groups,secrets,images to release without these checks\)$/);
    expect(error.problems).toHaveLength(4);
  });

  it("says what was checked and skipped", () => {
    const needs = [preflightNeeds(revision, PLACE)];
    expect(preflightPassedLine(needs, new Set())).toBe("pre-flight: 1 execution role, 1 log group, 1 secret parameter, images checked");
    expect(preflightPassedLine(needs, parseSkipChecks(["all"]))).toBe("pre-flight: nothing checked (skipped: execution-role, log-groups, secrets, images)");
  });
});

describe("parseSkipChecks", () => {
  it("takes the names (comma-separated or repeated) and all; refuses others", () => {
    expect([...parseSkipChecks(["log-groups,secrets", "images"])]).toEqual(["log-groups", "secrets", "images"]);
    expect(() => parseSkipChecks(["roles"])).toThrow("--skip-check roles: not a check; the checks are execution-role, log-groups, secrets, images (or all)");
  });
});
