/**
 * `release --pre-deploy-command`: a one-off task (a database migration, typically) run from the
 * freshly registered revision after RegisterTaskDefinition and before any UpdateService, through
 * release's `beforeUpdate` seam. When it fails, nothing is rolled out and the error (exit 1, with the
 * container's exit code and the stopped reason) stops the release. The new revisions are tagged
 * TAG.outcome=failed (so `rollback previous` and `history` know them as bad) only when the revision
 * is to blame — the migration ran and failed, a sidecar failed, the image is missing; when the
 * infrastructure is (RunTask failures[], a Spot interruption, a pull rate limit, a stop by someone)
 * they are tagged `not-released`, which marks nothing bad. At the deadline the release stops too
 * (exit 4) and the revisions stay untagged: the task is still running and its outcome is not known.
 *
 * Before anything is written (release's `verifyPlanned`), a task ecs-release started from the same
 * family that is still running — the migration of an earlier release whose CLI timed out, was
 * interrupted or cancelled — refuses the release (exit 2) unless --force: a migration never runs
 * twice at once.
 */
import { findRunningOneOffTasks } from "../aws/tasks.js";
import { tagResource } from "../aws/ecs.js";
import { formatDuration } from "../core/duration.js";
import { commandOverrides, STARTED_BY, type RequestedCapacity } from "../core/run-task-input.js";
import { taskIdOf } from "../core/task-outcome.js";
import { DeploymentFailedError, isDeploymentFailedError, isEcsReleaseError, isWaitTimeoutError, ValidationError, WaitTimeoutError, withContext } from "../core/errors.js";
import { revisionName } from "../core/rollout-state.js";
import { TAG, type Outcome } from "../core/tags.js";
import type { PlannedRevision, RegisteredRevision } from "./release.js";
import { prepareTask, startPreparedTask, type RunTaskDeps, type RunTaskResult } from "./run-task.js";

/** What to run before the services are updated. */
export interface PreDeployOptions {
  readonly cluster: string;
  /** The command's argv (split from --pre-deploy-command). */
  readonly command: readonly string[];
  /** `--pre-deploy-container`; default: the revision's application container. */
  readonly container?: string;
  /** The first --service: the task runs its family's new revision, with its network configuration and launch type. */
  readonly service: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** `--pre-deploy-launch-type` / `--pre-deploy-capacity-provider-strategy`. */
  readonly capacity?: RequestedCapacity;
  /** `--pre-deploy-enable-execute-command`. */
  readonly enableExecuteCommand?: boolean;
  /** release's --force: run even while an earlier ecs-release task of the family still runs. */
  readonly force?: boolean;
}

/** The partial result attached to the error that stops a release. */
export interface PreDeployFailure {
  readonly preDeploy: RunTaskResult | null;
  readonly revisions: ReadonlyArray<{ readonly family: string; readonly taskDefinitionArn: string; readonly outcome: Extract<Outcome, "failed" | "not-released"> | null }>;
  /** No service was updated. */
  readonly services: readonly [];
}

/**
 * Builds release's `verifyPlanned` check, run before anything is written (and in a dry run):
 * `--pre-deploy-container` must name a container of the revision the task runs, the command's
 * overrides must fit RunTask's 8192 characters, and no task ecs-release started from that family may
 * still be running (unless --force).
 */
export function preDeployCheck(
  options: Pick<PreDeployOptions, "container" | "service" | "command" | "cluster" | "force">,
  deps?: Pick<RunTaskDeps, "aws" | "log" | "signal" | "clock">,
): (revisions: readonly PlannedRevision[]) => Promise<void> {
  return async (revisions) => {
    const revision = revisions.find((candidate) => candidate.services.includes(options.service)) ?? revisions[0];
    if (revision === undefined) return;
    if (options.container !== undefined && !revision.containerNames.includes(options.container)) {
      throw new ValidationError(`--pre-deploy-container ${options.container}: ${revision.family} has no such container; it has ${revision.containerNames.join(", ") || "none"}`);
    }
    const container = options.container ?? (revision.containers.length === 1 ? revision.containers[0] : undefined) ?? revision.containerNames[0] ?? "";
    commandOverrides(container, options.command, "--pre-deploy-command");
    if (deps !== undefined) await refuseConcurrentMigration(options, revision.family, deps);
  };
}

