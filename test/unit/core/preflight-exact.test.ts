/**
 * preflight.ts to the letter: each problem's words with several users, the trust policy's shapes
 * (a wildcard principal, a lone statement, no statement), the partitions an SSM ARN may name, what a
 * container definition leaves out, and the lines and error the release prints.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  parseSkipChecks,
  preflightError,
  preflightNeeds,
  preflightPassedLine,
  preflightProblems,
  preflightUnreadable,
  ssmParameterName,
  trustsEcsTasks,
  uncheckedSecretsLine,
  type PreflightNeeds,
} from "../../../src/core/preflight.js";

const PLACE = { region: "us-east-1", account: "123456789012" };
const doc = (statement: unknown): string => JSON.stringify({ Version: "2012-10-17", ...(statement === undefined ? {} : { Statement: statement }) });
const allow = { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" };

describe("trustsEcsTasks: the shapes of a trust policy", () => {
  it.each<[string, string, boolean]>([
    ["no Statement", doc(undefined), false],
    ["one statement, not in a list", doc(allow), true],
    ['Principal "*"', doc({ ...allow, Principal: "*" }), true],
    ['Service "*"', doc({ ...allow, Principal: { Service: "*" } }), true],
    ["an AWS principal only", doc({ ...allow, Principal: { AWS: "arn:aws:iam::123456789012:root" } }), false],
    ["a principal that is another string", doc({ ...allow, Principal: "ecs-tasks.amazonaws.com" }), false],
    ["no Action", doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" } }), false],
    ['Action "*"', doc({ ...allow, Action: "*" }), true],
    ["Action in another case", doc({ ...allow, Action: "STS:ASSUMEROLE" }), true],
    ["an empty action", doc({ ...allow, Action: "" }), false],
    ["no Effect", doc({ Principal: allow.Principal, Action: allow.Action }), false],
    ["Allow, and a Deny for another service", doc([allow, { Effect: "Deny", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]), true],
    ["a Deny first, then the Allow", doc([{ ...allow, Effect: "Deny" }, allow]), false],
    ["an Allow that names nothing, then the right one", doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }, allow]), true],
    ["JSON after spaces", `  ${doc(allow)}`, true],
  ])("%s → %s", (_what, document, expected) => expect(trustsEcsTasks(document)).toBe(expected));
});

describe("ssmParameterName: the ARN's edges", () => {
  it.each<[string, { region: string; account: string | undefined }, string | undefined]>([
    ["arn:aws-us-gov:ssm:us-east-1:123456789012:parameter/app/KEY", PLACE, "/app/KEY"],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/app/KEY", { region: "us-east-1", account: undefined }, "/app/KEY"],
    ["arn:aws:ssm:us-east-1:999999999999:parameter/app/KEY", { region: "us-east-1", account: undefined }, "/app/KEY"],
    ["xarn:aws:ssm:us-east-1:123456789012:parameter/app/KEY", PLACE, "xarn:aws:ssm:us-east-1:123456789012:parameter/app/KEY"],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/", PLACE, undefined],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/app/KEY\n", PLACE, undefined],
    ["arn:aws.x:ssm:us-east-1:123456789012:parameter/app/KEY", PLACE, undefined],
  ])("%j", (valueFrom, place, expected) => expect(ssmParameterName(valueFrom, place)).toBe(expected));
});

describe("preflightNeeds: what a container definition leaves out", () => {
  it("defaults, other drivers, awslogs without a group or options, images deduplicated", () => {
    expect(
      preflightNeeds(
        {
          family: "web",
          executionRoleArn: "",
          containerDefinitions: [
            { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web" } }, secrets: [{ name: undefined as unknown as string, valueFrom: undefined as unknown as string }], image: "a" },
            { name: "b", logConfiguration: { logDriver: "awsfirelens", options: { "awslogs-group": "/ecs/other" } }, image: "a" },
            { name: "c", logConfiguration: { logDriver: "awslogs" }, image: "" },
            { name: "d", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/d", "awslogs-region": "eu-west-1", "awslogs-create-group": "true" } } },
            { name: "e", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "" } }, image: "b" },
            { name: "f" },
          ],
        },
        PLACE,
      ),
    ).toStrictEqual({
      family: "web",
      executionRoleArn: undefined,
      logGroups: [
        { container: "", group: "/ecs/web", region: undefined, createsGroup: false },
        { container: "d", group: "/ecs/d", region: "eu-west-1", createsGroup: true },
      ],
      parameters: [{ container: "", variable: "", valueFrom: "", parameter: "" }],
      uncheckedSecrets: [],
      images: ["a", "b"],
    });
  });
});

describe("preflightProblems: the words", () => {
  const needs: PreflightNeeds = {
    family: "web",
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
    logGroups: [
      { container: "app", group: "/ecs/web", region: undefined, createsGroup: false },
      { container: "sidecar", group: "/ecs/web", region: undefined, createsGroup: false },
      { container: "other", group: "/ecs/other", region: undefined, createsGroup: false },
    ],
    parameters: [
      { container: "app", variable: "DB", valueFrom: "/app/DB", parameter: "/app/DB" },
      { container: "worker", variable: "DB_URL", valueFrom: "/app/DB", parameter: "/app/DB" },
      { container: "app", variable: "KEY", valueFrom: "/app/KEY", parameter: "/app/KEY" },
    ],
    uncheckedSecrets: [],
    images: [],
  };
  it.each<[string, Parameters<typeof preflightProblems>[1], string[]]>([
    ["a missing role", { executionRole: { state: "missing" } }, ["execution-role: execution role arn:aws:iam::123456789012:role/exec does not exist (GetRole: NoSuchEntity)"]],
    ["an untrusting role", { executionRole: { state: "untrusted" } }, ["execution-role: execution role arn:aws:iam::123456789012:role/exec does not trust ecs-tasks.amazonaws.com (its trust policy needs sts:AssumeRole for that service principal)"]],
    ["an unreadable role", { executionRole: { state: "unreadable", reason: "AccessDenied" } }, ["execution-role: could not read execution role arn:aws:iam::123456789012:role/exec: AccessDenied"]],
    ["a role that is fine", { executionRole: { state: "ok" } }, []],
    [
      "a log group two containers use",
      { missingLogGroups: ["/ecs/web"] },
      ['log-groups: log group /ecs/web does not exist (awslogs of container app, sidecar; without awslogs-create-group "true" ECS cannot start the task: ResourceInitializationError)'],
    ],
    ["a parameter two containers use", { missingParameters: ["/app/DB"] }, ["secrets: SSM parameter /app/DB does not exist (secrets of app:DB, worker:DB_URL)"]],
    ["an image", { missingImages: ["r/web:1"] }, ["images: image r/web:1 does not exist in ECR (CannotPullContainerError)"]],
    ["a check that could not run", { unreadable: [{ check: "images", reason: "AccessDenied" }] }, ["images: could not check the images: AccessDenied"]],
  ])("%s", (_what, found, expected) => expect(preflightProblems(needs, found).map((p) => `${p.check}: ${p.problem}`)).toStrictEqual(expected));

  it("no execution role: nothing said about it, whatever was found", () => {
    const without = { ...needs, executionRoleArn: undefined };
    for (const state of ["missing", "untrusted"] as const) expect(preflightProblems(without, { executionRole: { state } })).toStrictEqual([]);
    expect(preflightProblems(without, { executionRole: { state: "unreadable", reason: "x" } })).toStrictEqual([]);
    expect(preflightProblems(without, {})).toStrictEqual([]);
  });

  it("each problem carries its family", () => {
    expect(preflightProblems(needs, { missingImages: ["x"] })).toStrictEqual([{ check: "images", family: "web", problem: "image x does not exist in ECR (CannotPullContainerError)" }]);
  });
});

describe("parseSkipChecks: spelling", () => {
  it.each<[string[], string[]]>([
    [[" images , secrets "], ["images", "secrets"]],
    [["images,,", ""], ["images"]],
    [[], []],
  ])("%j → %j", (values, expected) => expect([...parseSkipChecks(values)]).toStrictEqual(expected));

  it("an unknown name, under the flag given", () => {
    expect(() => parseSkipChecks(["image"], "--skip")).toThrow(new ValidationError("--skip image: not a check; the checks are execution-role, log-groups, secrets, images (or all)"));
  });
});

describe("the lines", () => {
  it("preflightUnreadable and uncheckedSecretsLine", () => {
    expect(preflightUnreadable("AccessDenied on GetRole", "execution-role")).toBe("AccessDenied on GetRole (a role that may not read this can pass --skip-check execution-role)");
    expect(uncheckedSecretsLine({ family: "web", uncheckedSecrets: ["arn:aws:secretsmanager:us-east-1:1:secret:a", "arn:aws:ssm:eu-west-1:1:parameter/b"] })).toBe(
      "pre-flight: web: not checked (not an SSM parameter of this account and region): arn:aws:secretsmanager:us-east-1:1:secret:a, arn:aws:ssm:eu-west-1:1:parameter/b",
    );
  });

  it("preflightPassedLine counts distinct roles, groups the driver does not create, and parameters", () => {
    const need = (family: string, role: string | undefined): PreflightNeeds => ({
      family,
      executionRoleArn: role,
      logGroups: [
        { container: "a", group: "/ecs/shared", region: undefined, createsGroup: false },
        { container: "b", group: `/ecs/${family}`, region: undefined, createsGroup: false },
        { container: "c", group: `/ecs/${family}-created`, region: undefined, createsGroup: true },
      ],
      parameters: [
        { container: "a", variable: "X", valueFrom: "/p/X", parameter: "/p/X" },
        { container: "a", variable: "Y", valueFrom: `/p/${family}`, parameter: `/p/${family}` },
      ],
      uncheckedSecrets: [],
      images: [],
    });
    const needs = [need("web", "arn:role/exec"), need("worker", "arn:role/exec"), need("api", undefined), need("jobs", "arn:role/jobs")];
    expect(preflightPassedLine(needs, new Set())).toBe("pre-flight: 2 execution roles, 5 log groups, 5 secret parameters, images checked");
    expect(preflightPassedLine(needs, new Set(["images", "log-groups"]))).toBe("pre-flight: 2 execution roles, 5 secret parameters checked (skipped: images, log-groups)");
    expect(preflightPassedLine(needs, parseSkipChecks(["all"]))).toBe("pre-flight: nothing checked (skipped: execution-role, log-groups, secrets, images)");
  });

  it("preflightError: every problem, each check once, its result kept", () => {
    const problems = [
      { check: "images" as const, family: "web", problem: "image x does not exist" },
      { check: "images" as const, family: "worker", problem: "image y does not exist" },
      { check: "secrets" as const, family: "web", problem: "SSM parameter /p does not exist" },
    ];
    const error = preflightError(problems, { plan: 1 });
    expect(error.message).toBe(
      "pre-flight: 3 problems would stop the new revision's tasks from starting: web: image x does not exist; worker: image y does not exist; web: SSM parameter /p does not exist (nothing was written; fix them, or pass --skip-check images,secrets to release without these checks)",
    );
    expect(error.problems).toStrictEqual(["web: image x does not exist", "worker: image y does not exist", "web: SSM parameter /p does not exist"]);
    expect((error as unknown as { result?: unknown }).result).toStrictEqual({ plan: 1 });
    const one = preflightError(problems.slice(0, 1));
    expect(one.message).toBe("pre-flight: 1 problem would stop the new revision's tasks from starting: web: image x does not exist (nothing was written; fix them, or pass --skip-check images to release without this check)");
    expect((one as unknown as { result?: unknown }).result).toBeUndefined();
  });
});
