import type { Deployment, Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  assessRollout,
  deploymentConfigurationWarnings,
  familyOf,
  formatCounts,
  hasDeploymentInProgress,
  hasFailedDeploymentLeftInPlace,
  isOlderViewThanSeen,
  isViewBeforeUpdate,
  revisionName,
  type RolloutStateKind,
} from "../../../src/core/rollout-state.js";

const OLD = "arn:aws:ecs:us-east-1:1:task-definition/web:6";
const NEW = "arn:aws:ecs:us-east-1:1:task-definition/web:7";
const target = { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW };
const d = (id: string, taskDefinition: string, status: string, rolloutState: Deployment["rolloutState"], running: number, desired = 2, extra: Partial<Deployment> = {}): Deployment => ({
  id,
  taskDefinition,
  status,
  rolloutState,
  runningCount: running,
  desiredCount: desired,
  pendingCount: 0,
  ...extra,
});
const service = (taskDefinition: string, deployments: Deployment[], extra: Partial<Service> = {}): Service => ({ serviceName: "web", status: "ACTIVE", taskDefinition, deployments, ...extra });

describe("assessRollout", () => {
  it.each<[string, Service | undefined, RolloutStateKind, string | undefined]>([
    ["in progress, mixed versions", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 1)]), "in-progress", undefined],
    // Issue 13 §3.6: auto scaling raised desiredCount after the rollout reached a steady state (API_Deployment.html, rolloutState).
    ["COMPLETED while auto scaling raised desired (1/3 running): done", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 1, 3)]), "completed", undefined],
    ["COMPLETED while auto scaling lowered desired (2/1 running): done", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2, 1)]), "completed", undefined],
    ["completed", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2)]), "completed", undefined],
    ["failed, no rollback: stays on the new revision", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0, 2, { rolloutStateReason: "circuit breaker" })]), "failed", undefined],
    [
      "failed, rolling back",
      service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/new", NEW, "ACTIVE", "FAILED", 0)]),
      "rolling-back",
      OLD,
    ],
    ["rolled back and stable", service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]), "rolled-back", OLD],
    ["someone else moved it to another revision", service(OLD, [d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1), d("ecs-svc/x", OLD, "PRIMARY", "IN_PROGRESS", 0)]), "superseded", OLD],
    ["our deployment gone, same revision redeployed and done", service(NEW, [d("ecs-svc/other", NEW, "PRIMARY", "COMPLETED", 2)]), "completed", undefined],
    ["our deployment gone, nothing of ours left", service(NEW, []), "vanished", undefined],
    ["service deleted", service(NEW, [], { status: "DRAINING" }), "vanished", undefined],
    ["service missing", undefined, "vanished", undefined],
  ])("%s", (_what, snapshot, kind, fallenBackTo) => {
    const state = assessRollout(snapshot, target);
    expect(state.kind).toBe(kind);
    expect(state.fallenBackTo).toBe(fallenBackTo);
  });

  it("marks our deployment in the counts", () => {
    const state = assessRollout(service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, 2, { pendingCount: 1 }), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 1)]), target);
    expect(formatCounts("web", state.counts)).toBe("web: new web:7 1/2 running (1 pending) IN_PROGRESS | old web:6 1/2 running COMPLETED");
  });
});

describe("hasDeploymentInProgress", () => {
  it.each<[string, Deployment[], boolean]>([
    ["one completed", [d("a", OLD, "PRIMARY", "COMPLETED", 2)], false],
    ["one in progress", [d("a", OLD, "PRIMARY", "IN_PROGRESS", 1)], true],
    ["two", [d("a", NEW, "PRIMARY", "COMPLETED", 2), d("b", OLD, "ACTIVE", "COMPLETED", 0)], true],
    ["a FAILED primary left beside the old ACTIVE one (breaker without rollback)", [d("a", NEW, "PRIMARY", "FAILED", 0), d("b", OLD, "ACTIVE", "COMPLETED", 2)], false],
  ])("%s → %s", (_what, deployments, expected) =>
    expect(hasDeploymentInProgress(service(OLD, deployments, { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }))).toBe(expected),
  );
});

describe("hasFailedDeploymentLeftInPlace (deployment-circuit-breaker.html: without rollback the FAILED deployment stays)", () => {
  const failed = [d("a", NEW, "PRIMARY", "FAILED", 0), d("b", OLD, "ACTIVE", "COMPLETED", 2)];
  it.each<[string, Partial<Service>, Deployment[], boolean]>([
    ["breaker without rollback", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }, failed, true],
    ["no breaker", {}, failed, true],
    ["breaker with rollback: ECS is about to roll back", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }, failed, false],
    ["primary in progress", {}, [d("a", NEW, "PRIMARY", "IN_PROGRESS", 0), d("b", OLD, "ACTIVE", "COMPLETED", 2)], false],
  ])("%s → %s", (_what, extra, deployments, expected) => expect(hasFailedDeploymentLeftInPlace(service(OLD, deployments, extra))).toBe(expected));
});

describe("isViewBeforeUpdate (ECS is eventually consistent: API_RunTask.html)", () => {
  it.each<[string, Service | undefined, boolean]>([
    ["the service as it was: old revision, no deployment of ours", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]), true],
    ["our deployment listed but the service still names the old revision", service(OLD, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2)]), true],
    ["our deployment visible", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2)]), false],
    ["our deployment FAILED, ECS rolling back to the old revision", service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/new", NEW, "ACTIVE", "FAILED", 0)]), false],
    ["service gone", undefined, false],
  ])("%s → %s", (_what, snapshot, expected) => expect(isViewBeforeUpdate(snapshot, target)).toBe(expected));
});

describe("isOlderViewThanSeen (reads are not monotonic: an old view may follow a newer one)", () => {
  // UpdateService answered with our deployment PRIMARY beside the old one.
  const updated = { ...target, updateView: service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2)]) };
  it.each<[string, Service | undefined, boolean]>([
    ["the service as it was before the update: only the old deployment", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]), true],
    ["ours listed", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 1)]), false],
    ["ECS rolled back: a new deployment of the old revision, ours gone", service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]), false],
    ["another update: a deployment nobody saw before", service(OLD, [d("ecs-svc/x", OLD, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2)]), false],
    ["no deployments at all", service(NEW, []), false],
    ["service gone", undefined, false],
  ])("%s → %s", (_what, snapshot, expected) => expect(isOlderViewThanSeen(snapshot, updated)).toBe(expected));

  it("without UpdateService's answer nothing is known from before: never an older view", () => {
    expect(isOlderViewThanSeen(service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]), target)).toBe(false);
  });
});

describe("deploymentConfigurationWarnings", () => {
  it.each<[string, Partial<Service>, RegExp[]]>([
    ["protected", { deploymentConfiguration: { minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } } }, []],
    ["min healthy below 100 and no breaker", { deploymentConfiguration: { minimumHealthyPercent: 50 } }, [/minimumHealthyPercent is 50%/, /circuit breaker is off/]],
    ["breaker without rollback", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }, [/does not roll back/]],
    ["CodeDeploy controller: not ours to judge", { deploymentController: { type: "CODE_DEPLOY" } }, []],
  ])("%s", (_what, extra, expected) => {
    const warnings = deploymentConfigurationWarnings(service(OLD, [], extra));
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(warnings[i]).toMatch(pattern));
  });
});

describe("names", () => {
  it("revisionName and familyOf", () => {
    expect(revisionName(NEW)).toBe("web:7");
    expect(familyOf(NEW)).toBe("web");
    expect(familyOf("worker:3")).toBe("worker");
    expect(familyOf("worker")).toBe("worker");
  });
});
