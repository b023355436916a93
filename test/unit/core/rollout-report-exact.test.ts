/**
 * rollout-report.ts to the letter: every line a wait logs and every error it ends with, word for
 * word, for each state — including a PAUSE hook's line, a stopped deployment's display, a native
 * deployment still deploying, and what the report's error carries (its code, its result, its cause).
 */
import { describe, expect, it } from "vitest";
import { AwsCallError, DeploymentFailedError, InterruptedError, WaitTimeoutError } from "../../../src/core/errors.js";
import {
  continueCommand,
  describeOutcome,
  displayTarget,
  notVisibleYetLine,
  pausedLine,
  pendingStateText,
  pollFailedLine,
  progressLine,
  rolloutReportError,
  serviceEventLine,
  stoppedTasksUnreadableLine,
  transitionLine,
  type RolloutReport,
  type ServiceRolloutOutcome,
} from "../../../src/core/rollout-report.js";
import type { NativeProgress } from "../../../src/core/rollout-state.js";

const arn = (revision: string): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${revision}`;
const outcome = (extra: Partial<ServiceRolloutOutcome>): ServiceRolloutOutcome => ({
  service: "web",
  taskDefinitionArn: arn("web:8"),
  deploymentId: "ecs-svc/1",
  state: "in-progress",
  reason: "2 of 3 running",
  counts: [],
  ...extra,
});
const count = (ours: boolean, desired: number, running: number) => ({ id: ours ? "ecs-svc/1" : "ecs-svc/0", status: ours ? "PRIMARY" : "ACTIVE", taskDefinitionArn: arn(ours ? "web:8" : "web:7"), desired, running, pending: 0, failed: 0, rolloutState: "", ours });
const native = (extra: Partial<NativeProgress> = {}): NativeProgress => ({ strategy: "BLUE_GREEN", status: "IN_PROGRESS", hooks: [], ...extra });
const report = (ended: RolloutReport["ended"], outcomes: ServiceRolloutOutcome[], error?: AwsCallError): RolloutReport => ({ ended, outcomes, elapsedMs: 90_000, polls: 3, ...(error ? { error } : {}) });
const stopped = { taskId: "0123456789abcdef", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError", containers: [] };

describe("transitionLine: every state, word for word", () => {
  it.each<[string, Partial<ServiceRolloutOutcome>, { level: string; text: string } | undefined]>([
    ["completed", { state: "completed" }, { level: "info", text: "web: stable on web:8 (deployment ecs-svc/1 COMPLETED)" }],
    ["completed with tasks of another deployment at 0", { state: "completed", counts: [count(false, 0, 0), count(true, 2, 2)] }, { level: "info", text: "web: stable on web:8 (deployment ecs-svc/1 COMPLETED)" }],
    ["completed, ours desired 0 but running", { state: "completed", counts: [count(true, 0, 1)] }, { level: "info", text: "web: stable on web:8 (deployment ecs-svc/1 COMPLETED)" }],
    ["completed, ours running 0 of 2", { state: "completed", counts: [count(true, 2, 0)] }, { level: "info", text: "web: stable on web:8 (deployment ecs-svc/1 COMPLETED)" }],
    [
      "completed with desired 0",
      { state: "completed", counts: [count(true, 0, 0)] },
      { level: "warn", text: "web: deployment ecs-svc/1 of web:8 COMPLETED with a desired count of 0: no task of it ran, so it is not recorded as stable" },
    ],
    ["a rollback by rollback's stop, done", { state: "completed", reason: "ECS rolled web:9 back: ROLLBACK_SUCCESSFUL", native: native({ status: "ROLLBACK_SUCCESSFUL" }) }, { level: "info", text: "web: back on web:8 (ECS rolled web:9 back: ROLLBACK_SUCCESSFUL)" }],
    ["failed", { state: "failed", reason: "circuit breaker" }, { level: "warn", text: "web: deployment ecs-svc/1 of web:8 FAILED: circuit breaker" }],
    [
      "rolling back",
      { state: "rolling-back", reason: "circuit breaker", fallenBackTo: arn("web:7") },
      { level: "warn", text: "web: deployment of web:8 failed (circuit breaker); ECS is rolling back to web:7, watching until it is stable there" },
    ],
    ["rolling back, to an unknown revision", { state: "rolling-back", reason: "x" }, { level: "warn", text: "web: deployment of web:8 failed (x); ECS is rolling back to , watching until it is stable there" }],
    ["rolled back", { state: "rolled-back", reason: "circuit breaker", fallenBackTo: arn("web:7") }, { level: "warn", text: "web: rolled back: stable again on web:7 (web:8 failed: circuit breaker)" }],
    ["rolled back, to an unknown revision", { state: "rolled-back", reason: "x" }, { level: "warn", text: "web: rolled back: stable again on  (web:8 failed: x)" }],
    ["vanished", { state: "vanished", reason: "service web is gone" }, { level: "warn", text: "web: service web is gone" }],
    ["superseded", { state: "superseded", reason: "superseded by deployment x" }, { level: "warn", text: "web: superseded by deployment x" }],
    ["paused", { state: "paused", reason: "paused at BAKE_TIME" }, { level: "info", text: "web: paused at BAKE_TIME" }],
    ["in progress", { state: "in-progress" }, undefined],
  ])("%s", (_what, extra, expected) => expect(transitionLine(outcome(extra))).toStrictEqual(expected));
});

describe("pausedLine and continueCommand", () => {
  it("everything known: the hook, the traffic, when it times out and then what", () => {
    const progress = native({ stage: "POST_TEST_TRAFFIC_SHIFT", test: 100, production: 0, hooks: [{ target: "a", status: "SUCCEEDED", hookId: "other" }, { target: "p", status: "AWAITING_ACTION", hookId: "h-1", expiresAt: Date.UTC(2025, 0, 2, 3, 4, 5), timeoutAction: "CONTINUE" }] });
    expect(pausedLine("prod", "web", progress, arn("web:8"))).toBe(
      "web: paused at POST_TEST_TRAFFIC_SHIFT by a PAUSE hook (h-1): test traffic 100%, production 0% on web:8; the hook times out at 2025-01-02T03:04:05.000Z, then ECS will continue; continue with `ecs-release continue --cluster prod --service web` (add --action rollback to roll it back)",
    );
  });

  it("nothing known: defaults (ROLLBACK is ECS's default timeout action)", () => {
    expect(pausedLine("prod", "web", native({ hooks: [{ target: "p", status: "IN_PROGRESS" }] }), arn("web:8"))).toBe(
      "web: paused at a lifecycle stage by a PAUSE hook (hook): test traffic 0%, production 0% on web:8; continue with `ecs-release continue --cluster prod --service web` (add --action rollback to roll it back)",
    );
    expect(pausedLine("prod", "web", native({ hooks: [{ target: "p", status: "AWAITING_ACTION", expiresAt: 0 }] }), arn("web:8"))).toBe(
      "web: paused at a lifecycle stage by a PAUSE hook (hook): test traffic 0%, production 0% on web:8; the hook times out at 1970-01-01T00:00:00.000Z, then ECS will roll back; continue with `ecs-release continue --cluster prod --service web` (add --action rollback to roll it back)",
    );
  });

  it("continueCommand", () => expect(continueCommand("c", "s")).toBe("ecs-release continue --cluster c --service s"));
});

describe("displayTarget and pendingStateText", () => {
  const target = { service: "web", deploymentId: "ecs-svc/1", taskDefinitionArn: arn("web:8"), fallbackRevisions: [arn("web:7")] };

  it("a stopped deployment shows the revision it deployed as new, the rollback target as the other", () => {
    expect(displayTarget(target)).toBe(target);
    expect(displayTarget({ ...target, taskDefinitionArn: arn("web:7"), stoppedTaskDefinitionArn: arn("web:9") })).toStrictEqual({ ...target, taskDefinitionArn: arn("web:9"), fallbackRevisions: [arn("web:7")], stoppedTaskDefinitionArn: arn("web:9") });
  });

  it.each<[string, ServiceRolloutOutcome | undefined, string]>([
    ["nothing seen yet", undefined, "web: waiting (deployment ecs-svc/1 of web:8)"],
    ["a reason, no counts", outcome({ reason: "not visible yet" }), "web: not visible yet (deployment ecs-svc/1 of web:8)"],
    ["counts", outcome({ counts: [count(true, 2, 1)] }), "web: new web:8 1/2 running (deployment ecs-svc/1 of web:8)"],
    ["native", outcome({ native: native({ stage: "BAKE_TIME", production: 100 }) }), "web: BLUE_GREEN BAKE_TIME IN_PROGRESS: production 100% on web:8 (0% on web:7); bake time 2m left (deployment ecs-svc/1 of web:8)"],
  ])("%s", (_what, seen, expected) => expect(pendingStateText(target, seen, 90_000)).toBe(expected));
});

describe("the other lines", () => {
  it("progressLine, notVisibleYetLine, serviceEventLine, stoppedTasksUnreadableLine", () => {
    expect(progressLine(["a", "b"], 61_000, -5)).toBe("still waiting for 2 rollouts (1m01s elapsed, 0ms left): a; b");
    expect(progressLine(["a"], 500, 1_500)).toBe("still waiting for 1 rollout (500ms elapsed, 1.5s left): a");
    expect(notVisibleYetLine("web", "ecs-svc/1", 30_000)).toBe("web: ECS does not show deployment ecs-svc/1 yet (its API is eventually consistent); waiting for it (up to 30.0s)");
    expect(serviceEventLine("web", "(service web) has reached a steady state.")).toBe("web: (service web) has reached a steady state.");
    expect(serviceEventLine("web", undefined)).toBe("web: ");
    expect(stoppedTasksUnreadableLine("web", "ecs-svc/1", new Error("AccessDenied"))).toBe("web: could not read why the tasks of deployment ecs-svc/1 stopped: AccessDenied");
    expect(stoppedTasksUnreadableLine("web", "ecs-svc/1", "plain")).toBe("web: could not read why the tasks of deployment ecs-svc/1 stopped: plain");
  });

  it("pollFailedLine: an AWS error says which call; another says polling failed; time left never negative", () => {
    expect(pollFailedLine(new AwsCallError("DescribeServices", "prod", "Throttling"), -1)).toBe("DescribeServices prod failed: Throttling; polling again until the deadline (0ms left)");
    expect(pollFailedLine(new WaitTimeoutError("boom"), 2_000)).toBe("polling failed: boom; polling again until the deadline (2.0s left)");
  });
});

describe("describeOutcome: every state, word for word", () => {
  const counts = [count(true, 2, 1), count(false, 2, 2)];
  it.each<[string, Partial<ServiceRolloutOutcome>, string]>([
    ["completed", { state: "completed", counts }, "web stable on web:8"],
    ["failed, with counts", { state: "failed", reason: "circuit breaker", counts }, "web: web:8 failed (circuit breaker) and the service stays on it [new web:8 1/2 running | old web:7 2/2 running]"],
    ["failed, no counts", { state: "failed", reason: "circuit breaker" }, "web: web:8 failed (circuit breaker) and the service stays on it"],
    ["rolling back", { state: "rolling-back", reason: "x", fallenBackTo: arn("web:7"), counts }, "web: web:8 failed (x); ECS is still rolling back to web:7 [new web:8 1/2 running | old web:7 2/2 running]"],
    ["rolling back, unknown revision", { state: "rolling-back", reason: "x" }, "web: web:8 failed (x); ECS is still rolling back to "],
    ["rolled back", { state: "rolled-back", reason: "x", fallenBackTo: arn("web:7"), counts }, "web: web:8 failed (x); the service is back on web:7"],
    ["rolled back, unknown revision", { state: "rolled-back", reason: "x" }, "web: web:8 failed (x); the service is back on "],
    ["vanished", { state: "vanished", reason: "service web is gone", counts }, "web: service web is gone"],
    ["superseded", { state: "superseded", reason: "superseded by deployment x" }, "web: web:8 was not released by this run, superseded by deployment x"],
    ["paused", { state: "paused", reason: "is paused at BAKE_TIME" }, "web: web:8 is paused at BAKE_TIME"],
    ["in progress", { counts }, "web: web:8 still rolling out (deployment ecs-svc/1: 2 of 3 running) [new web:8 1/2 running | old web:7 2/2 running]"],
    ["in progress, native, every part", { native: native({ stage: "BAKE_TIME", production: 100 }), counts }, "web: web:8 still deploying (BLUE_GREEN in BAKE_TIME, service deployment IN_PROGRESS, production 100% on web:8) [new web:8 1/2 running | old web:7 2/2 running]"],
    ["in progress, native, nothing yet", { native: native({ status: "PENDING" }) }, "web: web:8 still deploying (BLUE_GREEN in no stage yet, service deployment PENDING)"],
    ["failed with stopped tasks", { state: "failed", reason: "x", stoppedTasks: [stopped, { ...stopped, taskId: "fedcba" }] }, "web: web:8 failed (x) and the service stays on it; stopped tasks: task 0123456789ab: TaskFailedToStart: CannotPullContainerError; task fedcba: TaskFailedToStart: CannotPullContainerError"],
  ])("%s", (_what, extra, expected) => expect(describeOutcome(outcome(extra))).toBe(expected));
});

describe("rolloutReportError: the whole message, and what the error carries", () => {
  const two = [outcome({ state: "completed" }), outcome({ service: "worker", taskDefinitionArn: arn("worker:3") })];

  it("interrupted: the services still rolling, every service flag", () => {
    const error = rolloutReportError(report("interrupted", two), "prod");
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error?.message).toBe(
      "interrupted while waiting; the deployment was not cancelled (still rolling out: worker → worker:3): follow it with `ecs-release status --cluster prod --service web --service worker` or roll back with `ecs-release rollback --cluster prod --service web --service worker`",
    );
    expect(error?.result).toBeUndefined();
  });

  it("interrupted after everything settled: nothing said as still rolling", () => {
    expect(rolloutReportError(report("interrupted", [outcome({ state: "completed" }), outcome({ service: "worker", state: "failed" })]), "prod")?.message).toBe(
      "interrupted while waiting; the deployment was not cancelled: follow it with `ecs-release status --cluster prod --service web --service worker` or roll back with `ecs-release rollback --cluster prod --service web --service worker`",
    );
  });

  it("unrecoverable: the call's own words, its code, the last state of each service, the cause", () => {
    const cause = new AwsCallError("DescribeServices", "prod/web", "AccessDeniedException: no", { code: "AccessDeniedException" });
    const error = rolloutReportError(report("unrecoverable", two, cause), "prod", { r: 1 }) as AwsCallError;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      "DescribeServices prod/web failed: AccessDeniedException: no; stopped waiting after 1m30s (no retry can fix this); the rollout may still be running (last seen: web stable on web:8; worker: worker:3 still rolling out (deployment ecs-svc/1: 2 of 3 running)): follow it with `ecs-release status --cluster prod --service web --service worker` once the credentials or permissions are fixed",
    );
    expect([error.operation, error.resource, error.code, error.cause, error.result]).toStrictEqual(["DescribeServices", "prod/web", "AccessDeniedException", cause, { r: 1 }]);
    const bare = rolloutReportError(report("unrecoverable", two, new AwsCallError("DescribeServices", "prod/web", "expired")), "prod") as AwsCallError;
    expect([bare.code, bare.result]).toStrictEqual([undefined, undefined]);
    expect("code" in bare && bare.code !== undefined).toBe(false);
  });

  it("unrecoverable without the error: judged as settled", () => {
    expect(rolloutReportError(report("unrecoverable", [outcome({ state: "completed" })]), "prod")).toBeUndefined();
  });

  it("a failure: failures first, then the others", () => {
    const error = rolloutReportError(report("settled", [outcome({ state: "completed" }), outcome({ service: "worker", taskDefinitionArn: arn("worker:3"), state: "failed", reason: "x" })]), "prod");
    expect(error).toBeInstanceOf(DeploymentFailedError);
    expect(error?.message).toBe("deployment failed: worker: worker:3 failed (x) and the service stays on it; web stable on web:8");
  });

  it("the deadline: every service's state", () => {
    const error = rolloutReportError(report("deadline", two), "prod", { r: 2 });
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error?.message).toBe("timed out after 1m30s; state at the deadline: web stable on web:8; worker: worker:3 still rolling out (deployment ecs-svc/1: 2 of 3 running)");
    expect(error?.result).toStrictEqual({ r: 2 });
  });

  it("settled with every rollout done: no error", () => {
    expect(rolloutReportError(report("settled", [outcome({ state: "completed" }), outcome({ state: "paused" })]), "prod")).toBeUndefined();
  });
});
