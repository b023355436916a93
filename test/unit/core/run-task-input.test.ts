import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  buildRunTaskInput,
  chooseCapacity,
  commandOverrides,
  describeTaskHint,
  MAX_OVERRIDES_CHARACTERS,
  parseCapacityProviderStrategy,
  parseLaunchType,
  STARTED_BY,
  taskLogLocation,
  type OneOffTaskSpec,
} from "../../../src/core/run-task-input.js";

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

  it("uses a capacity provider strategy instead of a launch type (they exclude each other)", () => {
    const strategy = [{ capacityProvider: "FARGATE", weight: 1, base: 1 }];
    const input = buildRunTaskInput({ ...base, likeService: { serviceName: "web", launchType: "FARGATE", capacityProviderStrategy: strategy, networkConfiguration: VPC } });
    expect(input.capacityProviderStrategy).toEqual(strategy);
    expect(input).not.toHaveProperty("launchType");
  });

  // Issue 18 item 2; Fargate Spot interrupts with two minutes' warning:
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
  it("keeps a migration off FARGATE_SPOT when the service uses it, and says so", () => {
    const strategy = [
      { capacityProvider: "FARGATE_SPOT", weight: 3 },
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
    ];
    const spec = { ...base, likeService: { serviceName: "web", capacityProviderStrategy: strategy, networkConfiguration: VPC } };
    const input = buildRunTaskInput(spec);
    expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: "FARGATE", weight: 1, base: 1 }]);
    expect(chooseCapacity(spec).note).toMatch(/service web's capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on FARGATE instead/);
    const spotOnly = chooseCapacity({ likeService: { serviceName: "web", capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] } });
    expect(spotOnly.input).toEqual({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] });
  });

  it("avoids FARGATE_SPOT in the cluster's default strategy too, and leaves a safe default alone", () => {
    expect(chooseCapacity({ likeService: undefined, clusterDefaultStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }).input).toEqual({
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
    });
    expect(chooseCapacity({ likeService: undefined, clusterDefaultStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] })).toEqual({ input: {}, note: undefined });
  });

  it("runs on the capacity the user chose, Spot included, and refuses both kinds at once", () => {
    const like = { serviceName: "web", capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] };
    expect(chooseCapacity({ likeService: like, capacity: { launchType: "EC2" } }).input).toEqual({ launchType: "EC2" });
    expect(chooseCapacity({ likeService: like, capacity: { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT" }] } })).toEqual({
      input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT" }] },
      note: undefined,
    });
    expect(() => chooseCapacity({ likeService: like, capacity: { launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] } })).toThrow(/pass --launch-type or --capacity-provider-strategy, not both/);
  });

  it("parses --capacity-provider-strategy and --launch-type", () => {
    expect(parseCapacityProviderStrategy("FARGATE:1:1,FARGATE_SPOT:3")).toEqual([
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 3 },
    ]);
    expect(parseCapacityProviderStrategy("my-asg")).toEqual([{ capacityProvider: "my-asg" }]);
    expect(() => parseCapacityProviderStrategy("FARGATE:x")).toThrow(ValidationError);
    expect(() => parseCapacityProviderStrategy("FARGATE,,")).toThrow(ValidationError);
    expect(() => parseCapacityProviderStrategy("FARGATE:1001")).toThrow(/weight must be a whole number from 0 to 1000/);
    expect(parseLaunchType("fargate")).toBe("FARGATE");
    expect(() => parseLaunchType("SPOT")).toThrow(/--launch-type must be FARGATE, EC2 or EXTERNAL/);
  });

  // RunTask: "A total of 8192 characters are allowed for overrides. This limit includes the JSON
  // formatting characters" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
  it("refuses overrides longer than ECS's 8192 characters, counting the JSON around them", () => {
    const fits = 8192 - JSON.stringify({ containerOverrides: [{ name: "app", command: [""] }] }).length;
    expect(JSON.stringify(commandOverrides("app", ["x".repeat(fits)])).length).toBe(MAX_OVERRIDES_CHARACTERS);
    expect(() => commandOverrides("app", ["x".repeat(fits + 1)])).toThrow(/--command is too long for RunTask: its overrides would be 8193 characters and ECS allows 8192/);
    expect(() => buildRunTaskInput({ ...base, networkMode: "bridge", command: ["sh", "-c", "y".repeat(9000)] })).toThrow(ValidationError);
  });

  // Issue 18 items 6 and 7: tags on create and ECS Exec, like the service.
  it("copies the service's task tags and ECS Exec; --enable-execute-command turns Exec on", () => {
    const like = {
      serviceName: "web",
      launchType: "FARGATE" as const,
      networkConfiguration: VPC,
      enableECSManagedTags: true,
      propagateTags: "SERVICE" as const,
      tags: [
        { key: "team", value: "payments" },
        { key: "aws:cloudformation:stack-name", value: "web" },
      ],
      enableExecuteCommand: true,
    };
    const input = buildRunTaskInput({ ...base, likeService: like });
    expect(input).toMatchObject({ enableECSManagedTags: true, tags: [{ key: "team", value: "payments" }], enableExecuteCommand: true });
    expect(input).not.toHaveProperty("propagateTags");
    const fromDefinition = buildRunTaskInput({ ...base, likeService: { ...like, propagateTags: "TASK_DEFINITION", enableExecuteCommand: false } });
    expect(fromDefinition).toMatchObject({ propagateTags: "TASK_DEFINITION" });
    expect(fromDefinition).not.toHaveProperty("tags");
    expect(fromDefinition).not.toHaveProperty("enableExecuteCommand");
    expect(buildRunTaskInput({ ...base, networkMode: "bridge", enableExecuteCommand: true }).enableExecuteCommand).toBe(true);
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
