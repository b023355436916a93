/**
 * rollout-state.ts to the letter: each state's exact reason and fields, the defaults for what an ECS
 * answer leaves out, and the small helpers (the wait's verdicts, ECS's service deployment records, the
 * progress lines). The other rollout-state tests check which state a snapshot is; these check what the
 * user reads. `toStrictEqual` throughout: a key set to `undefined` is not the key left out.
 */
import type { Deployment, Service, ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  assessNativeRollout,
  assessRollout,
  assessStopRollback,
  awaitingPause,
  currentServiceDeploymentOf,
  deploymentConfigurationWarnings,
  familyOf,
  formatCounts,
  formatNative,
  hasDeploymentInProgress,
  hasFailedDeploymentLeftInPlace,
  isFailure,
  isOlderViewThanSeen,
  isSettled,
  isViewBeforeUpdate,
  nativeProgressOf,
  nativeStrategyOf,
  revisionName,
  rolloutTargetsOf,
  type NativeProgress,
  type RolloutState,
  type RolloutStateKind,
  type RolloutTarget,
} from "../../../src/core/rollout-state.js";

const arn = (revision: number): string => `arn:aws:ecs:us-east-1:1:task-definition/web:${revision}`;
const OLD = arn(6);
const NEW = arn(7);
const OTHER = arn(8);
const target: RolloutTarget = { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW, fallbackRevisions: [OLD] };
const d = (id: string | undefined, taskDefinition: string, status: string, rolloutState: Deployment["rolloutState"] | undefined, running: number, desired = 2, extra: Partial<Deployment> = {}): Deployment => ({
  ...(id !== undefined ? { id } : {}),
  taskDefinition,
  status,
  ...(rolloutState !== undefined ? { rolloutState } : {}),
  runningCount: running,
  desiredCount: desired,
  pendingCount: 0,
  ...extra,
});
const service = (taskDefinition: string | undefined, deployments: Deployment[] | undefined, extra: Partial<Service> = {}): Service => ({
  serviceName: "web",
  status: "ACTIVE",
  ...(taskDefinition !== undefined ? { taskDefinition } : {}),
  ...(deployments !== undefined ? { deployments } : {}),
  ...extra,
});
const counts = (id: string, taskDefinitionArn: string, status: string, rolloutState: string, running: number, ours: boolean, desired = 2) => ({
  id,
  status,
  taskDefinitionArn,
  desired,
  running,
  pending: 0,
  failed: 0,
  rolloutState,
  ours,
});

describe("rolloutTargetsOf and currentServiceDeploymentOf", () => {
  it("without UpdateService's answer: only what ran before (a service without a revision counts as \"\"), no update view, no service deployment", () => {
    expect(rolloutTargetsOf([{ service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW }], [{ serviceName: "web" }, { serviceName: "api", taskDefinition: OTHER }])).toStrictEqual([
      { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW, fallbackRevisions: [""] },
    ]);
  });

  it("with it: the other deployments' revisions (\"\" for one without), the view, and the service deployment when ours is PRIMARY", () => {
    const snapshot = service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), { id: "ecs-svc/odd", status: "ACTIVE" }], { currentServiceDeployment: "arn:sd/1" });
    expect(rolloutTargetsOf([{ service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW, snapshot }], [])).toStrictEqual([
      { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW, fallbackRevisions: [""], updateView: snapshot, serviceDeploymentArn: "arn:sd/1" },
    ]);
  });

  const sd = { currentServiceDeployment: "arn:sd/1" };
  it.each<[string, Service | undefined, string | undefined]>([
    ["ours PRIMARY", service(NEW, [d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2), d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0)], sd), "arn:sd/1"],
    ["ours PRIMARY but FAILED", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0)], sd), undefined],
    ["ours listed first but ACTIVE, another PRIMARY", service(NEW, [d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 0), d("ecs-svc/x", OTHER, "PRIMARY", "IN_PROGRESS", 0)], sd), undefined],
    ["another PRIMARY first, ours ACTIVE after it", service(NEW, [d("ecs-svc/x", OTHER, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 0)], sd), undefined],
    ["no deployments listed", service(NEW, undefined, sd), undefined],
    ["no service", undefined, undefined],
  ])("currentServiceDeploymentOf: %s", (_what, snapshot, expected) => expect(currentServiceDeploymentOf(snapshot, "ecs-svc/new")).toBe(expected));
});

describe("nativeStrategyOf", () => {
  it.each<[string, Service | undefined, string | undefined]>([
    ["no service", undefined, undefined],
    ["no deployment configuration", {}, undefined],
    ["LINEAR, controller not named (ECS)", { deploymentConfiguration: { strategy: "LINEAR" } }, "LINEAR"],
    ["CANARY under the ECS controller", { deploymentController: { type: "ECS" }, deploymentConfiguration: { strategy: "CANARY" } }, "CANARY"],
    ["BLUE_GREEN under EXTERNAL", { deploymentController: { type: "EXTERNAL" }, deploymentConfiguration: { strategy: "BLUE_GREEN" } }, undefined],
  ])("%s → %s", (_what, snapshot, expected) => expect(nativeStrategyOf(snapshot)).toBe(expected));
});

