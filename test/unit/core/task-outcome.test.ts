import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { chooseTaskContainer, readTaskOutcome, taskIdOf, taskNotReturnedLine, taskOutcome, taskWaitProgressLine, unseenRevisionRetryLine, type TaskOutcome } from "../../../src/core/task-outcome.js";

const ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef";
const app = (exitCode?: number, reason?: string) => ({ name: "app", ...(exitCode === undefined ? {} : { exitCode }), ...(reason ? { reason } : {}) });
const sidecar = (exitCode?: number) => ({ name: "log-router", ...(exitCode === undefined ? {} : { exitCode }) });

describe("taskOutcome", () => {
  it.each<[string, Partial<Task>, string, Partial<TaskOutcome> & { state: TaskOutcome["state"] }]>([
    ["provisioning", { lastStatus: "PROVISIONING", containers: [app()] }, "app", { state: "running", lastStatus: "PROVISIONING" }],
    ["no status yet", { containers: [app()] }, "app", { state: "running", lastStatus: "PROVISIONING" }],
    ["running", { lastStatus: "RUNNING", desiredStatus: "RUNNING", containers: [app()] }, "app", { state: "running", lastStatus: "RUNNING" }],
    [
      "deprovisioning with an exit code already known is not stopped yet",
      { lastStatus: "DEPROVISIONING", desiredStatus: "STOPPED", containers: [app(3)] },
      "app",
      { state: "running", lastStatus: "DEPROVISIONING" },
    ],
    [
      "stopped, exit 0",
      { lastStatus: "STOPPED", stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited", containers: [app(0), sidecar(0)] },
      "app",
      { state: "succeeded", container: "app", exitCode: 0, stoppedReason: "Essential container in task exited" },
    ],
    [
      "stopped, exit 3",
      { lastStatus: "STOPPED", stoppedReason: "Essential container in task exited", stopCode: "EssentialContainerExited", containers: [app(3), sidecar(0)] },
      "app",
      {
        state: "failed",
        container: "app",
        exitCode: 3,
        reason: "container app exited with code 3; task stopped: Essential container in task exited (EssentialContainerExited)",
        stopCode: "EssentialContainerExited",
      },
    ],
    [
      "the watched container decides, not a sidecar",
      { lastStatus: "STOPPED", stoppedReason: "Essential container in task exited", containers: [app(0), sidecar(137)] },
      "app",
      { state: "succeeded", container: "app", exitCode: 0 },
    ],
    [
      "a failed sidecar does not hide the watched container's failure",
      { lastStatus: "STOPPED", containers: [app(1), sidecar(0)] },
      "app",
      { state: "failed", exitCode: 1, reason: "container app exited with code 1" },
    ],
    [
      "never ran: image pull failed",
      {
        lastStatus: "STOPPED",
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        containers: [app(undefined, "CannotPullContainerError: ref not found")],
      },
      "app",
      {
        state: "failed",
        exitCode: undefined,
        reason: "container app did not run to an exit code (CannotPullContainerError: ref not found); task stopped: CannotPullContainerError: pull image manifest has been retried 5 time(s) (TaskFailedToStart)",
        blame: "revision",
      },
    ],
    [
      "stopped by a user: SIGTERM",
      { lastStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: "Task stopped by user", containers: [app(143)] },
      "app",
      {
        state: "failed",
        exitCode: 143,
        blame: "infrastructure",
        reason: "the task was interrupted before it finished (container app exited with code 143); task stopped: Task stopped by user (UserInitiated)",
      },
    ],
    [
      "the watched container is missing from the task",
      { lastStatus: "STOPPED", containers: [sidecar(0)] },
      "app",
      { state: "failed", exitCode: undefined, reason: "the task has no container named app" },
    ],
  ])("%s", (_name, task, container, expected) => {
    expect(taskOutcome(task, container)).toMatchObject(expected);
  });
});

/**
 * Success means the task really finished (issue 18 item 1). Stop codes:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (stopCode); a sidecar that
 * exits makes ECS stop the others ("Essential container in task exited",
 * https://repost.aws/knowledge-center/ecs-task-stopped); pull errors:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html.
 */
describe("taskOutcome: a task succeeded only when it really finished", () => {
  const essential = ["app", "log-router"];
  it.each<[string, Partial<Task>, Partial<TaskOutcome> & { state: TaskOutcome["state"] }]>([
    [
      "a Fargate Spot interruption with exit 0 (the migration caught SIGTERM) is not success",
      { lastStatus: "STOPPED", stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", containers: [app(0), sidecar(0)] },
      {
        state: "failed",
        exitCode: 0,
        blame: "infrastructure",
        reason: "the task was interrupted before it finished (container app exited with code 0); task stopped: Your Spot Task was interrupted. (SpotInterruption)",
      },
    ],
    [
      "an EC2 termination notice with exit 0 is not success",
      { lastStatus: "STOPPED", stopCode: "TerminationNotice", stoppedReason: "Task stopped due to instance termination", containers: [app(0)] },
      { state: "failed", exitCode: 0, blame: "infrastructure" },
    ],
    [
      "a stop by the service scheduler with exit 0 is not success",
      { lastStatus: "STOPPED", stopCode: "ServiceSchedulerInitiated", containers: [app(0)] },
      { state: "failed", blame: "infrastructure" },
    ],
    [
      "a failed essential sidecar with the app exiting 0 on SIGTERM is the revision's failure",
      { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [app(0), sidecar(1)] },
      {
        state: "failed",
        exitCode: 0,
        blame: "revision",
        reason: "essential container log-router exited with code 1, which stops the task; container app exited with code 0; task stopped: Essential container in task exited (EssentialContainerExited)",
      },
    ],
    [
      "an essential sidecar stopped by ECS after the app finished (143) is not a failure",
      { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [app(0), sidecar(143)] },
      { state: "succeeded", exitCode: 0 },
    ],
    [
      "an essential sidecar killed for its memory is a failure",
      { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [app(0), { name: "log-router", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }] },
      { state: "failed", blame: "revision" },
    ],
    [
      "a pull rate limit is the infrastructure's",
      {
        lastStatus: "STOPPED",
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: inspect image has been retried 5 time(s): toomanyrequests: You have reached your pull rate limit.",
        containers: [app()],
      },
      { state: "failed", exitCode: undefined, blame: "infrastructure" },
    ],
    [
      "a network timeout pulling the image is the infrastructure's",
      { lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: failed to do request: dial tcp 52.1.2.3:443: i/o timeout", containers: [app()] },
      { state: "failed", blame: "infrastructure" },
    ],
    [
      "a missing image is the revision's",
      { lastStatus: "STOPPED", stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull image manifest has been retried 7 time(s): ref 123.dkr.ecr.us-east-1.amazonaws.com/platform:abc not found", containers: [app()] },
      { state: "failed", blame: "revision" },
    ],
    [
      "a non-zero exit of the app is the revision's",
      { lastStatus: "STOPPED", stopCode: "EssentialContainerExited", containers: [app(2), sidecar(143)] },
      { state: "failed", exitCode: 2, blame: "revision" },
    ],
  ])("%s", (_name, task, expected) => {
    expect(taskOutcome(task, "app", essential)).toMatchObject(expected);
  });
});

describe("readTaskOutcome", () => {
  it("finds the task by ARN among several", () => {
    const other = { taskArn: `${ARN}ff`, lastStatus: "STOPPED", containers: [app(9)] };
    expect(readTaskOutcome({ tasks: [other, { taskArn: ARN, lastStatus: "RUNNING" }] }, ARN, "app")).toEqual({ state: "running", lastStatus: "RUNNING" });
  });

  it("is unknown with the failure's reason when the task is not returned", () => {
    expect(readTaskOutcome({ tasks: [], failures: [{ arn: ARN, reason: "MISSING" }] }, ARN, "app")).toEqual({ state: "unknown", reason: "MISSING" });
    expect(readTaskOutcome({}, ARN, "app")).toEqual({ state: "unknown", reason: "not found" });
  });
});

describe("chooseTaskContainer", () => {
  const web = [
    { name: "app", essential: true },
    { name: "log-router", essential: false },
  ];
  const twoEssential = [{ name: "app" }, { name: "proxy", essential: true }];

  it.each<[string, Array<{ name: string; essential?: boolean }>, string | undefined, boolean, string]>([
    ["the requested one", web, "log-router", true, "log-router"],
    ["the only container", [{ name: "worker", essential: true }], undefined, true, "worker"],
    ["the only essential container beside sidecars", web, undefined, true, "app"],
    ["to watch only: the first essential container", twoEssential, undefined, false, "app"],
  ])("%s", (_name, definitions, requested, forCommand, expected) => {
    expect(chooseTaskContainer(definitions, requested, { forCommand })).toBe(expected);
  });

  it("refuses an unknown container, listing the ones there are", () => {
    expect(() => chooseTaskContainer(web, "api", { forCommand: true, family: "web:3" })).toThrow(ValidationError);
    expect(() => chooseTaskContainer(web, "api", { forCommand: true, family: "web:3" })).toThrow("--container api: task definition web:3 has no such container; it has app, log-router");
  });

  it("asks which container runs the command when several are essential", () => {
    expect(() => chooseTaskContainer(twoEssential, undefined, { forCommand: true, flag: "--pre-deploy-container" })).toThrow(
      "the task definition has 2 containers (app, proxy): pass --pre-deploy-container to say which one runs the command",
    );
  });
});

describe("taskIdOf", () => {
  it("is the last segment of the ARN", () => {
    expect(taskIdOf(ARN)).toBe("0123456789abcdef");
  });
});

describe("one-off task wait lines", () => {
  const arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/abc123";
  it.each<[string, { what: string | undefined; status: string }, string]>([
    ["the task id by default", { what: undefined, status: "RUNNING" }, "waiting for task abc123 to stop: RUNNING for 1m00s (deadline in 4m00s)"],
    ["what it is, when given", { what: "pre-deploy task abc123 (container app)", status: "PENDING" }, "waiting for pre-deploy task abc123 (container app) to stop: PENDING for 1m00s (deadline in 4m00s)"],
    ["not returned yet", { what: undefined, status: "UNKNOWN" }, "waiting for task abc123 to stop: not yet returned by DescribeTasks for 1m00s (deadline in 4m00s)"],
  ])("%s", (_what, input, expected) => expect(taskWaitProgressLine({ ...input, taskArn: arn, elapsedMs: 60_000, leftMs: 240_000 })).toBe(expected));

  it("says a fresh revision is retried, and when", () => {
    expect(unseenRevisionRetryLine("RunTask web:9", 2_000)).toBe("RunTask web:9: ECS does not show the revision registered moments ago yet (eventual consistency); trying again in 2.0s");
    expect(taskNotReturnedLine(arn, "MISSING")).toBe(`DescribeTasks did not return ${arn} (MISSING); still waiting`);
  });
});
