/**
 * `release --pre-deploy-command` (commands/pre-deploy.ts): every decision, pure. Which new revision
 * the one-off task runs and in which container; whether an earlier ecs-release task of the family
 * that still runs refuses the release; and, when the task fails, what that says about the new
 * revisions — TAG.outcome=failed when the revision is to blame, `not-released` when the
 * infrastructure is, nothing when the outcome is not known (a timeout, an interruption, bad input).
 */
import type { Task } from "@aws-sdk/client-ecs";
import { formatDuration } from "./duration.js";
import { ValidationError } from "./errors.js";
import { revisionName } from "./rollout-state.js";
import { taskIdOf, type TaskBlame } from "./task-outcome.js";

/** A revision release renders (and then registers), as pre-deploy sees it. */
export interface PreDeployCandidate {
  readonly family: string;
  /** The application containers that get the image and environment. */
  readonly containers: readonly string[];
  /** The services updated to it. */
  readonly services: readonly string[];
}

/** The revision the task runs: the one `service` (the first --service) is updated to, else the first. */
export function choosePreDeployRevision<T extends PreDeployCandidate>(revisions: readonly T[], service: string): T | undefined {
  return revisions.find((candidate) => candidate.services.includes(service)) ?? revisions[0];
}

/**
 * The container the command goes to, when pre-deploy can tell before RunTask: `--pre-deploy-container`,
 * else the revision's only application container; undefined: run-task chooses (chooseTaskContainer).
 */
export function preDeployContainer(revision: Pick<PreDeployCandidate, "containers">, requested: string | undefined): string | undefined {
  return requested ?? (revision.containers.length === 1 ? revision.containers[0] : undefined);
}

/**
 * Before anything is written: `--pre-deploy-container` must name a container of the rendered revision
 * (`containerNames`: all of them). Returns the container the command's overrides are sized for.
 */
export function checkPreDeployContainer(revision: PreDeployCandidate & { readonly containerNames: readonly string[] }, requested: string | undefined): string {
  if (requested !== undefined && !revision.containerNames.includes(requested)) {
    throw new ValidationError(`--pre-deploy-container ${requested}: ${revision.family} has no such container; it has ${revision.containerNames.join(", ") || "none"}`);
  }
  return preDeployContainer(revision, requested) ?? revision.containerNames[0] ?? "";
}

/** Where the release runs, for the commands the refusal suggests. */
export interface MigrationContext {
  readonly cluster: string;
  readonly region: string;
  readonly family: string;
  /** release's --force. */
  readonly force: boolean;
  /** The clock's now (ms), for "started … ago". */
  readonly now: number;
}

/**
 * A migration never runs twice at once. With no earlier task of the family running,
 * nothing to say; with one and --force, a warning (run beside it); else a ValidationError (exit 2)
 * naming the tasks and how to wait for or stop the first.
 */
export function concurrentMigrationWarning(running: readonly Pick<Task, "taskArn" | "taskDefinitionArn" | "lastStatus" | "createdAt">[], context: MigrationContext): string | undefined {
  if (running.length === 0) return undefined;
  const { cluster, region } = context;
  const described = running.map((task) => {
    const since = task.createdAt instanceof Date ? `, started ${formatDuration(Math.max(0, context.now - task.createdAt.getTime()))} ago` : "";
    return `${taskIdOf(task.taskArn ?? "")} (${revisionName(task.taskDefinitionArn ?? "")}, ${task.lastStatus ?? "PROVISIONING"}${since})`;
  });
  const first = running[0]?.taskArn ?? "";
  const what = `an ecs-release task of ${context.family} is still running in cluster ${cluster}: ${described.join(", ")}`;
  if (context.force) return `${what}; --force: running the pre-deploy command beside it`;
  throw new ValidationError(
    `${what}; a migration must not run twice at once: wait for it (aws ecs wait tasks-stopped --region ${region} --cluster ${cluster} --tasks ${first}) or stop it (aws ecs stop-task --region ${region} --cluster ${cluster} --task ${first}), then release again — or pass --force to run beside it`,
  );
}

/** How the pre-deploy task ended, as far as its error says. */
export interface PreDeployEnd {
  /** The task failed or never started (DeploymentFailedError); false: timed out, interrupted, bad input, AWS. */
  readonly failed: boolean;
  /** Whose fault, from the task's result (null: not known). */
  readonly blame: TaskBlame | null;
}

/** The TAG.outcome the new revisions get: `failed` when the revision is to blame, `not-released` when the infrastructure is, null when not known. */
export function preDeployOutcome(end: PreDeployEnd): "failed" | "not-released" | null {
  if (!end.failed) return null;
  return end.blame === "infrastructure" ? "not-released" : "failed";
}

/** What the release says after the task's own message: nothing was rolled out, and whose fault it was. */
export function preDeployFailureNote(end: PreDeployEnd, registeredArns: readonly string[]): string {
  const names = registeredArns.map(revisionName).join(", ");
  const notTheRevision = preDeployOutcome(end) === "not-released" ? "; not the revision's fault (the infrastructure's): release again when ECS has capacity" : "";
  return `; no service was updated (${names} registered but not rolled out)${notTheRevision}`;
}