describe("nativeProgressOf", () => {
  it("copies what the record has, hooks included (expiresAt in ms)", () => {
    const record: ServiceDeployment = {
      status: "IN_PROGRESS",
      statusReason: "shifting",
      lifecycleStage: "TEST_TRAFFIC_SHIFT",
      targetServiceRevision: { arn: "rev/new", requestedProductionTrafficWeight: 10, requestedTestTrafficWeight: 100 },
      deploymentConfiguration: { bakeTimeInMinutes: 5 },
      lifecycleHookDetails: [
        { targetArn: "arn:lambda:smoke", status: "AWAITING_ACTION", hookId: "h1", targetType: "PAUSE", expiresAt: new Date(60_000), timeoutAction: "CONTINUE" },
        { targetType: "PAUSE" },
        {},
      ],
      rollback: { serviceRevisionArn: "rev/old" },
    };
    expect(nativeProgressOf(record, "LINEAR")).toStrictEqual({
      strategy: "LINEAR",
      status: "IN_PROGRESS",
      statusReason: "shifting",
      stage: "TEST_TRAFFIC_SHIFT",
      production: 10,
      test: 100,
      bakeTimeInMinutes: 5,
      hooks: [
        { target: "arn:lambda:smoke", status: "AWAITING_ACTION", hookId: "h1", targetType: "PAUSE", expiresAt: 60_000, timeoutAction: "CONTINUE" },
        { target: "PAUSE", status: "", targetType: "PAUSE" },
        { target: "hook", status: "" },
      ],
      rollbackRevisionArn: "rev/old",
    });
  });

  it("an empty record: a status of \"\", no hooks, nothing else", () => {
    expect(nativeProgressOf({}, "CANARY")).toStrictEqual({ strategy: "CANARY", status: "", hooks: [] });
    expect(nativeProgressOf({ targetServiceRevision: {}, deploymentConfiguration: {}, rollback: {} }, "CANARY")).toStrictEqual({ strategy: "CANARY", status: "", hooks: [] });
  });
});

