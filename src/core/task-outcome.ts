import type { ContainerDefinition, Failure, Task } from "@aws-sdk/client-ecs";
import { formatDuration } from "./duration.js";
import { ValidationError } from "./errors.js";

/**
 * Whose fault a failed one-off task is. `revision`: what the new revision runs — the watched container
 * exited non-zero, another essential container (a sidecar) failed, the image is missing or cannot
 * start. `infrastructure`: the task ended for a reason outside the image — a Spot interruption or
 * termination notice, a stop by a user or the scheduler, no capacity, a pull rate limit or network
 * timeout. Only the first marks the revision bad (TAG.outcome=failed).
 */
export type TaskBlame = "revision" | "infrastructure";

/**
 * How a one-off task stands, read from one DescribeTasks answer:
 * - `running`: not STOPPED yet (PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING,
 *   DEPROVISIONING — `lastStatus` says which);
 * - `succeeded`: STOPPED because an essential container exited (not an interruption), the watched
 *   container exited 0 and no other essential container failed;
 * - `failed`: anything else that is STOPPED — the watched container exited non-zero or never ran
 *   (image pull, secrets, capacity: then `exitCode` is undefined and `reason` says why), a sidecar
 *   failed, or the task was interrupted (then `blame` is `infrastructure`, whatever the exit code);
 * - `unknown`: DescribeTasks did not return the task (eventual consistency right after RunTask, or
 *   a task older than ECS keeps stopped tasks for).
 */
export type TaskOutcome =
  | { readonly state: "running"; readonly lastStatus: string }
  | { readonly state: "succeeded"; readonly container: string; readonly exitCode: 0; readonly stoppedReason: string | undefined }
  | {
      readonly state: "failed";
      readonly container: string;
      readonly exitCode: number | undefined;
      /** One line: why the container or the task stopped. */
      readonly reason: string;
      readonly stoppedReason: string | undefined;
      readonly stopCode: string | undefined;
      readonly blame: TaskBlame;
    }
  | { readonly state: "unknown"; readonly reason: string };

/**
 * Stop codes that mean the task was ended from outside, not by its essential container exiting
 * (Task.stopCode, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html): a
 * Fargate Spot interruption or an EC2 Spot/maintenance termination notice (the containers get
 * SIGTERM and a migration may exit 0 on it), a StopTask by someone, a stop by the service
 * scheduler, unhealthy infrastructure. Such a task did not finish, whatever its exit codes say.
 */
export const INTERRUPTION_STOP_CODES: ReadonlySet<string> = new Set(["SpotInterruption", "TerminationNotice", "UserInitiated", "ServiceSchedulerInitiated", "InfrastructureHealth"]);

/**
 * A task that never ran to an exit code is the revision's fault only when the image or its start is
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html):
 * CannotPullContainerError for an image that does not exist, CannotStartContainerError (e.g. the
 * entrypoint is not in the image). A pull rate limit (`toomanyrequests`, https://repost.aws/knowledge-center/ecs-pull-container-error-rate-limit),
 * a network timeout, ResourceInitializationError or no capacity are the infrastructure's.
 */
export function neverStartedBlame(reasons: readonly (string | undefined)[]): TaskBlame {
  const text = reasons.filter(Boolean).join(" ");
  if (/toomanyrequests|rate limit|timeout|timed out|i\/o|connection|canceled|RESOURCE:/i.test(text)) return "infrastructure";
  if (/CannotStartContainerError/.test(text)) return "revision";
  if (/CannotPullContainerError/.test(text) && /not found|manifest unknown|does not exist|name unknown/i.test(text)) return "revision";
  return "infrastructure";
}

/**
 * True when an essential container other than the watched one failed on its own: an exit code other
 * than 0 and the 143 (SIGTERM) / 137 (SIGKILL after stopTimeout) ECS sends every container when an
 * essential one exits — or killed for its memory (OutOfMemoryError) — or no exit code at all.
 */
function sidecarFailed(container: { readonly exitCode?: number | undefined; readonly reason?: string | undefined }): boolean {
  if (/OutOfMemory/i.test(container.reason ?? "")) return true;
  if (container.exitCode === undefined || container.exitCode === null) return false;
  return container.exitCode !== 0 && container.exitCode !== 143 && container.exitCode !== 137;
}

/**
 * The container whose exit code decides a one-off task, and which gets the command override:
 * `requested` when given (it must exist); else the task definition's only container; else its only
 * essential container (the application beside non-essential sidecars). With several essential
 * containers the choice is the user's (ValidationError listing them) when a command must go to one
 * of them; otherwise the first essential container is watched, as ecspresso watches the first.
 */
export function chooseTaskContainer(
  definitions: readonly Pick<ContainerDefinition, "name" | "essential">[],
  requested: string | undefined,
  options: { readonly forCommand: boolean; readonly flag?: string; readonly family?: string },
): string {
  const names = definitions.map((definition) => definition.name ?? "").filter((name) => name !== "");
  const where = options.family ? `task definition ${options.family}` : "the task definition";
  const flag = options.flag ?? "--container";
  if (requested !== undefined) {
    if (names.includes(requested)) return requested;
    throw new ValidationError(`${flag} ${requested}: ${where} has no such container; it has ${names.join(", ") || "none"}`);
  }
  if (names.length === 1) return names[0] as string;
  // ECS treats a container without `essential` as essential.
  const essential = definitions.filter((definition) => definition.essential !== false && definition.name).map((definition) => definition.name as string);
  if (essential.length === 1) return essential[0] as string;
  if (!options.forCommand && essential[0] !== undefined) return essential[0];
  throw new ValidationError(`${where} has ${names.length} containers (${names.join(", ")}): pass ${flag} to say which one runs the command`);
}