/** Issue 18 item 4: an earlier pre-deploy task of this family still running refuses the release (exit 2), unless --force. */
async function refuseConcurrentMigration(options: Pick<PreDeployOptions, "cluster" | "force">, family: string, deps: Pick<RunTaskDeps, "aws" | "log" | "signal" | "clock">): Promise<void> {
  const running = await findRunningOneOffTasks(deps.aws, options.cluster, STARTED_BY, family, deps.signal);
  if (running.length === 0) return;
  const region = deps.aws.region;
  const described = running.map((task) => {
    const since = task.createdAt instanceof Date ? `, started ${formatDuration(Math.max(0, deps.clock.now() - task.createdAt.getTime()))} ago` : "";
    return `${taskIdOf(task.taskArn ?? "")} (${revisionName(task.taskDefinitionArn ?? "")}, ${task.lastStatus ?? "PROVISIONING"}${since})`;
  });
  const first = running[0]?.taskArn ?? "";
  const what = `an ecs-release task of ${family} is still running in cluster ${options.cluster}: ${described.join(", ")}`;
  if (options.force) {
    deps.log.warn(`${what}; --force: running the pre-deploy command beside it`);
    return;
  }
  throw new ValidationError(
    `${what}; a migration must not run twice at once: wait for it (aws ecs wait tasks-stopped --region ${region} --cluster ${options.cluster} --tasks ${first}) or stop it (aws ecs stop-task --region ${region} --cluster ${options.cluster} --task ${first}), then release again — or pass --force to run beside it`,
  );
}

/** Builds the `beforeUpdate` hook of release that runs the pre-deploy command. */
export function preDeployHook(options: PreDeployOptions, deps: RunTaskDeps): (revisions: readonly RegisteredRevision[]) => Promise<void> {
  return async (revisions) => {
    const revision = revisions.find((candidate) => candidate.services.includes(options.service)) ?? revisions[0];
    if (revision === undefined) return;
    // Default container: the application container that got the new image, when there is one.
    const container = options.container ?? (revision.containers.length === 1 ? revision.containers[0] : undefined);
    let result: RunTaskResult;
    try {
      const prepared = await prepareTask(
        {
          cluster: options.cluster,
          taskDefinition: revision.taskDefinitionArn,
          command: options.command,
          likeService: options.service,
          timeoutMs: options.timeoutMs,
          pollIntervalMs: options.pollIntervalMs,
          justRegistered: true,
          label: "pre-deploy task",
          flagNames: {
            container: "--pre-deploy-container",
            likeService: "--service",
            command: "--pre-deploy-command",
            launchType: "--pre-deploy-launch-type",
            capacityProviderStrategy: "--pre-deploy-capacity-provider-strategy",
          },
          ...(container !== undefined ? { container } : {}),
          ...(options.capacity ? { capacity: options.capacity } : {}),
          ...(options.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
        },
        deps,
      );
      deps.log.info(`pre-deploy: running the command from ${revisionName(revision.taskDefinitionArn)} before updating any service`);
      result = await startPreparedTask(prepared, deps);
    } catch (error) {
      throw await stopRelease(error, revisions, deps);
    }
    deps.log.info(`pre-deploy: the command succeeded in ${formatDuration(result.durationMs)}; updating the services`);
  };
}

/**
 * Records what happened on the new revisions and turns the error into the release's: `failed` when
 * the revision is to blame, `not-released` when the infrastructure is (see the module comment).
 */
async function stopRelease(error: unknown, revisions: readonly RegisteredRevision[], deps: RunTaskDeps): Promise<unknown> {
  if (!isEcsReleaseError(error)) return error;
  const failed = isDeploymentFailedError(error);
  const preDeploy = (error.result as RunTaskResult | undefined) ?? null;
  const outcome: "failed" | "not-released" = preDeploy?.blame === "infrastructure" ? "not-released" : "failed";
  const tagged = new Set<string>();
  if (failed) {
    await Promise.all(
      revisions.map(async (revision) => {
        try {
          await tagResource(deps.aws, revision.taskDefinitionArn, { [TAG.outcome]: outcome });
          tagged.add(revision.taskDefinitionArn);
          deps.log.info(`tagged ${revisionName(revision.taskDefinitionArn)} ${TAG.outcome}=${outcome}`);
        } catch (tagError) {
          deps.log.warn(`could not record the outcome on ${revisionName(revision.taskDefinitionArn)}: ${tagError instanceof Error ? tagError.message : String(tagError)}`);
        }
      }),
    );
  }
  const result: PreDeployFailure = {
    preDeploy,
    revisions: revisions.map((revision) => ({ family: revision.family, taskDefinitionArn: revision.taskDefinitionArn, outcome: tagged.has(revision.taskDefinitionArn) ? outcome : null })),
    services: [],
  };
  const names = revisions.map((r) => revisionName(r.taskDefinitionArn)).join(", ");
  const notTheRevision = failed && outcome === "not-released" ? "; not the revision's fault (the infrastructure's): release again when ECS has capacity" : "";
  const message = `pre-deploy command ${error.message}; no service was updated (${names} registered but not rolled out)${notTheRevision}`;
  if (failed) return new DeploymentFailedError(message, { cause: error, result });
  if (isWaitTimeoutError(error)) return new WaitTimeoutError(message, { cause: error, result });
  // Bad input found only now (e.g. --pre-deploy-container not in the revision): same exit code, same news.
  return withContext(error, `; no service was updated (${names} registered but not rolled out)`, result);
}