describe("assessNativeRollout: exact states", () => {
  // A key given as undefined is left out (exactOptionalPropertyTypes), as ECS leaves it out.
  const progress = (status: string, extra: { readonly [K in keyof NativeProgress]?: NativeProgress[K] | undefined } = {}): NativeProgress =>
    Object.fromEntries(Object.entries({ strategy: "BLUE_GREEN", status, stage: "BAKE_TIME", hooks: [], ...extra }).filter(([, value]) => value !== undefined)) as unknown as NativeProgress;
  const done = service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2)]);
  const doneCounts = [counts("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2, true)];
  const inProgress = service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1)]);
  const failedInPlace = service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0, 2, { rolloutStateReason: "tasks failed to start" })]);

  it("without a record: the state as it is (the same object)", () => {
    const state = assessRollout(done, target);
    expect(assessNativeRollout(state, undefined, done, target)).toBe(state);
  });

  it("a vanished or superseded state keeps its verdict and gains the record", () => {
    const gone = assessRollout(undefined, target);
    expect(assessNativeRollout(gone, progress("SUCCESSFUL"), undefined, target)).toStrictEqual({ ...gone, native: progress("SUCCESSFUL") });
    const superseded = assessRollout(service(OTHER, [d("ecs-svc/x", OTHER, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1)]), target);
    expect(superseded.kind).toBe("superseded");
    expect(assessNativeRollout(superseded, progress("SUCCESSFUL"), undefined, target)).toStrictEqual({ ...superseded, native: progress("SUCCESSFUL") });
  });

  it.each<[string, Service, NativeProgress, RolloutTarget, RolloutState]>([
    ["SUCCESSFUL", done, progress("SUCCESSFUL"), target, { counts: doneCounts, native: progress("SUCCESSFUL"), kind: "completed", reason: "service deployment SUCCESSFUL: web is on web:7" }],
    [
      "ROLLBACK_IN_PROGRESS, no reason given, the service still on ours: back to the first fallback",
      done,
      progress("ROLLBACK_IN_PROGRESS"),
      target,
      { counts: doneCounts, native: progress("ROLLBACK_IN_PROGRESS"), fallenBackTo: OLD, kind: "rolling-back", reason: "service deployment ROLLBACK_IN_PROGRESS" },
    ],
    [
      "ROLLBACK_REQUESTED without fallbacks: nothing to name",
      inProgress,
      progress("ROLLBACK_REQUESTED", { statusReason: "stopped by a user" }),
      { service: "web", deploymentId: "ecs-svc/new", taskDefinitionArn: NEW },
      { counts: [counts("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, true)], native: progress("ROLLBACK_REQUESTED", { statusReason: "stopped by a user" }), kind: "rolling-back", reason: "stopped by a user" },
    ],
    [
      "ROLLBACK_SUCCESSFUL, the service on another revision than ours and its fallback",
      service(OTHER, [d("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0)]),
      progress("ROLLBACK_SUCCESSFUL", { hooks: [{ target: "smoke", status: "TIMED_OUT" }], stage: undefined }),
      target,
      {
        counts: [counts("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0, true)],
        native: progress("ROLLBACK_SUCCESSFUL", { hooks: [{ target: "smoke", status: "TIMED_OUT" }], stage: undefined }),
        fallenBackTo: OTHER,
        kind: "rolled-back",
        reason: "lifecycle hook smoke TIMED_OUT",
      },
    ],
    [
      "ROLLBACK_FAILED, a hook that succeeded is not named",
      done,
      progress("ROLLBACK_FAILED", { hooks: [{ target: "ok", status: "SUCCEEDED" }] }),
      target,
      { counts: doneCounts, native: progress("ROLLBACK_FAILED", { hooks: [{ target: "ok", status: "SUCCEEDED" }] }), kind: "failed", reason: "ECS could not roll back (ROLLBACK_FAILED): service deployment ROLLBACK_FAILED" },
    ],
    [
      "STOPPED on a deployment ECS marked FAILED: its reason",
      failedInPlace,
      progress("STOPPED"),
      target,
      { counts: [counts("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0, true)], native: progress("STOPPED"), kind: "failed", reason: "service deployment STOPPED: tasks failed to start" },
    ],
    [
      "IN_PROGRESS while every task runs: not done, its stage named",
      done,
      progress("IN_PROGRESS"),
      target,
      { counts: doneCounts, native: progress("IN_PROGRESS"), kind: "in-progress", reason: "service deployment IN_PROGRESS in BAKE_TIME" },
    ],
    [
      "PENDING without a stage",
      done,
      progress("PENDING", { stage: undefined }),
      target,
      { counts: doneCounts, native: progress("PENDING", { stage: undefined }), kind: "in-progress", reason: "service deployment PENDING" },
    ],
  ])("%s", (_what, snapshot, record, rolloutTarget, expected) => {
    const strip = (state: RolloutState) => JSON.parse(JSON.stringify(state)) as unknown;
    const state = assessNativeRollout(assessRollout(snapshot, rolloutTarget), record, snapshot, rolloutTarget);
    expect(strip(state)).toStrictEqual(strip(expected));
    expect(Object.keys(state).sort()).toStrictEqual(Object.keys(JSON.parse(JSON.stringify(expected)) as object).sort());
  });

  it("IN_PROGRESS on a deployment still rolling: the rollout's own state, with the record", () => {
    const state = assessRollout(inProgress, target);
    expect(assessNativeRollout(state, progress("IN_PROGRESS"), inProgress, target)).toStrictEqual({ ...state, native: progress("IN_PROGRESS") });
  });

  it("ROLLBACK_SUCCESSFUL after ECS's rollback: the revision the rollout state found, before the first fallback", () => {
    const back = service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]);
    const fallbacks = { ...target, fallbackRevisions: [arn(5), OLD] };
    const state = assessNativeRollout(assessRollout(back, fallbacks), progress("ROLLBACK_SUCCESSFUL"), back, fallbacks);
    expect(state.fallenBackTo).toBe(OLD);
    expect(state.reason).toBe("deployment ecs-svc/new is gone");
  });

  it.each<[string, Service | undefined, string | undefined]>([
    ["the view on another revision", service(OTHER, []), OTHER],
    ["the view on ours: the first fallback", service(NEW, []), OLD],
    ["no view: the first fallback", undefined, OLD],
  ])("a state that names no revision: %s", (_what, snapshot, expected) => {
    const state: RolloutState = { kind: "in-progress", reason: "in progress", counts: [] };
    expect(assessNativeRollout(state, progress("ROLLBACK_IN_PROGRESS"), snapshot, target).fallenBackTo).toBe(expected);
  });
});

describe("assessStopRollback (rollback stopped ECS's deployment in flight)", () => {
  const stop: RolloutTarget = { service: "web", deploymentId: "ecs-svc/back", taskDefinitionArn: OLD, stoppedTaskDefinitionArn: NEW };
  const onOld = service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2)]);
  const onNew = service(NEW, [d("ecs-svc/x", NEW, "PRIMARY", "IN_PROGRESS", 2)]);
  const p = (status: string, extra: Partial<NativeProgress> = {}): NativeProgress => ({ strategy: "BLUE_GREEN", status, hooks: [], ...extra });
  const oldCounts = [counts("ecs-svc/back", OLD, "PRIMARY", "COMPLETED", 2, true)];
  const newCounts = [counts("ecs-svc/x", NEW, "PRIMARY", "IN_PROGRESS", 2, false)];

  it.each<[string, Service | undefined, NativeProgress | undefined, RolloutTarget, RolloutState]>([
    ["no service", undefined, p("ROLLBACK_SUCCESSFUL"), stop, { kind: "vanished", reason: "service web is gone", counts: [] }],
    ["a DRAINING service", service(OLD, [], { status: "DRAINING" }), p("ROLLBACK_SUCCESSFUL"), stop, { kind: "vanished", reason: "service web is DRAINING", counts: [] }],
    ["no record yet (a service without status is ACTIVE)", service(NEW, [], { status: undefined }), undefined, stop, { counts: [], kind: "in-progress", reason: "waiting for ECS's service deployment" }],
    ["ROLLBACK_SUCCESSFUL to the target, read", onNew, p("ROLLBACK_SUCCESSFUL", { rollbackTaskDefinition: OLD }), stop, { counts: newCounts, native: p("ROLLBACK_SUCCESSFUL", { rollbackTaskDefinition: OLD }), kind: "completed", reason: "ECS rolled web:7 back: ROLLBACK_SUCCESSFUL" }],
    ["ROLLBACK_SUCCESSFUL, unread, the service on the target", onOld, p("ROLLBACK_SUCCESSFUL"), stop, { counts: oldCounts, native: p("ROLLBACK_SUCCESSFUL"), kind: "completed", reason: "ECS rolled web:7 back: ROLLBACK_SUCCESSFUL" }],
    ["ROLLBACK_SUCCESSFUL, unread, the service not there yet", onNew, p("ROLLBACK_SUCCESSFUL"), stop, { counts: newCounts, native: p("ROLLBACK_SUCCESSFUL"), kind: "in-progress", reason: "ROLLBACK_SUCCESSFUL, waiting for the service to show it" }],
    [
      "ROLLBACK_SUCCESSFUL to another revision",
      onOld,
      p("ROLLBACK_SUCCESSFUL", { rollbackTaskDefinition: arn(5) }),
      stop,
      { counts: oldCounts, native: p("ROLLBACK_SUCCESSFUL", { rollbackTaskDefinition: arn(5) }), kind: "failed", reason: "ECS rolled web:7 back to web:5 (its last completed deployment), not to web:6: roll back again" },
    ],
    ["ROLLBACK_FAILED with a reason", onNew, p("ROLLBACK_FAILED", { statusReason: "no capacity" }), stop, { counts: newCounts, native: p("ROLLBACK_FAILED", { statusReason: "no capacity" }), kind: "failed", reason: "ECS could not roll web:7 back (ROLLBACK_FAILED: no capacity)" }],
    ["ROLLBACK_FAILED without", onNew, p("ROLLBACK_FAILED"), stop, { counts: newCounts, native: p("ROLLBACK_FAILED"), kind: "failed", reason: "ECS could not roll web:7 back (ROLLBACK_FAILED)" }],
    ["SUCCESSFUL", onNew, p("SUCCESSFUL"), stop, { counts: newCounts, native: p("SUCCESSFUL"), kind: "failed", reason: "the deployment of web:7 finished (SUCCESSFUL) before the stop took effect; the service stays on it: roll back again" }],
    ["STOPPED with a reason", onNew, p("STOPPED", { statusReason: "by hand" }), stop, { counts: newCounts, native: p("STOPPED", { statusReason: "by hand" }), kind: "failed", reason: "the deployment of web:7 was STOPPED without a rollback (by hand)" }],
    ["STOPPED without", onNew, p("STOPPED"), stop, { counts: newCounts, native: p("STOPPED"), kind: "failed", reason: "the deployment of web:7 was STOPPED without a rollback" }],
    ["ROLLBACK_IN_PROGRESS, no stopped revision known", onNew, p("ROLLBACK_IN_PROGRESS"), { service: "web", deploymentId: "ecs-svc/back", taskDefinitionArn: OLD }, { counts: newCounts, native: p("ROLLBACK_IN_PROGRESS"), kind: "in-progress", reason: "ECS's rollback: ROLLBACK_IN_PROGRESS" }],
  ])("%s", (_what, snapshot, progress, rolloutTarget, expected) => expect(assessStopRollback(snapshot, progress, rolloutTarget)).toStrictEqual(expected));

  it("no stopped revision known: named as \"\"", () => {
    expect(assessStopRollback(onNew, p("SUCCESSFUL"), { service: "web", deploymentId: "ecs-svc/back", taskDefinitionArn: OLD }).reason).toBe(
      "the deployment of  finished (SUCCESSFUL) before the stop took effect; the service stays on it: roll back again",
    );
  });
});

describe("awaitingPause", () => {
  const hook = (status: string) => ({ target: `hook-${status}`, status });
  it.each<[string, NativeProgress | undefined, string | undefined]>([
    ["no record", undefined, undefined],
    ["IN_PROGRESS, the second hook awaiting", { strategy: "BLUE_GREEN", status: "IN_PROGRESS", hooks: [hook("IN_PROGRESS"), hook("AWAITING_ACTION")] }, "hook-AWAITING_ACTION"],
    ["IN_PROGRESS, no hook awaiting", { strategy: "BLUE_GREEN", status: "IN_PROGRESS", hooks: [hook("IN_PROGRESS")] }, undefined],
    ["ROLLBACK_IN_PROGRESS with a hook awaiting: not a pause", { strategy: "BLUE_GREEN", status: "ROLLBACK_IN_PROGRESS", hooks: [hook("AWAITING_ACTION")] }, undefined],
  ])("%s", (_what, progress, expected) => expect(awaitingPause(progress)?.target).toBe(expected));
});

describe("formatNative", () => {
  const p = (extra: Partial<NativeProgress>): NativeProgress => ({ strategy: "LINEAR", status: "IN_PROGRESS", hooks: [], ...extra });
  it.each<[string, NativeProgress, RolloutTarget, number | undefined, string]>([
    ["nothing but the status", p({}), target, undefined, "web: LINEAR IN_PROGRESS"],
    ["part of production, the old revision's share", p({ stage: "PRODUCTION_TRAFFIC_SHIFT", production: 30 }), target, undefined, "web: LINEAR PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS: production 30% on web:7 (70% on web:6)"],
    ["no fallback known", p({ production: 30 }), { ...target, fallbackRevisions: [] }, undefined, "web: LINEAR IN_PROGRESS: production 30% on web:7"],
    ["a fallback of \"\"", p({ production: 30 }), { ...target, fallbackRevisions: [""] }, undefined, "web: LINEAR IN_PROGRESS: production 30% on web:7"],
    ["no fallback list", p({ production: 30 }), { service: "web", deploymentId: "x", taskDefinitionArn: NEW }, undefined, "web: LINEAR IN_PROGRESS: production 30% on web:7"],
    ["test traffic only, two hooks", p({ test: 0, hooks: [{ target: "a", status: "SUCCEEDED" }, { target: "b", status: "IN_PROGRESS" }] }), target, undefined, "web: LINEAR IN_PROGRESS: test 0%; hook a SUCCEEDED; hook b IN_PROGRESS"],
    ["time left outside BAKE_TIME: not shown", p({ stage: "POST_PRODUCTION_TRAFFIC_SHIFT" }), target, 60_000, "web: LINEAR POST_PRODUCTION_TRAFFIC_SHIFT IN_PROGRESS"],
    ["bake time over", p({ stage: "BAKE_TIME" }), target, 0, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 0m left"],
    ["bake time past its end", p({ stage: "BAKE_TIME" }), target, -1, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 0m left"],
    ["a millisecond: a minute", p({ stage: "BAKE_TIME" }), target, 1, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 1m left"],
    ["59 minutes and a bit: an hour", p({ stage: "BAKE_TIME" }), target, 59 * 60_000 + 1, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 1h left"],
    ["59 minutes", p({ stage: "BAKE_TIME" }), target, 59 * 60_000, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 59m left"],
    ["2 hours 5 minutes", p({ stage: "BAKE_TIME" }), target, 125 * 60_000, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 2h5m left"],
    ["3 hours", p({ stage: "BAKE_TIME" }), target, 180 * 60_000, "web: LINEAR BAKE_TIME IN_PROGRESS; bake time 3h left"],
  ])("%s", (_what, progress, rolloutTarget, bakeLeftMs, expected) => expect(formatNative("web", progress, rolloutTarget, bakeLeftMs)).toBe(expected));
});

describe("isFailure and isSettled, for every state", () => {
  it.each<[RolloutStateKind, boolean, boolean]>([
    ["in-progress", false, false],
    ["completed", false, true],
    ["paused", false, true],
    ["failed", true, true],
    ["rolling-back", true, false],
    ["rolled-back", true, true],
    ["superseded", true, true],
    ["vanished", true, true],
  ])("%s: failure %s, settled %s", (kind, failure, settled) => {
    expect(isFailure(kind)).toBe(failure);
    expect(isSettled(kind)).toBe(settled);
  });
});

describe("assessRollout: exact states", () => {
  it.each<[string, Service | undefined, RolloutTarget, RolloutState]>([
    ["no service", undefined, target, { kind: "vanished", reason: "service web is gone", counts: [] }],
    ["INACTIVE", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2)], { status: "INACTIVE" }), target, { kind: "vanished", reason: "service web is INACTIVE", counts: [] }],
    ["a service without status counts as ACTIVE", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2)], { status: undefined }), target, { kind: "completed", reason: "service web is stable on web:7", counts: [counts("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2, true)] }],
    ["no deployments listed, no revision", service(undefined, undefined), target, { kind: "vanished", reason: "deployment ecs-svc/new is gone and service web has no deployment of web:7", counts: [] }],
    [
      "a deployment without fields",
      service(NEW, [{}]),
      target,
      { kind: "vanished", reason: "deployment ecs-svc/new is gone and service web has no deployment of web:7", counts: [{ id: "", status: "", taskDefinitionArn: "", desired: 0, running: 0, pending: 0, failed: 0, rolloutState: "", ours: false }] },
    ],
    [
      "ours in progress with ECS's reason, failed tasks counted",
      service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, 2, { rolloutStateReason: "ECS deployment ecs-svc/new in progress.", failedTasks: 3, pendingCount: 1 })]),
      target,
      { kind: "in-progress", reason: "ECS deployment ecs-svc/new in progress.", counts: [{ ...counts("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, true), pending: 1, failed: 3 }] },
    ],
    ["ours in progress, no reason", service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1)]), target, { kind: "in-progress", reason: "in progress", counts: [counts("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, true)] }],
    [
      "ours COMPLETED with ECS's reason",
      service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2, 2, { rolloutStateReason: "ECS deployment ecs-svc/new completed." })]),
      target,
      { kind: "completed", reason: "ECS deployment ecs-svc/new completed.", counts: [counts("ecs-svc/new", NEW, "PRIMARY", "COMPLETED", 2, true)] },
    ],
    [
      "ours FAILED on our revision, no reason (the wording assumes a rollback)",
      service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0)]),
      target,
      { kind: "failed", reason: "service web went back to web:7", counts: [counts("ecs-svc/new", NEW, "PRIMARY", "FAILED", 0, true)] },
    ],
    [
      "ours still PRIMARY while the service names another revision: going back to it",
      service(OLD, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2)]),
      target,
      { kind: "rolling-back", reason: "service web went back to web:6", fallenBackTo: OLD, counts: [counts("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0, true), counts("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2, false)] },
    ],
    [
      "ours gone, ECS's rollback not done: the PRIMARY on the old revision still rolling",
      service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", "IN_PROGRESS", 1)]),
      target,
      { kind: "rolling-back", reason: "deployment ecs-svc/new is gone", fallenBackTo: OLD, counts: [counts("ecs-svc/back", OLD, "PRIMARY", "IN_PROGRESS", 1, false)] },
    ],
    [
      "ours gone, the PRIMARY on another revision than the service's",
      service(OLD, [d("ecs-svc/x", OTHER, "PRIMARY", "COMPLETED", 2)]),
      target,
      { kind: "rolling-back", reason: "deployment ecs-svc/new is gone", fallenBackTo: OLD, counts: [counts("ecs-svc/x", OTHER, "PRIMARY", "COMPLETED", 2, false)] },
    ],
    [
      "ours gone, rolled back, done by counts (no rolloutState)",
      service(OLD, [d("ecs-svc/back", OLD, "PRIMARY", undefined, 2)]),
      target,
      { kind: "rolled-back", reason: "deployment ecs-svc/new is gone", fallenBackTo: OLD, counts: [counts("ecs-svc/back", OLD, "PRIMARY", "", 2, false)] },
    ],
    [
      "superseded: the deployment on the service's revision named even when not PRIMARY",
      service(OTHER, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/x", OTHER, "ACTIVE", "IN_PROGRESS", 1)]),
      { ...target, deploymentId: "ecs-svc/gone" },
      {
        kind: "superseded",
        reason: "superseded by deployment ecs-svc/x on revision web:8: another update of service web replaced ours",
        fallenBackTo: OTHER,
        counts: [counts("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 1, false), counts("ecs-svc/x", OTHER, "ACTIVE", "IN_PROGRESS", 1, false)],
      },
    ],
    [
      "superseded by a deployment without id",
      service(OTHER, [d(undefined, OTHER, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1)]),
      target,
      {
        kind: "superseded",
        reason: "superseded by deployment (unknown) on revision web:8: another update of service web replaced ours",
        fallenBackTo: OTHER,
        counts: [counts("", OTHER, "PRIMARY", "IN_PROGRESS", 1, false), counts("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1, true)],
      },
    ],
    [
      "superseded, no deployment on the service's revision listed",
      service(OTHER, [d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1)]),
      target,
      { kind: "superseded", reason: "superseded by deployment (unknown) on revision web:8: another update of service web replaced ours", fallenBackTo: OTHER, counts: [counts("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 1, true)] },
    ],
    [
      "ours gone, another deployment of our revision rolling",
      service(NEW, [d("ecs-svc/force", NEW, "PRIMARY", "IN_PROGRESS", 1)]),
      target,
      { kind: "in-progress", reason: "a newer deployment ecs-svc/force of the same revision is rolling out", counts: [counts("ecs-svc/force", NEW, "PRIMARY", "IN_PROGRESS", 1, false)] },
    ],
    [
      "ours gone, another deployment of our revision without id",
      service(NEW, [d(undefined, NEW, "PRIMARY", "IN_PROGRESS", 1)]),
      target,
      { kind: "in-progress", reason: "a newer deployment  of the same revision is rolling out", counts: [counts("", NEW, "PRIMARY", "IN_PROGRESS", 1, false)] },
    ],
    [
      "ours gone, the only deployment of our revision not PRIMARY",
      service(NEW, [d("ecs-svc/x", OTHER, "PRIMARY", "IN_PROGRESS", 1), d("ecs-svc/y", NEW, "ACTIVE", "COMPLETED", 1)]),
      target,
      { kind: "vanished", reason: "deployment ecs-svc/new is gone and service web has no deployment of web:7", counts: [counts("ecs-svc/x", OTHER, "PRIMARY", "IN_PROGRESS", 1, false), counts("ecs-svc/y", NEW, "ACTIVE", "COMPLETED", 1, false)] },
    ],
  ])("%s", (_what, snapshot, rolloutTarget, expected) => {
    expect(assessRollout(snapshot, rolloutTarget)).toStrictEqual(expected);
  });

  it.each<[string, Partial<Deployment>, RolloutStateKind]>([
    ["running = desired, nothing pending", { runningCount: 2, desiredCount: 2, pendingCount: 0 }, "completed"],
    ["one short", { runningCount: 1, desiredCount: 2, pendingCount: 0 }, "in-progress"],
    ["all running, one more pending", { runningCount: 2, desiredCount: 2, pendingCount: 1 }, "in-progress"],
    ["no counts at all: 0 = 0", {}, "completed"],
    ["only desired", { desiredCount: 1 }, "in-progress"],
    ["only running", { runningCount: 1 }, "in-progress"],
    ["only pending", { pendingCount: 1 }, "in-progress"],
    ["rolloutState IN_PROGRESS decides over the counts", { rolloutState: "IN_PROGRESS", runningCount: 2, desiredCount: 2 }, "in-progress"],
  ])("without rolloutState the counts decide: %s → %s", (_what, fields, kind) => {
    expect(assessRollout(service(NEW, [{ id: "ecs-svc/new", taskDefinition: NEW, status: "PRIMARY", ...fields }]), target).kind).toBe(kind);
  });
});

describe("isViewBeforeUpdate and isOlderViewThanSeen: the edges", () => {
  const updated: RolloutTarget = { ...target, updateView: service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/old", OLD, "ACTIVE", "COMPLETED", 2), { status: "ACTIVE" }]) };
  it.each<[string, Service | undefined, boolean]>([
    ["a service without status, without our deployment", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)], { status: undefined }), true],
    ["DRAINING", service(OLD, [], { status: "DRAINING" }), false],
    ["no deployments listed", service(OLD, undefined), true],
    ["ours PRIMARY, the service names no revision", service(undefined, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0)]), false],
    ["ours ACTIVE on the old revision", service(OLD, [d("ecs-svc/x", OLD, "PRIMARY", "IN_PROGRESS", 0), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 0)]), false],
  ])("isViewBeforeUpdate: %s → %s", (_what, snapshot, expected) => expect(isViewBeforeUpdate(snapshot, target)).toBe(expected));

  it.each<[string, Service | undefined, RolloutTarget, boolean]>([
    ["a service without status showing only the old deployment", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)], { status: undefined }), updated, true],
    ["INACTIVE", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)], { status: "INACTIVE" }), updated, false],
    ["no deployments listed", service(OLD, undefined), updated, false],
    ["a deployment without id is not one seen before", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2), { status: "ACTIVE" }]), updated, false],
    ["the old deployment and one unseen", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2), d("ecs-svc/x", OLD, "ACTIVE", "COMPLETED", 0)]), updated, false],
    ["ours listed after the old one", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2), d("ecs-svc/new", NEW, "ACTIVE", "IN_PROGRESS", 0)]), updated, false],
    [
      "UpdateService's answer listed ours only: ours is not \"before\"",
      service(NEW, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]),
      { ...target, updateView: service(NEW, [d("ecs-svc/new", NEW, "PRIMARY", "IN_PROGRESS", 0)]) },
      false,
    ],
    ["an update view without deployments", service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]), { ...target, updateView: service(NEW, undefined) }, false],
  ])("isOlderViewThanSeen: %s → %s", (_what, snapshot, rolloutTarget, expected) => expect(isOlderViewThanSeen(snapshot, rolloutTarget)).toBe(expected));

  it("isOlderViewThanSeen: ours is never part of \"before\", even listed in the update view beside the old one", () => {
    // A view listing only ours: not older (ours is in it); a view listing the old one only: older.
    expect(isOlderViewThanSeen(service(OLD, [d("ecs-svc/old", OLD, "PRIMARY", "COMPLETED", 2)]), updated)).toBe(true);
  });
});

