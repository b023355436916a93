/**
 * task-outcome.ts at its edges: who is blamed for a task that never ran (stopped-task-error-codes.html),
 * when a sidecar's exit stops the task, which container a one-off task watches, and a DescribeTasks
 * answer without the task.
 */
import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { chooseTaskContainer, neverStartedBlame, readTaskOutcome, taskOutcome } from "../../../src/core/task-outcome.js";

const caught = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "(nothing thrown)";
};

describe("neverStartedBlame", () => {
  it.each<[string, Array<string | undefined>, "revision" | "infrastructure"]>([
    ["nothing said", [], "infrastructure"],
    ["CannotStartContainerError", [undefined, "CannotStartContainerError: exec: not found"], "revision"],
    ["CannotStartContainerError, said first", ["CannotStartContainerError: x", undefined], "revision"],
    ["a pull of an image that does not exist", ["CannotPullContainerError: manifest unknown"], "revision"],
    ["the two halves in two reasons", ["CannotPullContainerError", "repository does not exist"], "revision"],
    ["a pull that timed out", ["CannotPullContainerError: i/o timeout, manifest unknown"], "infrastructure"],
    ["a pull refused for another reason", ["CannotPullContainerError: access denied"], "infrastructure"],
    ["not found without a pull error", ["image not found"], "infrastructure"],
    ["a rate limit on a start error", ["CannotStartContainerError: toomanyrequests"], "infrastructure"],
    ["ResourceInitializationError", ["ResourceInitializationError: unable to pull secrets"], "infrastructure"],
  ])("%s → %s", (_what, reasons, blame) => expect(neverStartedBlame(reasons)).toBe(blame));
});

describe("taskOutcome: sidecars and stop codes", () => {
  const stopped = (containers: Task["containers"], extra: Partial<Task> = {}): Task => ({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers, ...extra });
  it.each<[string, Task["containers"], string]>([
    ["a sidecar exited 1", [{ name: "app", exitCode: 143 }, { name: "proxy", exitCode: 1 }], "essential container proxy exited with code 1, which stops the task; container app exited with code 143"],
    ["a sidecar killed for its memory, no exit code", [{ name: "app", exitCode: 0 }, { name: "proxy", reason: "OutOfMemoryError: Container killed due to memory usage" }], "essential container proxy failed (OutOfMemoryError: Container killed due to memory usage), which stops the task; container app exited with code 0"],
    ["a sidecar without exit code, the app without either", [{ name: "app" }, { name: "proxy", exitCode: 2 }], "essential container proxy exited with code 2, which stops the task; container app did not run to an exit code"],
  ])("%s", (_what, containers, reason) => {
    const outcome = taskOutcome(stopped(containers), "app", ["app", "proxy"]);
    expect(outcome).toMatchObject({ state: "failed", blame: "revision", reason: `${reason}; task stopped: Essential container in task exited (EssentialContainerExited)` });
  });

  it.each<[string, Task["containers"]]>([
    ["a sidecar stopped by ECS (143)", [{ name: "app", exitCode: 0 }, { name: "proxy", exitCode: 143 }]],
    ["a sidecar killed after stopTimeout (137)", [{ name: "app", exitCode: 0 }, { name: "proxy", exitCode: 137 }]],
    ["a sidecar that exited 0", [{ name: "app", exitCode: 0 }, { name: "proxy", exitCode: 0 }]],
    ["a sidecar without exit code", [{ name: "app", exitCode: 0 }, { name: "proxy" }]],
    ["a non-essential container that failed", [{ name: "app", exitCode: 0 }, { name: "logs", exitCode: 1 }]],
    ["an unnamed container that failed", [{ name: "app", exitCode: 0 }, { exitCode: 1 }]],
  ])("%s: the app's exit 0 decides", (_what, containers) => {
    expect(taskOutcome(stopped(containers), "app", ["app", "proxy"]).state).toBe("succeeded");
  });

  it("the watched container itself is not a sidecar", () => {
    expect(taskOutcome(stopped([{ name: "app", exitCode: 1 }]), "app", ["app"])).toMatchObject({ reason: "container app exited with code 1; task stopped: Essential container in task exited (EssentialContainerExited)" });
  });

  it("interrupted before it ran: said so, the container's reason given", () => {
    expect(taskOutcome(stopped([{ name: "app", reason: "x" }], { stopCode: "SpotInterruption", stoppedReason: "" }), "app")).toMatchObject({
      state: "failed",
      blame: "infrastructure",
      reason: "the task was interrupted before it finished (container app did not run to an exit code (x)); task stopped: (SpotInterruption)",
    });
  });

  it("no exit code: the reasons decide the blame after a start failure; an unknown stop code is the infrastructure's", () => {
    expect(taskOutcome(stopped([{ name: "app" }], { stopCode: "SomeFutureStopCode" as Task["stopCode"], stoppedReason: "CannotStartContainerError" }), "app")).toMatchObject({ blame: "infrastructure" });
    expect(taskOutcome(stopped([{ name: "app" }], { stopCode: "TaskFailedToStart", stoppedReason: "CannotStartContainerError" }), "app")).toMatchObject({ blame: "revision" });
  });

  it("a task stopped with only a stop code, only a reason, or neither", () => {
    expect(taskOutcome(stopped([{ name: "app", exitCode: 2 }], { stoppedReason: undefined }), "app")).toMatchObject({ reason: "container app exited with code 2; task stopped: (EssentialContainerExited)" });
    expect(taskOutcome(stopped([{ name: "app", exitCode: 2 }], { stopCode: undefined }), "app")).toMatchObject({ reason: "container app exited with code 2; task stopped: Essential container in task exited" });
    expect(taskOutcome(stopped([{ name: "app", exitCode: 2 }], { stopCode: undefined, stoppedReason: undefined }), "app")).toMatchObject({ reason: "container app exited with code 2" });
  });
});

