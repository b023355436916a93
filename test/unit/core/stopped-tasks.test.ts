import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { formatStoppedTask, STOPPED_TASKS_NAMED, stoppedTaskReasons, type StoppedTaskReason } from "../../../src/core/stopped-tasks.js";

const ARN = (id: string): string => `arn:aws:ecs:us-east-1:123456789012:task/c/${id}`;
const task = (id: string, at: number | undefined, extra: Record<string, unknown> = {}): Task =>
  ({ taskArn: ARN(id), ...(at === undefined ? {} : { stoppedAt: new Date(at * 1000) }), ...extra }) as Task;

describe("stoppedTaskReasons", () => {
  it("names three by default", () => expect(STOPPED_TASKS_NAMED).toBe(3));

  it("takes the newest first, at most three, a task without stoppedAt last; leaves the input alone", () => {
    const tasks = Object.freeze([task("t1", 100), task("t0", undefined), task("t3", 300), task("t2", 200), task("t4", 50)]);
    expect(stoppedTaskReasons(tasks).map((t) => t.taskId)).toStrictEqual(["t3", "t2", "t1"]);
    expect(stoppedTaskReasons(tasks, 5).map((t) => t.taskId)).toStrictEqual(["t3", "t2", "t1", "t4", "t0"]);
    expect(stoppedTaskReasons(tasks, 1).map((t) => t.taskId)).toStrictEqual(["t3"]);
    expect(stoppedTaskReasons(tasks, 0)).toStrictEqual([]);
    expect(tasks.map((t) => t.taskArn)).toStrictEqual([ARN("t1"), ARN("t0"), ARN("t3"), ARN("t2"), ARN("t4")]);
  });

  it("reads the id, codes and the containers that say something", () => {
    const [reason] = stoppedTaskReasons([
      task("abc", 1, {
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
        containers: [
          { name: "ok", exitCode: 0 },
          { name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
          { name: "side", exitCode: 1 },
          { name: "init", reason: "CannotPullContainerError: not found" },
          { name: "zero", exitCode: 0, reason: "said" },
          { name: "quiet" },
          { exitCode: 2 },
        ],
      }),
    ]);
    expect(reason).toStrictEqual<StoppedTaskReason>({
      taskId: "abc",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
        { name: "side", exitCode: 1, reason: null },
        { name: "init", exitCode: null, reason: "CannotPullContainerError: not found" },
        { name: "zero", exitCode: 0, reason: "said" },
        { name: "", exitCode: 2, reason: null },
      ],
    });
  });

  it("fills what is missing with null and an empty id", () => {
    expect(stoppedTaskReasons([{} as Task, { taskArn: "plain" } as Task])).toStrictEqual([
      { taskId: "", stopCode: null, stoppedReason: null, containers: [] },
      { taskId: "plain", stopCode: null, stoppedReason: null, containers: [] },
    ]);
  });
});

describe("formatStoppedTask", () => {
  const base: StoppedTaskReason = { taskId: "1234567890abcdef", stopCode: null, stoppedReason: null, containers: [] };
  type Row = [string, StoppedTaskReason, string];
  it.each<Row>([
    ["nothing known", base, "task 1234567890ab: stopped"],
    ["a short id", { ...base, taskId: "abc" }, "task abc: stopped"],
    ["code only; an empty reason left out", { ...base, stopCode: "TaskFailedToStart", stoppedReason: "" }, "task 1234567890ab: TaskFailedToStart"],
    ["reason only", { ...base, stoppedReason: "Scaling activity initiated" }, "task 1234567890ab: Scaling activity initiated"],
    [
      "code, reason and a container",
      { ...base, stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [{ name: "app", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" }] },
      "task 1234567890ab: EssentialContainerExited: Essential container in task exited (app: exit 137, OutOfMemoryError: Container killed due to memory usage)",
    ],
    [
      "containers joined; exit 0 shown; nothing known of one",
      { ...base, containers: [{ name: "a", exitCode: 1, reason: null }, { name: "b", exitCode: 0, reason: "r" }, { name: "c", exitCode: null, reason: null }] },
      "task 1234567890ab: stopped (a: exit 1; b: exit 0, r; c: )",
    ],
    [
      "a container reason that repeats the task's is left out",
      { ...base, stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: not found", containers: [{ name: "app", exitCode: null, reason: "CannotPullContainerError: not found" }, { name: "side", exitCode: 1, reason: null }] },
      "task 1234567890ab: TaskFailedToStart: CannotPullContainerError: not found (side: exit 1)",
    ],
    [
      "the last non-blank log line",
      { ...base, stoppedReason: "Essential container in task exited", logs: { container: "app", group: "g", stream: "s", lines: ["first", "panic: \"boom\"", "  "] } },
      "task 1234567890ab: Essential container in task exited; its log ends: \"panic: \\\"boom\\\"\"",
    ],
    ["no task reason: a container reason ending in \"null\" is kept", { ...base, containers: [{ name: "a", exitCode: null, reason: "got null" }] }, "task 1234567890ab: stopped (a: got null)"],
    ["an empty log says nothing", { ...base, logs: { container: "app", group: "g", stream: "s", lines: [] } }, "task 1234567890ab: stopped"],
  ])("%s", (_name, reason, expected) => {
    expect(formatStoppedTask(reason)).toBe(expected);
  });
});
