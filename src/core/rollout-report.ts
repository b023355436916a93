/**
 * What a rollout wait reports, in words (cli.md, release step 5; rollback). Pure: aws/wait-rollout.ts
 * polls ECS and decides when to say something; the lines it logs and the error a report ends the
 * command with are built here, from the data alone.
 */
import { formatDuration } from "./duration.js";
import { AwsCallError, DeploymentFailedError, EcsReleaseError, InterruptedError, WaitTimeoutError } from "./errors.js";
import { formatCounts, formatNative, isFailure, isSettled, revisionName, type DeploymentCounts, type NativeProgress, type RolloutStateKind, type RolloutTarget } from "./rollout-state.js";
import { formatStoppedTask, type StoppedTaskReason } from "./stopped-tasks.js";
import { plural } from "./plural.js";

/** How one service's rollout ended (or stood when the wait ended). */
export interface ServiceRolloutOutcome {
  readonly service: string;
  readonly taskDefinitionArn: string;
  readonly deploymentId: string;
  readonly state: RolloutStateKind;
  readonly reason: string;
  /** The revision ECS fell back to (rolling-back / rolled-back). */
  readonly fallenBackTo?: string;
  readonly counts: readonly DeploymentCounts[];
  /** For a failed deployment: why a few of its tasks stopped (ListTasks by startedBy + DescribeTasks). */
  readonly stoppedTasks?: readonly StoppedTaskReason[];
  /** BLUE_GREEN, LINEAR and CANARY services: ECS's service deployment (stage, traffic, status). */
  readonly native?: NativeProgress;
}

/** The end of a wait: every service settled, the deadline, an interruption, or an error no retry can fix. */
export interface RolloutReport {
  readonly ended: "settled" | "deadline" | "interrupted" | "unrecoverable";
  readonly outcomes: readonly ServiceRolloutOutcome[];
  readonly elapsedMs: number;
  readonly polls: number;
  /** For `unrecoverable`: the AWS error that ended the wait. */
  readonly error?: AwsCallError;
}

/** The target as the traffic line shows it: for a stopped deployment, the revision it deployed is "new" and the rollback target the other. */
export function displayTarget(target: RolloutTarget): RolloutTarget {
  return target.stoppedTaskDefinitionArn === undefined ? target : { ...target, taskDefinitionArn: target.stoppedTaskDefinitionArn, fallbackRevisions: [target.taskDefinitionArn] };
}

/** A line to log, and at which level. */
export interface LogLine {
  readonly level: "info" | "warn";
  readonly text: string;
}

/** The line for a service whose rollout changed state (undefined: in progress, nothing to say). */
export function transitionLine(outcome: ServiceRolloutOutcome): LogLine | undefined {
  const name = `${outcome.service}`;
  const revision = revisionName(outcome.taskDefinitionArn);
  if (outcome.state === "completed" && outcome.native?.status === "ROLLBACK_SUCCESSFUL") {
    return { level: "info", text: `${name}: back on ${revision} (${outcome.reason})` };
  }
  switch (outcome.state) {
    case "completed": {
      const ours = outcome.counts.find((c) => c.ours);
      if (ours !== undefined && ours.desired === 0 && ours.running === 0) return { level: "warn", text: `${name}: deployment ${outcome.deploymentId} of ${revision} COMPLETED with a desired count of 0: no task of it ran, so it is not recorded as stable` };
      return { level: "info", text: `${name}: stable on ${revision} (deployment ${outcome.deploymentId} COMPLETED)` };
    }
    case "failed":
      return { level: "warn", text: `${name}: deployment ${outcome.deploymentId} of ${revision} FAILED: ${outcome.reason}` };
    case "rolling-back":
      return { level: "warn", text: `${name}: deployment of ${revision} failed (${outcome.reason}); ECS is rolling back to ${revisionName(outcome.fallenBackTo ?? "")}, watching until it is stable there` };
    case "rolled-back":
      return { level: "warn", text: `${name}: rolled back: stable again on ${revisionName(outcome.fallenBackTo ?? "")} (${revision} failed: ${outcome.reason})` };
    case "vanished":
    case "superseded":
      return { level: "warn", text: `${name}: ${outcome.reason}` };
    case "paused":
      return { level: "info", text: `${name}: ${outcome.reason}` };
    case "in-progress":
      return undefined;
  }
}