describe("formatCounts", () => {
  it.each<[string, Parameters<typeof formatCounts>[1], string]>([
    ["no deployments", [], "web: no deployments"],
    [
      "ours, the primary (not ours), an old one; failed tasks; no rolloutState",
      [
        { ...counts("a", NEW, "ACTIVE", "IN_PROGRESS", 1, true), failed: 2 },
        counts("b", OTHER, "PRIMARY", "", 0, false),
        { ...counts("c", OLD, "ACTIVE", "COMPLETED", 2, false), pending: 1 },
      ],
      "web: new web:7 1/2 running 2 failed IN_PROGRESS | primary web:8 0/2 running | old web:6 2/2 running (1 pending) COMPLETED",
    ],
  ])("%s", (_what, list, expected) => expect(formatCounts("web", list)).toBe(expected));
});

describe("hasDeploymentInProgress and hasFailedDeploymentLeftInPlace: the edges", () => {
  it.each<[string, Service, boolean]>([
    ["no deployments listed", service(OLD, undefined), false],
    ["one without rolloutState", service(OLD, [d("a", OLD, "PRIMARY", undefined, 1)]), false],
    ["one PENDING-like state other than IN_PROGRESS", service(OLD, [d("a", OLD, "PRIMARY", "COMPLETED", 1)]), false],
    ["a FAILED primary while the breaker rolls back: ECS is about to roll back", service(OLD, [d("a", NEW, "PRIMARY", "FAILED", 0)], { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }), false],
  ])("hasDeploymentInProgress: %s → %s", (_what, snapshot, expected) => expect(hasDeploymentInProgress(snapshot)).toBe(expected));

  it.each<[string, Service, boolean]>([
    ["breaker enabled, rollback unset", service(OLD, [d("a", NEW, "PRIMARY", "FAILED", 0)], { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: undefined as unknown as boolean } } }), true],
    ["breaker off, rollback on", service(OLD, [d("a", NEW, "PRIMARY", "FAILED", 0)], { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: true } } }), true],
    ["the FAILED one not PRIMARY", service(OLD, [d("b", OLD, "PRIMARY", "COMPLETED", 2), d("a", NEW, "ACTIVE", "FAILED", 0)]), false],
    ["no deployments listed", service(OLD, undefined), false],
  ])("hasFailedDeploymentLeftInPlace: %s → %s", (_what, snapshot, expected) => expect(hasFailedDeploymentLeftInPlace(snapshot)).toBe(expected));
});

