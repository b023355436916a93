import type { ContainerDefinition, Failure, Task } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";

/**
 * How a one-off task stands, read from one DescribeTasks answer:
 * - `running`: not STOPPED yet (PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING,
 *   DEPROVISIONING — `lastStatus` says which);
 * - `succeeded`: STOPPED and the watched container exited 0;
 * - `failed`: STOPPED and the watched container exited non-zero, or never ran (image pull, secrets,
 *   capacity: then `exitCode` is undefined and `reason` says why);
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
    }
  | { readonly state: "unknown"; readonly reason: string };

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

/** Reads the outcome of `taskArn` for the `container` that decides it from a DescribeTasks answer. */
export function readTaskOutcome(answer: { readonly tasks?: readonly Task[] | undefined; readonly failures?: readonly Failure[] | undefined }, taskArn: string, container: string): TaskOutcome {
  const task = answer.tasks?.find((candidate) => candidate.taskArn === taskArn);
  if (task === undefined) {
    const failure = answer.failures?.find((candidate) => candidate.arn === taskArn) ?? answer.failures?.[0];
    return { state: "unknown", reason: failure ? [failure.reason, failure.detail].filter(Boolean).join(": ") || "not found" : "not found" };
  }
  return taskOutcome(task, container);
}

/** The outcome of one described task for the `container` that decides it. */
export function taskOutcome(task: Pick<Task, "lastStatus" | "containers" | "stoppedReason" | "stopCode">, container: string): TaskOutcome {
  const lastStatus = task.lastStatus ?? "PROVISIONING";
  if (lastStatus !== "STOPPED") return { state: "running", lastStatus };
  const stoppedReason = task.stoppedReason || undefined;
  const stopCode = task.stopCode || undefined;
  const watched = task.containers?.find((candidate) => candidate.name === container);
  const exitCode = watched?.exitCode ?? undefined;
  if (exitCode === 0) return { state: "succeeded", container, exitCode: 0, stoppedReason };

  const why = [
    watched === undefined ? `the task has no container named ${container}` : exitCode === undefined ? `container ${container} did not run to an exit code` : `container ${container} exited with code ${exitCode}`,
    watched?.reason ? `(${watched.reason})` : undefined,
  ]
    .filter(Boolean)
    .join(" ");
  const taskReason = stoppedReason || stopCode ? `; task stopped: ${[stoppedReason, stopCode ? `(${stopCode})` : undefined].filter(Boolean).join(" ")}` : "";
  return { state: "failed", container, exitCode, reason: `${why}${taskReason}`, stoppedReason, stopCode };
}

/** The last path segment of an ARN: the task id of a task ARN. */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}
