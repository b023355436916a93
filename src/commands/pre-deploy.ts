/**
 * `release --pre-deploy-command`: a one-off task (a database migration, typically) run from the
 * freshly registered revision after RegisterTaskDefinition and before any UpdateService, through
 * release's `beforeUpdate` seam. When it fails, nothing is rolled out: the new revisions are tagged
 * TAG.outcome=failed (so `rollback previous` and `history` know them as bad) and the error (exit 1,
 * with the container's exit code and the stopped reason) stops the release. At the deadline the
 * release stops too (exit 4) and the revisions stay untagged: the task is still running and its
 * outcome is not known.
 */
import { tagResource } from "../aws/ecs.js";
import { formatDuration } from "../core/duration.js";
import { DeploymentFailedError, isEcsReleaseError, ValidationError, WaitTimeoutError } from "../core/errors.js";
import { revisionName } from "../core/rollout-state.js";
import { TAG } from "../core/tags.js";
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
}

/** The partial result attached to the error that stops a release. */
export interface PreDeployFailure {
  readonly preDeploy: RunTaskResult | null;
  readonly revisions: ReadonlyArray<{ readonly family: string; readonly taskDefinitionArn: string; readonly outcome: "failed" | null }>;
  /** No service was updated. */
  readonly services: readonly [];
}

/** Builds release's `verifyPlanned` check: `--pre-deploy-container` must name a container of the revision the task runs. */
export function preDeployCheck(options: Pick<PreDeployOptions, "container" | "service">): (revisions: readonly PlannedRevision[]) => void {
  return (revisions) => {
    const revision = revisions.find((candidate) => candidate.services.includes(options.service)) ?? revisions[0];
    if (revision === undefined || options.container === undefined || revision.containerNames.includes(options.container)) return;
    throw new ValidationError(`--pre-deploy-container ${options.container}: ${revision.family} has no such container; it has ${revision.containerNames.join(", ") || "none"}`);
  };
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
          flagNames: { container: "--pre-deploy-container", likeService: "--service" },
          ...(container !== undefined ? { container } : {}),
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

/** Tags the new revisions failed (when the task failed) and turns the error into the release's. */
async function stopRelease(error: unknown, revisions: readonly RegisteredRevision[], deps: RunTaskDeps): Promise<unknown> {
  if (!isEcsReleaseError(error)) return error;
  const failed = error instanceof DeploymentFailedError || error.name === "DeploymentFailedError";
  const tagged = new Set<string>();
  if (failed) {
    await Promise.all(
      revisions.map(async (revision) => {
        try {
          await tagResource(deps.aws, revision.taskDefinitionArn, { [TAG.outcome]: "failed" });
          tagged.add(revision.taskDefinitionArn);
          deps.log.info(`tagged ${revisionName(revision.taskDefinitionArn)} ${TAG.outcome}=failed`);
        } catch (tagError) {
          deps.log.warn(`could not record the outcome on ${revisionName(revision.taskDefinitionArn)}: ${tagError instanceof Error ? tagError.message : String(tagError)}`);
        }
      }),
    );
  }
  const result: PreDeployFailure = {
    preDeploy: (error.result as RunTaskResult | undefined) ?? null,
    revisions: revisions.map((revision) => ({ family: revision.family, taskDefinitionArn: revision.taskDefinitionArn, outcome: tagged.has(revision.taskDefinitionArn) ? "failed" : null })),
    services: [],
  };
  const message = `pre-deploy command ${error.message}; no service was updated (${revisions.map((r) => revisionName(r.taskDefinitionArn)).join(", ")} registered but not rolled out)`;
  if (failed) return new DeploymentFailedError(message, { cause: error, result });
  if (error instanceof WaitTimeoutError || error.name === "WaitTimeoutError") return new WaitTimeoutError(message, { cause: error, result });
  // Bad input found only now (e.g. --pre-deploy-container not in the revision): same exit code, same news.
  error.message = `${error.message}; no service was updated (${revisions.map((r) => revisionName(r.taskDefinitionArn)).join(", ")} registered but not rolled out)`;
  error.result = result;
  return error;
}