describe("deploymentConfigurationWarnings: exact lines", () => {
  it.each<[string, Service, string[]]>([
    ["nothing configured, unnamed", { deploymentController: {} } as Service, ["service: the deployment circuit breaker is off: a revision whose tasks never start keeps ECS retrying until --timeout, and nothing rolls back"]],
    [
      "99% and a breaker without rollback",
      { serviceName: "web", deploymentConfiguration: { minimumHealthyPercent: 99, deploymentCircuitBreaker: { enable: true, rollback: false } } },
      [
        "web: minimumHealthyPercent is 99%: ECS may stop old tasks before new ones are healthy (capacity drops during the rollout)",
        "web: the deployment circuit breaker does not roll back: a failed rollout leaves the service on the failed revision",
      ],
    ],
    ["100% and a breaker that rolls back: nothing", { serviceName: "web", deploymentController: { type: "ECS" }, deploymentConfiguration: { minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } } }, []],
    ["EXTERNAL controller", { serviceName: "web", deploymentController: { type: "EXTERNAL" } }, []],
  ])("%s", (_what, snapshot, expected) => expect(deploymentConfigurationWarnings(snapshot)).toStrictEqual(expected));
});

describe("revisionName and familyOf: the edges", () => {
  it.each<[string, string, string]>([
    ["an ARN", NEW, "web:7"],
    ["a family:revision", "web:7", "web:7"],
    ["a name with a slash in front", "/web:7", "web:7"],
    ["an empty string", "", ""],
  ])("revisionName: %s", (_what, input, expected) => expect(revisionName(input)).toBe(expected));

  it("familyOf an ARN, a family:revision, a bare family", () => {
    expect([familyOf(NEW), familyOf("worker:3"), familyOf("worker"), familyOf(":3")]).toStrictEqual(["web", "worker", "worker", ""]);
  });
});
