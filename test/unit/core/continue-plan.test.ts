import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { continueLine, findPause, type PausedDeployment } from "../../../src/core/continue-plan.js";

const SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/c/web/abc";
const GREEN = "arn:aws:ecs:us-east-1:123456789012:service-revision/c/web/2";
const dep = (d: Record<string, unknown>): ServiceDeployment => d as ServiceDeployment;

describe("findPause", () => {
  type Row = [string, ServiceDeployment | undefined, PausedDeployment | { problem: string }];
  it.each<Row>([
    ["no deployment", undefined, { problem: "web: ECS has no service deployment of it to continue" }],
    ["a deployment without an ARN", dep({ status: "IN_PROGRESS", lifecycleHookDetails: [{ hookId: "h1", status: "AWAITING_ACTION" }] }), { problem: "web: ECS has no service deployment of it to continue" }],
    [
      "paused: the AWAITING_ACTION hook, not the first one",
      dep({ serviceDeploymentArn: SD, status: "IN_PROGRESS", lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", targetServiceRevision: { arn: GREEN }, lifecycleHookDetails: [{ hookId: "h0", status: "SUCCEEDED" }, { hookId: "h1", status: "AWAITING_ACTION" }] }),
      { service: "web", serviceDeploymentArn: SD, hookId: "h1", stage: "POST_TEST_TRAFFIC_SHIFT", targetRevisionArn: GREEN },
    ],
    [
      "paused without a stage or a target revision",
      dep({ serviceDeploymentArn: SD, status: "IN_PROGRESS", lifecycleHookDetails: [{ hookId: "h1", status: "AWAITING_ACTION" }] }),
      { service: "web", serviceDeploymentArn: SD, hookId: "h1", stage: null, targetRevisionArn: "" },
    ],
    [
      "finished, with a stage and its hooks",
      dep({ serviceDeploymentArn: SD, status: "SUCCESSFUL", lifecycleStage: "BAKE_TIME", lifecycleHookDetails: [{ hookId: "h1", targetType: "PAUSE", status: "SUCCEEDED" }, { hookId: "h2", status: "AWAITING_ACTION" }] }),
      { problem: "web: its newest service deployment is SUCCESSFUL in BAKE_TIME (PAUSE SUCCEEDED, hook AWAITING_ACTION), not paused at a PAUSE hook: nothing to continue" },
    ],
    [
      "no status, stage or hooks",
      dep({ serviceDeploymentArn: SD }),
      { problem: "web: its newest service deployment is ?, not paused at a PAUSE hook: nothing to continue" },
    ],
    [
      "in progress, no hook awaiting action (a hook without status)",
      dep({ serviceDeploymentArn: SD, status: "IN_PROGRESS", lifecycleHookDetails: [{ hookId: "h1", targetType: "LAMBDA", status: "IN_PROGRESS" }, { hookId: "h2" }] }),
      { problem: "web: its newest service deployment is IN_PROGRESS (LAMBDA IN_PROGRESS, hook ), not paused at a PAUSE hook: nothing to continue" },
    ],
    [
      "in progress, the awaiting hook has no id",
      dep({ serviceDeploymentArn: SD, status: "IN_PROGRESS", lifecycleHookDetails: [{ status: "AWAITING_ACTION" }] }),
      { problem: "web: its newest service deployment is IN_PROGRESS (hook AWAITING_ACTION), not paused at a PAUSE hook: nothing to continue" },
    ],
  ])("%s", (_name, newest, expected) => {
    expect(findPause("web", newest)).toStrictEqual(expected);
  });
});

describe("continueLine", () => {
  const paused: PausedDeployment = { service: "web", serviceDeploymentArn: SD, hookId: "h1", stage: "POST_TEST_TRAFFIC_SHIFT", targetRevisionArn: GREEN };
  type Row = [string, PausedDeployment, "continue" | "rollback", string | undefined, string];
  it.each<Row>([
    ["continue at a stage", paused, "continue", "web:2", "web: ContinueServiceDeployment CONTINUE of the deployment of web:2 paused at POST_TEST_TRAFFIC_SHIFT (hook h1)"],
    ["continue without a stage", { ...paused, stage: null }, "continue", undefined, "web: ContinueServiceDeployment CONTINUE of the deployment of web:2 paused (hook h1)"],
    ["rollback to the blue revision", paused, "rollback", "web:1", "web: ContinueServiceDeployment ROLLBACK of the deployment of web:2 paused at POST_TEST_TRAFFIC_SHIFT (hook h1); ECS returns the service to web:1"],
    ["rollback, blue unknown, no stage", { ...paused, stage: null }, "rollback", undefined, "web: ContinueServiceDeployment ROLLBACK of the deployment of web:2 paused (hook h1); ECS returns the service to its previous revision"],
  ])("%s", (_name, p, action, blue, expected) => {
    expect(continueLine(p, action, "web:2", blue)).toBe(expected);
  });
});