/**
 * Said once when a deployment waits at a PAUSE lifecycle hook: where, what traffic the new revision
 * has, when the hook times out and what ECS does then, and the exact command that continues it.
 */
export function pausedLine(cluster: string, service: string, progress: NativeProgress, taskDefinitionArn: string): string {
  const hook = progress.hooks.find((h) => h.status === "AWAITING_ACTION");
  const traffic = `test traffic ${progress.test ?? 0}%, production ${progress.production ?? 0}% on ${revisionName(taskDefinitionArn)}`;
  const expiry = hook?.expiresAt !== undefined ? `; the hook times out at ${new Date(hook.expiresAt).toISOString()}, then ECS will ${(hook.timeoutAction ?? "ROLLBACK") === "CONTINUE" ? "continue" : "roll back"}` : "";
  return `${service}: paused at ${progress.stage ?? "a lifecycle stage"} by a PAUSE hook (${hook?.hookId ?? "hook"}): ${traffic}${expiry}; continue with \`${continueCommand(cluster, service)}\` (add --action rollback to roll it back)`;
}

/** The command that continues a paused deployment. */
export function continueCommand(cluster: string, service: string): string {
  return `ecs-release continue --cluster ${cluster} --service ${service}`;
}

/** One pending rollout in a progress line: its counts (or its native stage, with the bake time left) and which deployment. */
export function pendingStateText(target: RolloutTarget, outcome: ServiceRolloutOutcome | undefined, bakeLeftMs: number | undefined): string {
  if (outcome?.native !== undefined) {
    return `${formatNative(target.service, outcome.native, displayTarget(target), bakeLeftMs)} (deployment ${target.deploymentId} of ${revisionName(target.taskDefinitionArn)})`;
  }
  const counts = outcome && outcome.counts.length > 0 ? formatCounts(target.service, outcome.counts) : `${target.service}: ${outcome?.reason ?? "waiting"}`;
  return `${counts} (deployment ${target.deploymentId} of ${revisionName(target.taskDefinitionArn)})`;
}

/** The progress line printed when nothing else was for a while (pendingStateText per rollout). */
export function progressLine(states: readonly string[], elapsedMs: number, leftMs: number): string {
  return `still waiting for ${plural(states.length, "rollout")} (${formatDuration(elapsedMs)} elapsed, ${formatDuration(Math.max(0, leftMs))} left): ${states.join("; ")}`;
}

/**
 * How long ECS may show a view older than our update before the wait says so: most such lags last a
 * poll or two (a second), and a line each time is noise; one that lasts is worth a line. Shorter ones
 * go to --debug only.
 */
export const NOT_VISIBLE_QUIET_MS = 10_000;

/** True when a view older than our update has lasted long enough (`elapsedMs` since the wait began) to say so. */
export function saysNotVisibleYet(elapsedMs: number): boolean {
  return elapsedMs >= NOT_VISIBLE_QUIET_MS;
}

/** Said once per service while DescribeServices shows a view older than our update (eventual consistency). */
export function notVisibleYetLine(service: string, deploymentId: string, graceMs: number): string {
  return `${service}: ECS does not show deployment ${deploymentId} yet (its API is eventually consistent); waiting for it (up to ${formatDuration(graceMs)})`;
}

/** A service event, as ECS wrote it. */
export function serviceEventLine(service: string, message: string | undefined): string {
  return `${service}: ${message ?? ""}`;
}

/** A poll that failed after the SDK's retries; the wait goes on until the deadline. */
export function pollFailedLine(error: EcsReleaseError, leftMs: number): string {
  return `${error instanceof AwsCallError ? "" : "polling failed: "}${error.message}; polling again until the deadline (${formatDuration(Math.max(0, leftMs))} left)`;
}

/** The stopped tasks of a failed deployment could not be read (best effort). */
export function stoppedTasksUnreadableLine(service: string, deploymentId: string, error: unknown): string {
  return `${service}: could not read why the tasks of deployment ${deploymentId} stopped: ${error instanceof Error ? error.message : String(error)}`;
}

/** One line per service for messages: what state it is in at the end of the wait. */
export function describeOutcome(outcome: ServiceRolloutOutcome): string {
  const tasks = outcome.stoppedTasks ?? [];
  const line = describeState(outcome);
  return tasks.length > 0 ? `${line}; stopped tasks: ${tasks.map(formatStoppedTask).join("; ")}` : line;
}

