/**
 * `release --pre-deploy-command`: a one-off task (a database migration, typically) run from the
 * freshly registered revision after RegisterTaskDefinition and before any UpdateService; release
 * calls {@link checkPreDeploy} with its other checks and {@link runPreDeploy} between its register
 * and update phases. When the task fails, nothing is rolled out and the error (exit 1, with the
 * container's exit code and the stopped reason) stops the release. The new revisions are tagged
 * TAG.outcome=failed (so `rollback previous` and `history` know them as bad) only when the revision
 * is to blame — the migration ran and failed, a sidecar failed, the image is missing; when the
 * infrastructure is (RunTask failures[], a Spot interruption, a pull rate limit, a stop by someone)
 * they are tagged `not-released`, which marks nothing bad. At the deadline the release stops too
 * (exit 4) and the revisions stay untagged: the task is still running and its outcome is not known.
 *
 * Before anything is written, a task ecs-release started from the same family that is still running
 * — the migration of an earlier release whose CLI timed out, was interrupted or cancelled — refuses
 * the release (exit 2) unless --force: a migration never runs twice at once.
 *
 * The decisions are core/pre-deploy-plan.ts's; this file does the I/O.
 */
import { findRunningOneOffTasks } from "../aws/tasks.js";
import { tagResource } from "../aws/ecs.js";
import { formatDuration } from "../core/duration.js";
import { DeploymentFailedError, isDeploymentFailedError, isEcsReleaseError, isWaitTimeoutError, WaitTimeoutError, withContext } from "../core/errors.js";
import { checkPreDeployContainer, choosePreDeployRevision, concurrentMigrationWarning, preDeployContainer, preDeployFailureNote, preDeployOutcome } from "../core/pre-deploy-plan.js";
import { commandOverrides, STARTED_BY, type RequestedCapacity } from "../core/run-task-input.js";
import { revisionName } from "../core/rollout-state.js";
import { TAG, type Outcome } from "../core/tags.js";
import type { PlannedRevision, RegisteredRevision } from "./release.js";
import { prepareTask, startPreparedTask, type RunTaskDeps, type RunTaskOptions, type RunTaskResult } from "./run-task.js";

/** `release --pre-deploy-*`: what to run before the services are updated (release's `preDeploy` option). */
export interface PreDeployRequest {
  /** The command's argv (split from --pre-deploy-command). */
  readonly command: readonly string[];
  /** `--pre-deploy-container`; default: the revision's application container. */
  readonly container?: string;
  /** `--pre-deploy-timeout`. */
  readonly timeoutMs: number;
  /** `--pre-deploy-launch-type` / `--pre-deploy-capacity-provider-strategy`. */
  readonly capacity?: RequestedCapacity;
  /** `--pre-deploy-enable-execute-command`. */
  readonly enableExecuteCommand?: boolean;
}

/** The request and what it takes from the release. */
export interface PreDeployOptions extends PreDeployRequest {
  readonly cluster: string;
  /** The first --service: the task runs its family's new revision, with its network configuration and launch type. */
  readonly service: string;
  readonly pollIntervalMs: number;
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
 * Release's check before anything is written (and in a dry run): `--pre-deploy-container` must name a
 * container of the revision the task runs, the command's overrides must fit RunTask's 8192
 * characters, and no task ecs-release started from that family may still be running (unless --force).
 */
export async function checkPreDeploy(options: PreDeployOptions, revisions: readonly PlannedRevision[], deps: Pick<RunTaskDeps, "aws" | "log" | "signal" | "clock">): Promise<void> {
  const revision = choosePreDeployRevision(revisions, options.service);
  if (revision === undefined) return;
  const container = checkPreDeployContainer(revision, options.container);
  commandOverrides(container, options.command, "--pre-deploy-command");
  const running = await findRunningOneOffTasks(deps.aws, options.cluster, STARTED_BY, revision.family, deps.signal);
  const context = { cluster: options.cluster, region: deps.aws.region, family: revision.family, force: options.force === true, now: deps.clock.now() };
  const warning = concurrentMigrationWarning(running, context);
  if (warning !== undefined) deps.log.warn(warning);
}

/**
 * Release's step between register and update: runs the command from the new revision and waits for
 * it. Throws the error that stops the release (see the module comment), the revisions tagged first.
 */
export async function runPreDeploy(options: PreDeployOptions, revisions: readonly RegisteredRevision[], deps: RunTaskDeps): Promise<void> {
  const revision = choosePreDeployRevision(revisions, options.service);
  if (revision === undefined) return;
  let result: RunTaskResult;
  try {
    const prepared = await prepareTask(preDeployTask(options, revision), deps);
    deps.log.info(`pre-deploy: running the command from ${revisionName(revision.taskDefinitionArn)} before updating any service`);
    result = await startPreparedTask(prepared, deps);
  } catch (error) {
    throw await stopRelease(error, revisions, deps);
  }
  deps.log.info(`pre-deploy: the command succeeded in ${formatDuration(result.durationMs)}; updating the services`);
}

/** The one-off task: the new revision, like the first service, with release's flag names in messages. */
function preDeployTask(options: PreDeployOptions, revision: RegisteredRevision): RunTaskOptions {
  const container = preDeployContainer(revision, options.container);
  return {
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
  };
}

/**
 * Records what happened on the new revisions (preDeployOutcome) and returns the release's error: the
 * task's, wrapped (cause) with what the release knows — no service updated, the revisions' outcome.
 */
async function stopRelease(error: unknown, revisions: readonly RegisteredRevision[], deps: RunTaskDeps): Promise<unknown> {
  if (!isEcsReleaseError(error)) return error;
  const preDeploy = (error.result as RunTaskResult | undefined) ?? null;
  const end = { failed: isDeploymentFailedError(error), blame: preDeploy?.blame ?? null };
  const outcome = preDeployOutcome(end);
  const tagged = outcome === null ? new Set<string>() : await tagOutcome(revisions, outcome, deps);
  const result: PreDeployFailure = {
    preDeploy,
    revisions: revisions.map((revision) => ({ family: revision.family, taskDefinitionArn: revision.taskDefinitionArn, outcome: tagged.has(revision.taskDefinitionArn) ? outcome : null })),
    services: [],
  };
  const note = preDeployFailureNote(end, revisions.map((r) => r.taskDefinitionArn));
  if (end.failed) return new DeploymentFailedError(`pre-deploy command ${error.message}${note}`, { cause: error, result });
  if (isWaitTimeoutError(error)) return new WaitTimeoutError(`pre-deploy command ${error.message}${note}`, { cause: error, result });
  // Bad input found only now (e.g. --pre-deploy-container not in the revision): same exit code, same news.
  return withContext(error, note, result);
}

/** Tags each revision TAG.outcome=`outcome`; a tag that cannot be written is a warning. Returns the ARNs tagged. */
async function tagOutcome(revisions: readonly RegisteredRevision[], outcome: "failed" | "not-released", deps: RunTaskDeps): Promise<Set<string>> {
  const tagged = await Promise.all(
    revisions.map(async (revision) => {
      try {
        await tagResource(deps.aws, revision.taskDefinitionArn, { [TAG.outcome]: outcome });
        deps.log.info(`tagged ${revisionName(revision.taskDefinitionArn)} ${TAG.outcome}=${outcome}`);
        return [revision.taskDefinitionArn];
      } catch (tagError) {
        deps.log.warn(`could not record the outcome on ${revisionName(revision.taskDefinitionArn)}: ${tagError instanceof Error ? tagError.message : String(tagError)}`);
        return [];
      }
    }),
  );
  return new Set(tagged.flat());
}