/**
 * Reads the outcome of `taskArn` for the `container` that decides it from a DescribeTasks answer;
 * `essential` names the task definition's essential containers (see {@link taskOutcome}).
 */
export function readTaskOutcome(
  answer: { readonly tasks?: readonly Task[] | undefined; readonly failures?: readonly Failure[] | undefined },
  taskArn: string,
  container: string,
  essential: readonly string[] = [],
): TaskOutcome {
  const task = answer.tasks?.find((candidate) => candidate.taskArn === taskArn);
  if (task === undefined) {
    const failure = answer.failures?.find((candidate) => candidate.arn === taskArn) ?? answer.failures?.[0];
    return { state: "unknown", reason: failure ? [failure.reason, failure.detail].filter(Boolean).join(": ") || "not found" : "not found" };
  }
  return taskOutcome(task, container, essential);
}

/**
 * The outcome of one described task for the `container` that decides it. Success means the task
 * really finished: the watched container exited 0, the task stopped because an essential container
 * exited (not a stop code from {@link INTERRUPTION_STOP_CODES}), and no other essential container
 * (named in `essential`) failed — a sidecar that crashed makes ECS SIGTERM the app, which may exit 0.
 */
export function taskOutcome(task: Pick<Task, "lastStatus" | "containers" | "stoppedReason" | "stopCode">, container: string, essential: readonly string[] = []): TaskOutcome {
  const lastStatus = task.lastStatus ?? "PROVISIONING";
  if (lastStatus !== "STOPPED") return { state: "running", lastStatus };
  const stoppedReason = task.stoppedReason || undefined;
  const stopCode = task.stopCode || undefined;
  const watched = task.containers?.find((candidate) => candidate.name === container);
  const exitCode = watched?.exitCode ?? undefined;
  const taskReason = stoppedReason || stopCode ? `; task stopped: ${[stoppedReason, stopCode ? `(${stopCode})` : undefined].filter(Boolean).join(" ")}` : "";
  const failed = (why: string, blame: TaskBlame): TaskOutcome => ({ state: "failed", container, exitCode, reason: `${why}${taskReason}`, stoppedReason, stopCode, blame });
  const containerSaid = watched?.reason ? ` (${watched.reason})` : "";

  if (stopCode !== undefined && INTERRUPTION_STOP_CODES.has(stopCode)) {
    const ran = exitCode === undefined ? `container ${container} did not run to an exit code` : `container ${container} exited with code ${exitCode}`;
    return failed(`the task was interrupted before it finished (${ran}${containerSaid})`, "infrastructure");
  }
  const brokenSidecar = task.containers?.find((candidate) => candidate.name !== container && candidate.name !== undefined && essential.includes(candidate.name) && sidecarFailed(candidate));
  if (brokenSidecar !== undefined) {
    const code = brokenSidecar.exitCode ?? undefined;
    const what = `essential container ${brokenSidecar.name ?? ""} ${code === undefined ? "failed" : `exited with code ${code}`}${brokenSidecar.reason ? ` (${brokenSidecar.reason})` : ""}`;
    return failed(`${what}, which stops the task; container ${container} ${exitCode === undefined ? "did not run to an exit code" : `exited with code ${exitCode}`}`, "revision");
  }
  if (exitCode === 0) return { state: "succeeded", container, exitCode: 0, stoppedReason };
  if (watched === undefined) return failed(`the task has no container named ${container}`, "revision");
  if (exitCode === undefined) {
    return failed(`container ${container} did not run to an exit code${containerSaid}`, stopCode === "TaskFailedToStart" || stopCode === undefined || stopCode === "EssentialContainerExited" ? neverStartedBlame([watched.reason, stoppedReason]) : "infrastructure");
  }
  return failed(`container ${container} exited with code ${exitCode}${containerSaid}`, "revision");
}

/** The names of a task definition's essential containers (ECS treats a container without `essential` as essential). */
export function essentialContainers(definitions: readonly Pick<ContainerDefinition, "name" | "essential">[]): string[] {
  return definitions.filter((definition) => definition.essential !== false && definition.name).map((definition) => definition.name as string);
}

/** The last path segment of an ARN: the task id of a task ARN. */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

/** Said while a call naming a revision registered moments ago is retried (ECS does not show it yet). */
export function unseenRevisionRetryLine(what: string, delayMs: number): string {
  return `${what}: ECS does not show the revision registered moments ago yet (eventual consistency); trying again in ${formatDuration(delayMs)}`;
}

/** The debug line for a DescribeTasks answer without the task (eventual consistency right after RunTask). */
export function taskNotReturnedLine(taskArn: string, reason: string): string {
  return `DescribeTasks did not return ${taskArn} (${reason}); still waiting`;
}

/**
 * The progress line of a one-off task wait: what it waits for (default: the task id), the status
 * (UNKNOWN: not returned yet), for how long, and the time to the deadline.
 */
export function taskWaitProgressLine(input: { readonly what: string | undefined; readonly taskArn: string; readonly status: string; readonly elapsedMs: number; readonly leftMs: number }): string {
  const shown = input.status === "UNKNOWN" ? "not yet returned by DescribeTasks" : input.status;
  return `waiting for ${input.what ?? `task ${taskIdOf(input.taskArn)}`} to stop: ${shown} for ${formatDuration(input.elapsedMs)} (deadline in ${formatDuration(input.leftMs)})`;
}
