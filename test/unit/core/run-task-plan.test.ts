import type { ContainerDefinition, Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  describeLaunch,
  judgeOneOffTask,
  oneOffTaskReport,
  planOneOffTask,
  startedOneOffTask,
  type OneOffTaskEnd,
  type OneOffTaskReads,
  type OneOffTaskRequest,
  type OneOffTaskVerdict,
} from "../../../src/core/run-task-plan.js";

const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
const VPC = { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" as const } };
const AWSLOGS = { logDriver: "awslogs" as const, options: { "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "ecs", "awslogs-region": "us-east-1" } };
const app: ContainerDefinition = { name: "app", essential: true, logConfiguration: AWSLOGS };
const sidecar: ContainerDefinition = { name: "log-router", essential: false };
const worker: ContainerDefinition = { name: "worker", essential: true };
const revision = (containers: ContainerDefinition[], networkMode = "awsvpc"): OneOffTaskReads["revision"] => ({ arn: TD, name: "web:7", definition: { containerDefinitions: containers, networkMode: networkMode as "awsvpc" } });
const service = (extra: Partial<Service> = {}): Service => ({ serviceName: "web", launchType: "FARGATE", networkConfiguration: VPC, ...extra });
const reads = (extra: Partial<OneOffTaskReads> = {}): OneOffTaskReads => ({ revision: revision([app, sidecar]), likeService: service(), clusterDefaultStrategy: undefined, ...extra });
const request: OneOffTaskRequest = { cluster: "prod", command: ["bin/migrate"] };
const PRE_DEPLOY_FLAGS = { container: "--pre-deploy-container", likeService: "--service", command: "--pre-deploy-command", launchType: "--pre-deploy-launch-type", capacityProviderStrategy: "--pre-deploy-capacity-provider-strategy" };

describe("planOneOffTask", () => {
  type Expected = { container: string; input: Record<string, unknown>; capacityNote?: RegExp; essential?: string[] };
  it.each<[string, OneOffTaskRequest, OneOffTaskReads, Expected | RegExp]>([
    [
      "the resolved revision, its only essential container, the service's launch type and network",
      request,
      reads(),
      { container: "app", essential: ["app"], input: { taskDefinition: TD, launchType: "FARGATE", networkConfiguration: VPC, overrides: { containerOverrides: [{ name: "app", command: ["bin/migrate"] }] } } },
    ],
    ["the container asked for", { ...request, container: "log-router" }, reads(), { container: "log-router", input: { overrides: { containerOverrides: [{ name: "log-router", command: ["bin/migrate"] }] } } }],
    ["a container the revision lacks", { ...request, container: "api" }, reads(), /^--container api: task definition web:7 has no such container; it has app, log-router$/],
    ["…named by release's flag", { ...request, container: "api", flagNames: PRE_DEPLOY_FLAGS }, reads(), /^--pre-deploy-container api: task definition web:7 has no such container/],
    ["two essential containers and a command: the user must choose", request, reads({ revision: revision([app, worker]) }), /has 2 containers \(app, worker\): pass --container to say which one runs the command/],
    ["two essential containers, no command: the first is watched", { cluster: "prod" }, reads({ revision: revision([app, worker]) }), { container: "app", essential: ["app", "worker"], input: { launchType: "FARGATE" } }],
    [
      "a service on FARGATE_SPOT: FARGATE instead, saying so",
      request,
      reads({ likeService: service({ launchType: undefined, capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] }) }),
      { container: "app", input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }, capacityNote: /uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on FARGATE instead/ },
    ],
    [
      "the cluster's default strategy on FARGATE_SPOT, no service to copy (bridge mode)",
      request,
      reads({ revision: revision([app], "bridge"), likeService: undefined, clusterDefaultStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 2 }, { capacityProvider: "FARGATE", weight: 1 }] }),
      { container: "app", input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }, capacityNote: /the cluster's default capacity provider strategy uses FARGATE_SPOT/ },
    ],
    ["FARGATE_SPOT asked for explicitly", { ...request, capacity: { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] } }, reads(), { container: "app", input: { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] } }],
    ["a launch type asked for wins over the service's strategy", { ...request, capacity: { launchType: "EC2" } }, reads({ likeService: service({ capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] }) }), { container: "app", input: { launchType: "EC2" } }],
    ["both kinds of capacity, named by release's flags", { ...request, flagNames: PRE_DEPLOY_FLAGS, capacity: { launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] } }, reads(), /^pass --pre-deploy-launch-type or --pre-deploy-capacity-provider-strategy, not both/],
    ["an awsvpc revision with no service to copy", request, reads({ likeService: undefined }), /awsvpc network mode: pass --like-service SERVICE/],
    ["…named by release's flag", { ...request, flagNames: PRE_DEPLOY_FLAGS }, reads({ likeService: undefined }), /awsvpc network mode: pass --service SERVICE/],
    ["ECS Exec asked for", { ...request, enableExecuteCommand: true }, reads(), { container: "app", input: { enableExecuteCommand: true } }],
  ])("%s", (_title, req, read, expected) => {
    if (expected instanceof RegExp) {
      expect(() => planOneOffTask(req, read)).toThrow(ValidationError);
      expect(() => planOneOffTask(req, read)).toThrow(expected);
      return;
    }
    const plan = planOneOffTask(req, read);
    expect(plan.taskDefinitionName).toBe("web:7");
    expect(plan.container).toBe(expected.container);
    expect(plan.input).toMatchObject({ cluster: "prod", taskDefinition: TD, count: 1, startedBy: "ecs-release", ...expected.input });
    if ("capacityProviderStrategy" in expected.input) expect(plan.input.launchType).toBeUndefined(); // RunTask takes one or the other
    if (expected.capacityNote) expect(plan.capacityNote).toMatch(expected.capacityNote);
    else expect(plan.capacityNote).toBeUndefined();
    if (expected.essential) expect(plan.essential).toEqual(expected.essential);
  });
});

