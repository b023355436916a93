import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { buildRunTaskInput, describeTaskHint, STARTED_BY, taskLogLocation, type OneOffTaskSpec } from "../../../src/core/run-task-input.js";

const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
const VPC = { awsvpcConfiguration: { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" as const } };
const base: OneOffTaskSpec = { cluster: "prod", taskDefinitionArn: TD, networkMode: "awsvpc", container: "app", command: ["bin/migrate", "--all"], likeService: undefined };

describe("buildRunTaskInput", () => {
  it("copies a Fargate service's network configuration, launch type and platform version", () => {
    const input = buildRunTaskInput({ ...base, likeService: { serviceName: "web", launchType: "FARGATE", platformVersion: "1.4.0", networkConfiguration: VPC } });
    expect(input).toEqual({
      cluster: "prod",
      taskDefinition: TD,
      count: 1,
      startedBy: STARTED_BY,
      overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate", "--all"] }] },
      networkConfiguration: VPC,
      launchType: "FARGATE",
      platformVersion: "1.4.0",
    });
  });

  it("uses the capacity provider strategy instead of a launch type (they exclude each other)", () => {
    const strategy = [
      { capacityProvider: "FARGATE_SPOT", weight: 3 },
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
    ];
    const input = buildRunTaskInput({ ...base, likeService: { serviceName: "web", launchType: "FARGATE", capacityProviderStrategy: strategy, networkConfiguration: VPC } });
    expect(input.capacityProviderStrategy).toEqual(strategy);
    expect(input).not.toHaveProperty("launchType");
  });

  it("takes the PRIMARY deployment's network configuration when the service has none of its own", () => {
    const input = buildRunTaskInput({
      ...base,
      likeService: {
        serviceName: "web",
        deployments: [
          { status: "ACTIVE", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-old"] } } },
          { status: "PRIMARY", networkConfiguration: VPC },
        ],
      },
    });
    expect(input.networkConfiguration).toEqual(VPC);
  });

  it("copies placement and managed tags of an EC2 service; bridge mode gets no network configuration", () => {
    const input = buildRunTaskInput({
      ...base,
      networkMode: "bridge",
      command: undefined,
      likeService: {
        serviceName: "api",
        launchType: "EC2",
        placementConstraints: [{ type: "distinctInstance" }],
        placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
        enableECSManagedTags: true,
      },
    });
    expect(input).toEqual({
      cluster: "prod",
      taskDefinition: TD,
      count: 1,
      startedBy: STARTED_BY,
      launchType: "EC2",
      placementConstraints: [{ type: "distinctInstance" }],
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
      enableECSManagedTags: true,
    });
  });

  it("runs a bridge-mode task without a service on the cluster's defaults", () => {
    expect(buildRunTaskInput({ ...base, networkMode: "bridge" })).toEqual({
      cluster: "prod",
      taskDefinition: TD,
      count: 1,
      startedBy: STARTED_BY,
      overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate", "--all"] }] },
    });
  });

  it.each<[string, OneOffTaskSpec, RegExp]>([
    ["awsvpc without a service", base, /awsvpc network mode: pass --like-service SERVICE/],
    ["awsvpc like a service without a network configuration", { ...base, likeService: { serviceName: "legacy", launchType: "EC2" } }, /service legacy has no network configuration/],
  ])("refuses %s", (_name, spec, message) => {
    expect(() => buildRunTaskInput(spec)).toThrow(ValidationError);
    expect(() => buildRunTaskInput(spec)).toThrow(message);
  });
});

describe("taskLogLocation and describeTaskHint", () => {
  const awslogs = { name: "app", logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web", "awslogs-region": "eu-west-1" } } };

  it("names the awslogs stream prefix/container/task-id", () => {
    expect(taskLogLocation(awslogs, "abc123")).toEqual({ group: "/ecs/web", stream: "web/app/abc123", region: "eu-west-1" });
  });

  it.each([
    ["no log configuration", { name: "app" }],
    ["another driver", { name: "app", logConfiguration: { logDriver: "awsfirelens" as const } }],
    ["awslogs without a stream prefix", { name: "app", logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/web" } } }],
  ])("knows no stream for %s", (_name, definition) => {
    expect(taskLogLocation(definition, "abc123")).toBeUndefined();
  });

  it("tells how to describe the task and tail its logs", () => {
    const arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/abc123";
    expect(describeTaskHint("prod", arn, "us-east-1", taskLogLocation(awslogs, "abc123"))).toBe(
      `look at it: aws ecs describe-tasks --region us-east-1 --cluster prod --tasks ${arn}; logs: aws logs tail /ecs/web --region eu-west-1 --log-stream-names web/app/abc123 --follow`,
    );
    expect(describeTaskHint("prod", arn, "us-east-1", undefined, "awsfirelens")).toMatch(/; the container logs through the awsfirelens driver$/);
    expect(describeTaskHint("prod", arn, "us-east-1", undefined)).toMatch(/no log configuration/);
  });
});
