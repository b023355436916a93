/**
 * What simulated tasks write to CloudWatch Logs (moto's `logs`), as the awslogs driver would:
 * - the stream of a container is `awslogs-stream-prefix/container-name/ecs-task-id`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html); a container
 *   without a prefix writes nothing here (its stream name is the container id, which ECS does not show);
 * - a task whose log group does not exist, without `awslogs-create-group: "true"`, does not start:
 *   the driver fails to create the stream and the task stops with stopCode TaskFailedToStart and
 *   `ResourceInitializationError: failed to validate logger args: create stream has been retried 1
 *   times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group
 *   does not exist. : exit status 1` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html,
 *   and e.g. aws/containers-roadmap reports of the same text); with `awslogs-create-group` the driver
 *   creates the group (the execution role needs logs:CreateLogGroup);
 * - what the containers say is the emulator's own invention (no AWS page can say it): a start line,
 *   one progress line per DescribeTasks step ("a migration writes progress over time"), and at the
 *   end `done` or, for a non-zero exit, a traceback-like error. A rule's `logLines` replace the
 *   progress lines (one per step; what is left is written when the task stops).
 */
import type { JsonObject } from "./ecs-simulation.js";

/** What the simulation needs of CloudWatch Logs (the proxy talks to moto). */
export interface LogsBackend {
  groupExists(group: string): Promise<boolean>;
  createGroup(group: string): Promise<void>;
  /** Appends lines to a stream (created when missing), timestamps increasing. */
  put(group: string, stream: string, lines: readonly string[]): Promise<void>;
}

/** A container's awslogs settings, when it has them. */
export interface Awslogs {
  readonly group: string;
  readonly prefix: string | undefined;
  readonly createsGroup: boolean;
}

/** The awslogs settings of a container definition (undefined for another driver or none). */
export function awslogsOf(logConfiguration: unknown): Awslogs | undefined {
  if (typeof logConfiguration !== "object" || logConfiguration === null) return undefined;
  const config = logConfiguration as JsonObject;
  const options = (typeof config["options"] === "object" && config["options"] !== null ? config["options"] : {}) as Record<string, unknown>;
  const group = options["awslogs-group"];
  if (config["logDriver"] !== "awslogs" || typeof group !== "string" || group === "") return undefined;
  const prefix = typeof options["awslogs-stream-prefix"] === "string" ? options["awslogs-stream-prefix"] : undefined;
  return { group, prefix, createsGroup: options["awslogs-create-group"] === "true" };
}

/** ECS's stoppedReason for a task whose awslogs group does not exist. */
export const MISSING_LOG_GROUP_REASON =
  "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1";

/** The stream of a container in a task, as ECS names it (undefined without a prefix). */
export function streamName(awslogs: Awslogs, container: string, taskArn: string): string | undefined {
  return awslogs.prefix === undefined ? undefined : `${awslogs.prefix}/${container}/${taskArn.slice(taskArn.lastIndexOf("/") + 1)}`;
}

/** The first container's group that does not exist and that its driver does not create; creates those it does. */
export async function missingLogGroup(backend: LogsBackend | undefined, containers: ReadonlyArray<{ readonly logConfiguration?: unknown }>): Promise<string | undefined> {
  if (backend === undefined) return undefined;
  for (const container of containers) {
    const awslogs = awslogsOf(container.logConfiguration);
    if (awslogs === undefined || (await backend.groupExists(awslogs.group))) continue;
    if (!awslogs.createsGroup) return awslogs.group;
    await backend.createGroup(awslogs.group);
  }
  return undefined;
}

/** The line a container writes when it starts. */
export function startLine(container: string, command: unknown): string {
  const argv = Array.isArray(command) ? command.filter((part) => typeof part === "string").join(" ") : "";
  return `[${container}] starting${argv ? `: ${argv}` : ""}`;
}

/** The progress line of step `step` of `steps` (a migration's "applying …" lines). */
export function progressLine(step: number, steps: number): string {
  return `applying migration ${step} of ${steps}`;
}

/** The last lines of a container that exited with `exitCode` (undefined: never ran). */
export function endLines(image: string, exitCode: number | undefined): string[] {
  if (exitCode === undefined) return [];
  if (exitCode === 0) return ["done"];
  return [
    "Traceback (most recent call last):",
    '  File "/app/main.py", line 42, in <module>',
    "    main()",
    `RuntimeError: ${image.slice(image.lastIndexOf("/") + 1)} failed (exit code ${exitCode})`,
  ];
}