function describeState(outcome: ServiceRolloutOutcome): string {
  const revision = revisionName(outcome.taskDefinitionArn);
  const counts = outcome.counts.length > 0 ? ` [${formatCounts(outcome.service, outcome.counts).slice(outcome.service.length + 2)}]` : "";
  switch (outcome.state) {
    case "completed":
      return `${outcome.service} stable on ${revision}`;
    case "failed":
      return `${outcome.service}: ${revision} failed (${outcome.reason}) and the service stays on it${counts}`;
    case "rolling-back":
      return `${outcome.service}: ${revision} failed (${outcome.reason}); ECS is still rolling back to ${revisionName(outcome.fallenBackTo ?? "")}${counts}`;
    case "rolled-back":
      return `${outcome.service}: ${revision} failed (${outcome.reason}); the service is back on ${revisionName(outcome.fallenBackTo ?? "")}`;
    case "vanished":
      return `${outcome.service}: ${outcome.reason}`;
    case "superseded":
      return `${outcome.service}: ${revision} was not released by this run, ${outcome.reason}`;
    case "paused":
      return `${outcome.service}: ${revision} ${outcome.reason}`;
    case "in-progress":
      if (outcome.native !== undefined) {
        const native = outcome.native;
        return `${outcome.service}: ${revision} still deploying (${native.strategy} in ${native.stage ?? "no stage yet"}, service deployment ${native.status}${native.production !== undefined ? `, production ${native.production}% on ${revision}` : ""})${counts}`;
      }
      return `${outcome.service}: ${revision} still rolling out (deployment ${outcome.deploymentId}: ${outcome.reason})${counts}`;
  }
}

/**
 * The error a report ends the command with, or undefined when every rollout completed:
 * interrupted → InterruptedError (nothing cancelled; says how to follow or roll back);
 * unrecoverable → AwsCallError (exit 3: the denied or unauthenticated call, the last state seen, how to follow);
 * any failure → DeploymentFailedError (exit 1); else the deadline → WaitTimeoutError (exit 4).
 * `result` is attached to the error (printed under --json).
 */
export function rolloutReportError(report: RolloutReport, cluster: string, result?: unknown): EcsReleaseError | undefined {
  const options = result === undefined ? {} : { result };
  const services = report.outcomes.map((o) => o.service);
  const serviceFlags = services.map((s) => `--service ${s}`).join(" ");
  if (report.ended === "interrupted") {
    const rolling = report.outcomes.filter((o) => !isSettled(o.state)).map((o) => `${o.service} → ${revisionName(o.taskDefinitionArn)}`);
    return new InterruptedError(
      `interrupted while waiting; the deployment was not cancelled${rolling.length > 0 ? ` (still rolling out: ${rolling.join(", ")})` : ""}: follow it with \`ecs-release status --cluster ${cluster} ${serviceFlags}\` or roll back with \`ecs-release rollback --cluster ${cluster} ${serviceFlags}\``,
      options,
    );
  }
  if (report.ended === "unrecoverable" && report.error !== undefined) {
    const state = report.outcomes.map(describeOutcome).join("; ");
    const error = new AwsCallError(
      report.error.operation,
      report.error.resource,
      `${report.error.message.replace(/^.*? failed: /, "")}; stopped waiting after ${formatDuration(report.elapsedMs)} (no retry can fix this); the rollout may still be running (last seen: ${state}): follow it with \`ecs-release status --cluster ${cluster} ${serviceFlags}\` once the credentials or permissions are fixed`,
      { cause: report.error, ...(report.error.code !== undefined ? { code: report.error.code } : {}), ...(result !== undefined ? { result } : {}) },
    );
    return error;
  }
  const failed = report.outcomes.filter((o) => isFailure(o.state));
  if (failed.length > 0) {
    const others = report.outcomes.filter((o) => !isFailure(o.state)).map(describeOutcome);
    return new DeploymentFailedError(`deployment failed: ${[...failed.map(describeOutcome), ...others].join("; ")}`, options);
  }
  if (report.ended === "deadline") {
    return new WaitTimeoutError(`timed out after ${formatDuration(report.elapsedMs)}; state at the deadline: ${report.outcomes.map(describeOutcome).join("; ")}`, options);
  }
  return undefined;
}
