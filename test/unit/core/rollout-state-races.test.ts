/**
 * Two updates racing on one service (issue 7): the later UpdateService supersedes the earlier
 * deployment, and the earlier run must report that, never success, and never "rolled back".
 */
import type { Deployment, Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { assessRollout, isFailure, isSettled, rolloutTargetsOf, type RolloutStateKind, type RolloutTarget } from "../../../src/core/rollout-state.js";

const arn = (revision: number): string => `arn:aws:ecs:us-east-1:1:task-definition/web:${revision}`;
const FROM = arn(1);
const OURS = arn(2);
const THEIRS = arn(3);
const d = (id: string, taskDefinition: string, status: string, rolloutState: Deployment["rolloutState"], running: number): Deployment => ({
  id,
  taskDefinition,
  status,
  rolloutState,
  runningCount: running,
  desiredCount: 2,
  pendingCount: 0,
});
const service = (taskDefinition: string, deployments: Deployment[]): Service => ({ serviceName: "web", status: "ACTIVE", taskDefinition, deployments });
const target: RolloutTarget = { service: "web", deploymentId: "ecs-svc/ours", taskDefinitionArn: OURS, fallbackRevisions: [FROM] };
const { fallbackRevisions: _unused, ...targetWithoutFallbacks } = target;

describe("assessRollout: a concurrent update", () => {
  it.each<[string, Service, RolloutTarget, RolloutStateKind, string | undefined]>([
    [
      "ours still listed, no longer PRIMARY, not FAILED",
      service(THEIRS, [d("ecs-svc/theirs", THEIRS, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/ours", OURS, "ACTIVE", "IN_PROGRESS", 1), d("ecs-svc/from", FROM, "ACTIVE", "COMPLETED", 1)]),
      target,
      "superseded",
      THEIRS,
    ],
    ["ours gone, theirs completed on a revision ECS could not fall back to", service(THEIRS, [d("ecs-svc/theirs", THEIRS, "PRIMARY", "COMPLETED", 2)]), target, "superseded", THEIRS],
    [
      "ours gone, the service on a lower revision registered by the other run (it updated after us)",
      service(arn(2), [d("ecs-svc/theirs", arn(2), "PRIMARY", "COMPLETED", 2)]),
      { ...target, taskDefinitionArn: arn(3) },
      "superseded",
      arn(2),
    ],
    // The circuit breaker marks ours FAILED first: that stays a rollback.
    ["ours FAILED, ECS rolling back", service(FROM, [d("ecs-svc/back", FROM, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/ours", OURS, "ACTIVE", "FAILED", 0)]), target, "rolling-back", FROM],
    ["ours gone, the service back on the revision it came from", service(FROM, [d("ecs-svc/back", FROM, "PRIMARY", "COMPLETED", 2)]), target, "rolled-back", FROM],
    ["ours gone, no fallback list: counted as rolled back (the old reading)", service(THEIRS, [d("ecs-svc/theirs", THEIRS, "PRIMARY", "COMPLETED", 2)]), targetWithoutFallbacks, "rolled-back", THEIRS],
    ["ours PRIMARY and done: completed", service(OURS, [d("ecs-svc/ours", OURS, "PRIMARY", "COMPLETED", 2)]), target, "completed", undefined],
  ])("%s → %s", (_what, snapshot, rolloutTarget, kind, instead) => {
    const state = assessRollout(snapshot, rolloutTarget);
    expect(state.kind).toBe(kind);
    expect(state.fallenBackTo).toBe(instead);
  });

  it("superseded is a settled failure whose reason names the deployment and the revision", () => {
    const state = assessRollout(service(THEIRS, [d("ecs-svc/theirs", THEIRS, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/ours", OURS, "ACTIVE", "IN_PROGRESS", 1)]), target);
    expect(isFailure(state.kind) && isSettled(state.kind)).toBe(true);
    expect(state.reason).toBe("superseded by deployment ecs-svc/theirs on revision web:3: another update of service web replaced ours");
  });
});

describe("rolloutTargetsOf", () => {
  it("follows each update's deployment; ECS may fall back to what ran before or to the update's other deployments", () => {
    const before = [service(FROM, [d("ecs-svc/from", FROM, "PRIMARY", "COMPLETED", 2)]), { serviceName: "worker", taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/worker:7" }];
    const snapshot = service(OURS, [d("ecs-svc/ours", OURS, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/older", arn(0), "ACTIVE", "COMPLETED", 2)]);
    expect(rolloutTargetsOf([{ service: "web", deploymentId: "ecs-svc/ours", taskDefinitionArn: OURS, snapshot }], before)).toEqual([
      { service: "web", deploymentId: "ecs-svc/ours", taskDefinitionArn: OURS, fallbackRevisions: [FROM, arn(0)], updateView: snapshot },
    ]);
  });
});
