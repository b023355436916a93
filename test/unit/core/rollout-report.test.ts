/** The words of a rollout wait, as tables: the lines it logs and the error a report ends the command with. */
import { describe, expect, it } from "vitest";
import { AwsCallError, DeploymentFailedError, EcsReleaseError, InterruptedError, WaitTimeoutError } from "../../../src/core/errors.js";
import {
  describeOutcome,
  pendingStateText,
  pollFailedLine,
  progressLine,
  rolloutReportError,
  saysNotVisibleYet,
  transitionLine,
  type RolloutReport,
  type ServiceRolloutOutcome,
} from "../../../src/core/rollout-report.js";

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
const report = (ended: RolloutReport["ended"], outcomes: ServiceRolloutOutcome[], error?: AwsCallError): RolloutReport => ({ ended, outcomes, elapsedMs: 90_000, polls: 3, ...(error ? { error } : {}) });

describe("transitionLine", () => {
  it.each<[string, Partial<ServiceRolloutOutcome>, { level: string; text: string } | undefined]>([
    ["in progress: nothing", {}, undefined],
    ["completed", { state: "completed" }, { level: "info", text: "web: stable on web:8 (deployment ecs-svc/1 COMPLETED)" }],
    ["failed", { state: "failed", reason: "circuit breaker" }, { level: "warn", text: "web: deployment ecs-svc/1 of web:8 FAILED: circuit breaker" }],
    [
      "rolling back",
      { state: "rolling-back", reason: "circuit breaker", fallenBackTo: arn("web:7") },
      { level: "warn", text: "web: deployment of web:8 failed (circuit breaker); ECS is rolling back to web:7, watching until it is stable there" },
    ],
    ["rolled back", { state: "rolled-back", reason: "circuit breaker", fallenBackTo: arn("web:7") }, { level: "warn", text: "web: rolled back: stable again on web:7 (web:8 failed: circuit breaker)" }],
    ["superseded", { state: "superseded", reason: "another deployment replaced it" }, { level: "warn", text: "web: another deployment replaced it" }],
  ])("%s", (_what, extra, expected) => expect(transitionLine(outcome(extra))).toEqual(expected));
});

describe("progress lines", () => {
  const target = { service: "web", taskDefinitionArn: arn("web:8"), deploymentId: "ecs-svc/1", fallbackRevisions: [] };
  it.each<[string, ServiceRolloutOutcome | undefined, string]>([
    ["no poll yet", undefined, "web: waiting (deployment ecs-svc/1 of web:8)"],
    ["a reason, no counts", outcome({ reason: "waiting for the first poll" }), "web: waiting for the first poll (deployment ecs-svc/1 of web:8)"],
  ])("%s", (_what, current, expected) => expect(pendingStateText(target, current, undefined)).toBe(expected));

  it.each<[string[], string]>([
    [["a"], "still waiting for 1 rollout (1m30s elapsed, 0ms left): a"],
    [["a", "b"], "still waiting for 2 rollouts (1m30s elapsed, 0ms left): a; b"],
  ])("%j", (states, expected) => expect(progressLine(states, 90_000, -5)).toBe(expected));

  it.each<[EcsReleaseError, string]>([
    [new AwsCallError("DescribeServices", "prod/web", "ThrottlingException: slow down"), "DescribeServices prod/web failed: ThrottlingException: slow down; polling again until the deadline (1m00s left)"],
    [new EcsReleaseError("credentials expired"), "polling failed: credentials expired; polling again until the deadline (1m00s left)"],
  ])("poll failed: %s", (error, expected) => expect(pollFailedLine(error, 60_000)).toBe(expected));
});

describe("describeOutcome", () => {
  it.each<[string, Partial<ServiceRolloutOutcome>, string]>([
    ["completed", { state: "completed" }, "web stable on web:8"],
    ["failed, with stopped tasks", { state: "failed", reason: "circuit breaker", stoppedTasks: [{ taskId: "t1", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [] }] }, "web: web:8 failed (circuit breaker) and the service stays on it; stopped tasks: task t1: EssentialContainerExited: Essential container in task exited"],
    ["still rolling out", { reason: "2 of 3 running" }, "web: web:8 still rolling out (deployment ecs-svc/1: 2 of 3 running)"],
    ["superseded", { state: "superseded", reason: "another deployment replaced it" }, "web: web:8 was not released by this run, another deployment replaced it"],
  ])("%s", (_what, extra, expected) => expect(describeOutcome(outcome(extra))).toContain(expected));
});

describe("rolloutReportError", () => {
  it.each<[string, RolloutReport, (new (...args: never[]) => EcsReleaseError) | undefined, RegExp | undefined]>([
    ["every rollout completed: no error", report("settled", [outcome({ state: "completed" })]), undefined, undefined],
    ["interrupted: how to follow or roll back", report("interrupted", [outcome({})]), InterruptedError, /^interrupted while waiting; the deployment was not cancelled \(still rolling out: web → web:8\): follow it with `ecs-release status --cluster prod --service web`/],
    ["a failure", report("settled", [outcome({ state: "failed", reason: "circuit breaker" })]), DeploymentFailedError, /^deployment failed: web: web:8 failed \(circuit breaker\)/],
    ["the deadline", report("deadline", [outcome({})]), WaitTimeoutError, /^timed out after 1m30s; state at the deadline: web: web:8 still rolling out/],
    [
      "unrecoverable: exit 3, the call and the last state",
      report("unrecoverable", [outcome({})], new AwsCallError("DescribeServices", "prod/web", "AccessDeniedException: no", { code: "AccessDeniedException" })),
      AwsCallError,
      /^DescribeServices prod\/web failed: AccessDeniedException: no; stopped waiting after 1m30s \(no retry can fix this\)/,
    ],
  ])("%s", (_what, input, type, message) => {
    const error = rolloutReportError(input, "prod", { some: "result" });
    if (type === undefined) return expect(error).toBeUndefined();
    expect(error).toBeInstanceOf(type);
    expect(error?.message).toMatch(message ?? /./);
    expect(error?.result).toEqual({ some: "result" });
  });
});

describe("saysNotVisibleYet: a view older than our update is worth a line only when it lasts", () => {
  it.each<[number, boolean]>([
    [0, false],
    [1_000, false],
    [9_999, false],
    [10_000, true],
    [120_000, true],
  ])("%i ms into the wait → %s", (elapsedMs, expected) => {
    expect(saysNotVisibleYet(elapsedMs)).toBe(expected);
  });
});
