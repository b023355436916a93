/**
 * Why a failed deployment's tasks stopped, in one short line each. Pure: takes
 * DescribeTasks' Task objects. The fields are ECS's (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html,
 * stoppedReason and stopCode; containers' exitCode and reason), the values those of
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
 * (e.g. `CannotPullContainerError: … not found`, `Essential container in task exited`, exit 137 with
 * `OutOfMemoryError: Container killed due to memory usage`).
 */
import type { Task } from "@aws-sdk/client-ecs";
import { lastLogLine, type TaskLogTail } from "./task-logs.js";

/** One stopped task, as reported in the failure line and in --json. */
export interface StoppedTaskReason {
  /** The task id (the last part of its ARN). */
  readonly taskId: string;
  readonly stopCode: string | null;
  readonly stoppedReason: string | null;
  /** The containers that exited with a code other than 0 or have a reason, essential ones first. */
  readonly containers: ReadonlyArray<{ readonly name: string; readonly exitCode: number | null; readonly reason: string | null }>;
  /** The last lines of its essential container's awslogs stream, when they could be read (commands/task-logs.ts). */
  readonly logs?: TaskLogTail;
}

/** How many stopped tasks a failure names: a few are enough to say why, and cost one DescribeTasks. */
export const STOPPED_TASKS_NAMED = 3;

/** The reasons of the given stopped tasks, newest first, at most `limit`. */
export function stoppedTaskReasons(tasks: readonly Task[], limit = STOPPED_TASKS_NAMED): StoppedTaskReason[] {
  return [...tasks]
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, limit)
    .map((task) => ({
      taskId: (task.taskArn ?? "").slice((task.taskArn ?? "").lastIndexOf("/") + 1),
      stopCode: task.stopCode ?? null,
      stoppedReason: task.stoppedReason ?? null,
      containers: (task.containers ?? [])
        .filter((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason !== undefined)
        .map((c) => ({ name: c.name ?? "", exitCode: c.exitCode ?? null, reason: c.reason ?? null })),
    }));
}

/** `task 1a2b…: EssentialContainerExited: Essential container in task exited (app: exit 137, OutOfMemoryError: …)`. */
export function formatStoppedTask(task: StoppedTaskReason): string {
  const containers = task.containers.map((c) => `${c.name}: ${[c.exitCode !== null ? `exit ${c.exitCode}` : undefined, c.reason ?? undefined].filter(Boolean).join(", ")}`);
  const reason = [task.stopCode, task.stoppedReason].filter((part): part is string => part !== null && part !== "").join(": ");
  // A container reason that only repeats the task's reason adds nothing.
  const extra = containers.filter((c) => task.stoppedReason === null || !c.endsWith(task.stoppedReason));
  const said = lastLogLine(task.logs);
  return `task ${task.taskId.slice(0, 12)}: ${reason || "stopped"}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}${said !== undefined ? `; its log ends: ${JSON.stringify(said)}` : ""}`;
}