describe("chooseTaskContainer: the edges", () => {
  it.each<[string, Array<{ name?: string; essential?: boolean }>, string | undefined, boolean, string]>([
    ["unnamed definitions are not containers", [{}, { name: "app" }], undefined, true, "app"],
    ["several, one essential (a container without `essential` is essential)", [{ name: "app" }, { name: "logs", essential: false }], undefined, true, "app"],
    ["several essential, no command: the first essential", [{ name: "logs", essential: false }, { name: "a" }, { name: "b" }], undefined, false, "a"],
  ])("%s", (_what, definitions, requested, forCommand, expected) => expect(chooseTaskContainer(definitions, requested, { forCommand })).toBe(expected));

  it("a requested container that is not there, in a definition without names", () => {
    expect(caught(() => chooseTaskContainer([{}], "app", { forCommand: true }))).toBe("--container app: the task definition has no such container; it has none");
    expect(caught(() => chooseTaskContainer([{ name: "a" }, { name: "b" }], "app", { forCommand: true, flag: "--c", family: "web:1" }))).toBe("--c app: task definition web:1 has no such container; it has a, b");
  });

  it("none essential, no command: the user must say", () => {
    expect(caught(() => chooseTaskContainer([{ name: "a", essential: false }, { name: "b", essential: false }], undefined, { forCommand: false }))).toBe(
      "the task definition has 2 containers (a, b): pass --container to say which one runs the command",
    );
  });
});

describe("readTaskOutcome: the task not in the answer", () => {
  it.each<[string, Parameters<typeof readTaskOutcome>[0], string]>([
    ["the failure for this task, reason and detail", { failures: [{ arn: "other", reason: "X" }, { arn: "t1", reason: "MISSING", detail: "gone" }] }, "MISSING: gone"],
    ["no failure for it: the first one", { failures: [{ arn: "other", reason: "X" }] }, "X"],
    ["a failure without words", { failures: [{ arn: "t1" }] }, "not found"],
    ["no failures", {}, "not found"],
    ["another task only", { tasks: [{ taskArn: "other", lastStatus: "RUNNING" }] }, "not found"],
  ])("%s", (_what, answer, reason) => expect(readTaskOutcome(answer, "t1", "app")).toStrictEqual({ state: "unknown", reason }));
});
