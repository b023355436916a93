/**
 * BLUE_GREEN, LINEAR and CANARY services: ECS's service deployment record decides where a rollout
 * stands and when it ends (issue 17; states: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html).
 */
import type { Deployment, Service, ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { assessNativeRollout, assessRollout, formatNative, nativeProgressOf, nativeStrategyOf, type RolloutStateKind } from "../../../src/core/rollout-state.js";

const OLD = "arn:aws:ecs:us-east-1:1:task-definition/web:6";
const NEW = "arn:aws:ecs:us-east-1:1:task-definition/web:7";
const target = { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW, fallbackRevisions: [OLD] };
const d = (id: string, taskDefinition: string, status: string, rolloutState: Deployment["rolloutState"], running: number): Deployment => ({ id, taskDefinition, status, rolloutState, runningCount: running, desiredCount: 2, pendingCount: 0 });
const bg = (taskDefinition: string, deployments: Deployment[]): Service => ({ serviceName: "web", status: "ACTIVE", taskDefinition, deployments, deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 } });
const record = (status: ServiceDeployment["status"], extra: Partial<ServiceDeployment> = {}): ServiceDeployment => ({
  status,
  lifecycleStage: "BAKE_TIME",
  targetServiceRevision: { arn: "rev/new", requestedProductionTrafficWeight: 100, requestedTestTrafficWeight: 100 },
  deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 10 },
  ...extra,
});

function kind(service: Service, sd: ServiceDeployment): { kind: RolloutStateKind; reason: string; fallenBackTo?: string } {
  const state = assessNativeRollout(assessRollout(service, target), nativeProgressOf(sd, "BLUE_GREEN"), service, target);
  return { kind: state.kind, reason: state.reason, ...(state.fallenBackTo !== undefined ? { fallenBackTo: state.fallenBackTo } : {}) };
}

describe("assessNativeRollout", () => {
  const done = bg(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2)]);
  it.each([
    ["all tasks running but the service deployment still IN_PROGRESS in BAKE_TIME is not done", done, record("IN_PROGRESS"), "in-progress"],
    ["SUCCESSFUL is done", done, record("SUCCESSFUL", { lifecycleStage: "CLEAN_UP" }), "completed"],
    ["ROLLBACK_REQUESTED (StopServiceDeployment) is rolling back", done, record("ROLLBACK_REQUESTED"), "rolling-back"],
    ["ROLLBACK_IN_PROGRESS is rolling back", done, record("ROLLBACK_IN_PROGRESS"), "rolling-back"],
    ["ROLLBACK_SUCCESSFUL is rolled back", bg(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]), record("ROLLBACK_SUCCESSFUL"), "rolled-back"],
    ["ROLLBACK_FAILED is failed", done, record("ROLLBACK_FAILED"), "failed"],
    ["STOPPED is failed", done, record("STOPPED", { statusReason: "tasks failed" }), "failed"],
  ] as const)("%s", (_name, service, sd, expected) => {
    expect(kind(service, sd).kind).toBe(expected);
  });

  it("names a failed lifecycle hook and the revision the service is back on", () => {
    const back = bg(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]);
    const sd = record("ROLLBACK_SUCCESSFUL", { lifecycleStage: "POST_TEST_TRAFFIC_SHIFT", lifecycleHookDetails: [{ targetArn: "arn:aws:lambda:us-east-1:1:function:smoke", status: "FAILED" }] });
    expect(kind(back, sd)).toEqual({ kind: "rolled-back", reason: "lifecycle hook arn:aws:lambda:us-east-1:1:function:smoke FAILED in POST_TEST_TRAFFIC_SHIFT", fallenBackTo: OLD });
  });

  it("a superseded rollout stays superseded whatever its record says", () => {
    const other = "arn:aws:ecs:us-east-1:1:task-definition/web:8";
    const service = bg(other, [d("ecs-svc/other", other, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1)]);
    expect(kind(service, record("STOPPED")).kind).toBe("superseded");
  });
});

describe("nativeStrategyOf and formatNative", () => {
  it("only BLUE_GREEN, LINEAR and CANARY under the ECS controller", () => {
    expect(nativeStrategyOf(bg(NEW, []))).toBe("BLUE_GREEN");
    expect(nativeStrategyOf({ deploymentConfiguration: { strategy: "ROLLING" } })).toBeUndefined();
    expect(nativeStrategyOf({ deploymentConfiguration: {} })).toBeUndefined();
    expect(nativeStrategyOf({ deploymentController: { type: "CODE_DEPLOY" }, deploymentConfiguration: { strategy: "BLUE_GREEN" } })).toBeUndefined();
  });

  it("shows stage, status, both revisions' production share, test traffic, hooks and bake time left", () => {
    const progress = nativeProgressOf(record("IN_PROGRESS", { lifecycleHookDetails: [{ targetArn: "hook-1", status: "IN_PROGRESS" }] }), "BLUE_GREEN");
    expect(formatNative("web", progress, target, 9.5 * 60_000)).toBe("web: BLUE_GREEN BAKE_TIME IN_PROGRESS: production 100% on web:7 (0% on web:6), test 100%; hook hook-1 IN_PROGRESS; bake time 10m left");
    expect(formatNative("web", progress, target)).toBe("web: BLUE_GREEN BAKE_TIME IN_PROGRESS: production 100% on web:7 (0% on web:6), test 100%; hook hook-1 IN_PROGRESS");
  });
});