describe("judgeOneOffTask", () => {
  it.each<[string, OneOffTaskEnd, OneOffTaskVerdict]>([
    ["exit 0 of a task that really finished", { state: "succeeded", container: "app", exitCode: 0, stoppedReason: "Essential container in task exited" }, { status: "succeeded", exitCode: 0 }],
    [
      "a non-zero exit: the revision's fault",
      { state: "failed", container: "app", exitCode: 3, reason: "container app exited with code 3", stoppedReason: undefined, stopCode: "EssentialContainerExited", blame: "revision" },
      { status: "failed", exitCode: 3, reason: "container app exited with code 3", blame: "revision" },
    ],
    [
      "a Spot interruption, whatever the exit code: the infrastructure's",
      { state: "failed", container: "app", exitCode: 0, reason: "the task was interrupted before it finished", stoppedReason: undefined, stopCode: "SpotInterruption", blame: "infrastructure" },
      { status: "failed", exitCode: 0, reason: "the task was interrupted before it finished", blame: "infrastructure" },
    ],
    ["the deadline with the task running", { state: "timed-out", last: { state: "running", lastStatus: "RUNNING" } }, { status: "timed-out", lastStatus: "RUNNING" }],
    ["the deadline with DescribeTasks not finding it", { state: "timed-out", last: { state: "unknown", reason: "MISSING" } }, { status: "timed-out", lastStatus: "not found by DescribeTasks" }],
  ])("%s", (_title, end, verdict) => {
    expect(judgeOneOffTask(end)).toEqual(verdict);
  });
});

describe("oneOffTaskReport and describeLaunch", () => {
  const plan = planOneOffTask({ ...request, enableExecuteCommand: true }, reads());
  const TASK = "arn:aws:ecs:us-east-1:123456789012:task/prod/abc123";

  it("a task RunTask did not start: no task, no logs, the reason", () => {
    const report = oneOffTaskReport(plan, { cluster: "prod", command: ["bin/migrate"], likeService: "web" }, undefined, { status: "not-started", task: undefined, reason: "RESOURCE:MEMORY", blame: "infrastructure" }, { region: "us-east-1", durationMs: 12 });
    expect(report).toEqual({
      cluster: "prod",
      taskDefinition: TD,
      container: "app",
      command: ["bin/migrate"],
      likeService: "web",
      launch: { launchType: "FARGATE", capacityProviderStrategy: null, platformVersion: null, networkConfiguration: VPC, enableExecuteCommand: true },
      taskArn: null,
      taskId: null,
      status: "not-started",
      blame: "infrastructure",
      lastStatus: null,
      exitCode: null,
      reason: "RESOURCE:MEMORY",
      stoppedReason: null,
      stopCode: null,
      durationMs: 12,
      describeCommand: null,
      logs: null,
    });
  });

  it("a started task: its id, the describe command, its awslogs stream, the last description", () => {
    const started = startedOneOffTask(plan, TASK);
    const report = oneOffTaskReport(plan, { cluster: "prod" }, started, { status: "timed-out", task: { lastStatus: "RUNNING" } }, { region: "eu-west-1", durationMs: 5 });
    expect(report).toMatchObject({
      taskArn: TASK,
      taskId: "abc123",
      command: null,
      likeService: null,
      status: "timed-out",
      lastStatus: "RUNNING",
      describeCommand: `aws ecs describe-tasks --region eu-west-1 --cluster prod --tasks ${TASK}`,
      logs: { group: "/ecs/web", stream: "ecs/app/abc123", region: "us-east-1" },
    });
  });

  it("says what runs where", () => {
    expect(describeLaunch(plan, { command: ["bin/migrate", "--all"], likeService: "web" })).toBe("container app runs bin/migrate --all (like service web: FARGATE, subnets subnet-1, security groups sg-1, ECS Exec on)");
    expect(describeLaunch(plan, {})).toBe("container app runs its own command (FARGATE, ECS Exec on)");
  });
});
