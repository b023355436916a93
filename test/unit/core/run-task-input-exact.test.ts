/**
 * run-task-input.ts at its edges: `--capacity-provider-strategy` and `--launch-type` spellings (the
 * bounds CapacityProviderStrategyItem and RunTask's launchType allow), the capacity a one-off task
 * gets from the service or the cluster, and where its awslogs stream is.
 */
import { describe, expect, it } from "vitest";
import { chooseCapacity, parseCapacityProviderStrategy, parseLaunchType, taskLogLocation } from "../../../src/core/run-task-input.js";

const thrown = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "(nothing thrown)";
};

describe("parseCapacityProviderStrategy", () => {
  it.each<[string, unknown]>([
    ["FARGATE", [{ capacityProvider: "FARGATE" }]],
    [" FARGATE:1:1 , FARGATE_SPOT:3 ", [{ capacityProvider: "FARGATE", weight: 1, base: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 3 }]],
    ["cp-1:0:0", [{ capacityProvider: "cp-1", weight: 0, base: 0 }]],
    ["cp:1000:100000", [{ capacityProvider: "cp", weight: 1000, base: 100000 }]],
    [`${"a".repeat(255)}:10`, [{ capacityProvider: "a".repeat(255), weight: 10 }]],
  ])("%j", (text, expected) => expect(parseCapacityProviderStrategy(text)).toStrictEqual(expected));

  it.each<[string, string]>([
    ["", '--capacity-provider-strategy "": expected PROVIDER[:WEIGHT[:BASE]],… e.g. FARGATE:1'],
    ["FARGATE,", '--capacity-provider-strategy "FARGATE,": expected PROVIDER[:WEIGHT[:BASE]],… e.g. FARGATE:1'],
    [" , FARGATE", '--capacity-provider-strategy " , FARGATE": expected PROVIDER[:WEIGHT[:BASE]],… e.g. FARGATE:1'],
    ["FARGATE:1001", "--capacity-provider-strategy FARGATE:1001: the weight must be a whole number from 0 to 1000"],
    ["FARGATE:1:100001", "--capacity-provider-strategy FARGATE:1:100001: the base must be a whole number from 0 to 100000"],
    ["FARGATE:-1", "--capacity-provider-strategy FARGATE:-1: the weight must be a whole number from 0 to 1000"],
    ["FARGATE:1.5", "--capacity-provider-strategy FARGATE:1.5: the weight must be a whole number from 0 to 1000"],
    ["FARGATE:x1", "--capacity-provider-strategy FARGATE:x1: the weight must be a whole number from 0 to 1000"],
    ["FARGATE:1x", "--capacity-provider-strategy FARGATE:1x: the weight must be a whole number from 0 to 1000"],
    ["FARGATE:", "--capacity-provider-strategy FARGATE:: the weight must be a whole number from 0 to 1000"],
    [":1", "--capacity-provider-strategy :1: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1"],
    ["FAR GATE", "--capacity-provider-strategy FAR GATE: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1"],
    ["x$FARGATE", "--capacity-provider-strategy x$FARGATE: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1"],
    ["FARGATE$x", "--capacity-provider-strategy FARGATE$x: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1"],
    [`${"a".repeat(256)}`, `--capacity-provider-strategy ${"a".repeat(256)}: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1`],
    ["FARGATE:1:1:1", "--capacity-provider-strategy FARGATE:1:1:1: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1"],
  ])("refuses %j", (text, message) => expect(thrown(() => parseCapacityProviderStrategy(text))).toBe(message));

  it("under another flag's name", () => {
    expect(thrown(() => parseCapacityProviderStrategy("", "--strategy"))).toBe('--strategy "": expected PROVIDER[:WEIGHT[:BASE]],… e.g. FARGATE:1');
  });
});

describe("parseLaunchType", () => {
  it.each([
    ["fargate", "FARGATE"],
    ["EC2", "EC2"],
    ["external", "EXTERNAL"],
  ])("%s → %s", (text, expected) => expect(parseLaunchType(text)).toBe(expected));
  it("refuses another, under its flag", () => {
    expect(thrown(() => parseLaunchType("spot"))).toBe('--launch-type must be FARGATE, EC2 or EXTERNAL, not "spot"');
    expect(thrown(() => parseLaunchType("", "--lt"))).toBe('--lt must be FARGATE, EC2 or EXTERNAL, not ""');
  });
});

describe("chooseCapacity: the service's, else the cluster's default", () => {
  const spot = [{ capacityProvider: "FARGATE_SPOT", weight: 1 }];
  it.each<[string, Parameters<typeof chooseCapacity>[0], unknown]>([
    ["a service on a launch type ignores the cluster's default", { likeService: { launchType: "EC2" }, clusterDefaultStrategy: spot }, { input: { launchType: "EC2" }, note: undefined }],
    ["a service without either: the cluster's default, made safe", { likeService: {}, clusterDefaultStrategy: spot }, {
      input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] },
      note: "the cluster's default capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on FARGATE instead (pass --capacity-provider-strategy FARGATE_SPOT to run it there anyway)",
    }],
    ["no service: the cluster's default", { likeService: undefined, clusterDefaultStrategy: spot }, {
      input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] },
      note: "the cluster's default capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on FARGATE instead (pass --capacity-provider-strategy FARGATE_SPOT to run it there anyway)",
    }],
    ["an empty cluster default: nothing", { likeService: {}, clusterDefaultStrategy: [] }, { input: {}, note: undefined }],
    ["an unnamed service's strategy", { likeService: { capacityProviderStrategy: [...spot, { capacityProvider: "cp-a" }, { capacityProvider: "cp-b" }] } }, {
      input: { capacityProviderStrategy: [{ capacityProvider: "cp-a" }, { capacityProvider: "cp-b" }] },
      note: "service 's capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on cp-a, cp-b instead (pass --capacity-provider-strategy FARGATE_SPOT to run it there anyway)",
    }],
  ])("%s", (_what, spec, expected) => expect(chooseCapacity(spec)).toStrictEqual(expected));
});

describe("taskLogLocation", () => {
  const awslogs = (options: Record<string, string>) => ({ name: "app", logConfiguration: { logDriver: "awslogs" as const, options } });
  it.each<[string, Parameters<typeof taskLogLocation>[0], unknown]>([
    ["group, prefix and region", awslogs({ "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web", "awslogs-region": "eu-west-1" }), { group: "/ecs/web", stream: "web/app/t1", region: "eu-west-1" }],
    ["no region: the task's", awslogs({ "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web" }), { group: "/ecs/web", stream: "web/app/t1", region: undefined }],
    ["no prefix: the stream is not predictable", awslogs({ "awslogs-group": "/ecs/web" }), undefined],
    ["no group", awslogs({ "awslogs-stream-prefix": "web" }), undefined],
    ["no options", { name: "app", logConfiguration: { logDriver: "awslogs" } }, undefined],
    ["another driver", { name: "app", logConfiguration: { logDriver: "splunk", options: { "awslogs-group": "/g", "awslogs-stream-prefix": "p" } } }, undefined],
    ["an unnamed container", { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/g", "awslogs-stream-prefix": "p" } } }, undefined],
    ["no definition", undefined, undefined],
  ])("%s", (_what, definition, expected) => expect(taskLogLocation(definition, "t1")).toStrictEqual(expected));
});
