/**
 * What the containers said: where a task's container logs are (the awslogs driver names the stream
 * `awslogs-stream-prefix/container-name/ecs-task-id`:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html), which container of
 * a stopped task to read, how often to read, and the lines printed. Pure: aws/logs.ts reads
 * (GetLogEvents), commands/task-logs.ts decides when.
 */
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { taskLogLocation, type TaskLogLocation } from "./run-task-input.js";
import type { StoppedTaskReason } from "./stopped-tasks.js";

/**
 * How many of the last lines of a stopped task's container a failure shows (docs/cli.md): enough for a
 * traceback, few enough for three stopped tasks per service in a CI log.
 */
export const LOG_TAIL_LINES = 20;

/**
 * The least time between two GetLogEvents calls of one live log: GetLogEvents allows 25 requests per
 * second per account and Region, shared with everyone else reading logs, and FilterLogEvents only 5
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html;
 * https://repost.aws/knowledge-center/cloudwatch-logs-throttling), so a live log reads one stream with
 * GetLogEvents at most once every 2 s.
 */
export const LIVE_LOG_INTERVAL_MS = 2_000;

/** The last lines of one container's log, as failures show them (and `--json` carries them). */
export interface TaskLogTail {
  readonly container: string;
  readonly group: string;
  readonly stream: string;
  /** Oldest first; empty when the stream has no events (or does not exist: the container never wrote). */
  readonly lines: readonly string[];
}

/**
 * The container whose log explains a stopped task: the first essential container that failed (a
 * non-zero exit code or a reason, as the stopped task lists them), else the first essential container;
 * only one whose log ECS names (awslogs with a stream prefix). Undefined when none has such a log.
 */
export function explainingContainer(
  definitions: readonly Pick<ContainerDefinition, "name" | "essential" | "logConfiguration">[],
  failed: readonly string[],
): Pick<ContainerDefinition, "name" | "logConfiguration"> | undefined {
  const readable = definitions.filter((d) => d.essential !== false && taskLogLocation(d, "x") !== undefined);
  return readable.find((d) => failed.includes(d.name ?? "")) ?? readable[0];
}

/** Where the explaining container of a stopped task wrote (see explainingContainer). */
export function stoppedTaskLogLocation(definitions: readonly Pick<ContainerDefinition, "name" | "essential" | "logConfiguration">[], task: Pick<StoppedTaskReason, "taskId" | "containers">): (TaskLogLocation & { readonly container: string }) | undefined {
  const container = explainingContainer(
    definitions,
    task.containers.map((c) => c.name),
  );
  const location = taskLogLocation(container, task.taskId);
  return container?.name === undefined || location === undefined ? undefined : { ...location, container: container.name };
}

/** The lines a failure logs for one stopped task's log tail: a heading, then each line indented. */
export function logTailLines(service: string, taskId: string, tail: TaskLogTail): string[] {
  const heading = `${service}: task ${taskId.slice(0, 12)}: ${tail.lines.length === 0 ? "no log lines" : `the last ${tail.lines.length === 1 ? "log line" : `${tail.lines.length} log lines`}`} of container ${tail.container} (${tail.group} ${tail.stream})${tail.lines.length === 0 ? "" : ":"}`;
  return [heading, ...tail.lines.map((line) => `  | ${line}`)];
}

/** One line of a live log, as run-task prints it. */
export function liveLogLine(container: string, message: string): string {
  return `[${container}] ${message.replace(/\r?\n$/, "")}`;
}

/** Said when a container's log is not followed: another driver, or awslogs ecs-release cannot name. */
export function logNotShownLine(container: string, driver: string): string {
  return `container ${container} logs with ${driver === "awslogs" ? "awslogs in a stream ecs-release cannot name (no awslogs-stream-prefix) or another region" : `the ${driver} driver`}: its output is not shown here`;
}

/** A log read that failed (best effort: the command goes on). */
export function logUnreadableLine(what: string, error: unknown, givingUp = false): string {
  return `could not read ${what}: ${error instanceof Error ? error.message : String(error)}${givingUp ? "; no longer following it" : ""}`;
}

/** The last non-empty line of a tail, for the one-line error (undefined when there is none). */
export function lastLogLine(tail: TaskLogTail | undefined): string | undefined {
  return [...(tail?.lines ?? [])].reverse().find((line) => line.trim() !== "");
}
