/**
 * `ecs-release run-task` (cli.md): one task from a revision, waited for until it is STOPPED.
 *
 * Phases: prepare (the reads — revision, service to copy or cluster — and the plan, core/run-task-plan.ts:
 * nothing is written before it holds), launch (RunTask), wait (DescribeTasks until STOPPED or the
 * deadline), judge (the verdict: succeeded, failed — the revision's fault or the infrastructure's —
 * or timed out). release --pre-deploy-command runs its task through prepareTask and startPreparedTask.
 */
import type { Task } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { checkCluster, describeRunnableTaskDefinition, describeServiceToCopy, startTask, waitForTaskToStop, type TaskWaitEnd } from "../aws/tasks.js";
import type { Clock } from "../core/clock.js";
import { formatDuration } from "../core/duration.js";
import { DeploymentFailedError, InterruptedError, isInterruptedError, WaitTimeoutError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";
import { snapshotReferences, snapshotValues } from "../core/secret-snapshot.js";
import { secretVersionString } from "../aws/secrets-manager.js";
import { recordedSecretValues } from "../core/diff.js";
import { recordedSecureNames } from "../core/tags.js";
import type { ContainerDefinitionInput } from "../core/template.js";
import { followTaskLog, type LiveTaskLog } from "./task-logs.js";
import { logNotShownLine } from "../core/task-logs.js";
import { describeTaskHint, type RequestedCapacity } from "../core/run-task-input.js";
import {
  describeLaunch,
  judgeOneOffTask,
  oneOffTaskReport,
  planOneOffTask,
  startedOneOffTask,
  type OneOffTaskFlagNames,
  type OneOffTaskPlan,
  type OneOffTaskReport,
  type OneOffTaskState,
  type StartedOneOffTask,
} from "../core/run-task-plan.js";

/** What `ecs-release run-task` (or `release --pre-deploy-command`) was asked to run. */
export interface RunTaskOptions {
  readonly cluster: string;
  /** `FAMILY` (latest ACTIVE revision), `FAMILY:REV` or a task definition ARN. */
  readonly taskDefinition: string;
  /** The container that gets the command and whose exit code decides (see chooseTaskContainer). */
  readonly container?: string;
  /** argv of the container's command override (already split); undefined runs the definition's command. */
  readonly command?: readonly string[];
  /** A service to copy network configuration, launch type or capacity providers and placement from. */
  readonly likeService?: string;
  /** `--launch-type` / `--capacity-provider-strategy`; default: the service's capacity without FARGATE_SPOT. */
  readonly capacity?: RequestedCapacity;
  /** `--enable-execute-command`: ECS Exec on even when the service has it off. */
  readonly enableExecuteCommand?: boolean;
  /** The revision was registered moments ago (pre-deploy): ECS may not show it yet, so that is retried. */
  readonly justRegistered?: boolean;
  /** What the task is called in progress lines, e.g. "pre-deploy task" (default "task"). */
  readonly label?: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Flag names for messages, when the options come from other flags (release's --pre-deploy-*). */
  readonly flagNames?: OneOffTaskFlagNames;
}

/** What run-task needs from outside. */
export interface RunTaskDeps {
  readonly aws: Pick<AwsClients, "ecs" | "logs" | "secretsManager" | "region">;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Learns the revision's SecureString values (its release record), so its live log is masked. */
  readonly redactor?: Redactor;
}

/** The result document (`--json`, core/run-task-plan.ts), also attached to the error when the task fails or times out. */
export type RunTaskResult = OneOffTaskReport;

/** A one-off task checked and ready to start: everything is read, nothing written yet. */
export interface PreparedTask extends OneOffTaskPlan {
  readonly options: RunTaskOptions;
}

/**
 * Reads what the task needs — the task definition (resolved to its ARN), the cluster, or the service
 * to copy — and plans it (planOneOffTask: the container, the capacity, the RunTask input). Writes
 * nothing; every problem is a ValidationError (exit 2).
 */
export async function prepareTask(options: RunTaskOptions, deps: RunTaskDeps): Promise<PreparedTask> {
  const names = options.flagNames ?? {};
  const fresh = options.justRegistered ? deps : undefined;
  const [revision, likeService, clusterDefaultStrategy] = await Promise.all([
    describeRunnableTaskDefinition(deps.aws, options.taskDefinition, names.taskDefinition, fresh),
    options.likeService === undefined ? undefined : describeServiceToCopy(deps.aws, options.cluster, options.likeService, names.likeService),
    options.likeService === undefined ? checkCluster(deps.aws, options.cluster) : undefined,
  ]);
  // The values its release recorded as SecureStrings (inline environment): masked in everything printed, the live log included.
  const containers = (revision.definition.containerDefinitions ?? []) as ContainerDefinitionInput[];
  for (const value of recordedSecretValues(containers, recordedSecureNames(revision.tags))) deps.redactor?.add(value);
  for (const value of await snapshotSecretValues(containers, deps)) deps.redactor?.add(value);
  return { options, ...planOneOffTask(options, { revision, likeService, clusterDefaultStrategy }) };
}

/**
 * The values the revision references in ecs-release's Secrets Manager snapshots (--secure-strings
 * secretsmanager): the task gets them at start and may print them, so they are read (GetSecretValue,
 * the version the revision pins) only to be masked. None without a redactor.
 */
async function snapshotSecretValues(containers: readonly ContainerDefinitionInput[], deps: RunTaskDeps): Promise<string[]> {
  if (deps.redactor === undefined) return [];
  const references = snapshotReferences(containers);
  const documents = await Promise.all(references.map((r) => secretVersionString(deps.aws, r.secretArn, r.versionId, deps.signal)));
  return references.flatMap((reference, i) => snapshotValues(documents[i] ?? "", reference.keys));
}

/** A started task and how to look at it. */
interface LaunchedTask extends StartedOneOffTask {
  /** The task as RunTask returned it. */
  readonly task: Task;
  /** `aws ecs describe-tasks …` and the logs. */
  readonly hint: string;
  /** How to open a shell in it (ECS Exec on), else "". */
  readonly exec: string;
}

/** Builds the result document at a moment of the run. */
type Report = (started: StartedOneOffTask | undefined, state: OneOffTaskState) => RunTaskResult;

/**
 * Starts a prepared task and waits until it is STOPPED. Returns the result when the decisive
 * container exited 0; throws DeploymentFailedError (exit 1: exit code and stopped reason) when it did
 * not, WaitTimeoutError (exit 4) at the deadline — the task keeps running, and the message says how
 * to look at it — and InterruptedError on a signal; each with the result attached.
 */
export async function startPreparedTask(prepared: PreparedTask, deps: RunTaskDeps): Promise<RunTaskResult> {
  const { options } = prepared;
  const { log, clock } = deps;
  if (prepared.capacityNote) log.info(prepared.capacityNote);
  log.info(`running ${prepared.taskDefinitionName} in cluster ${options.cluster}: ${describeLaunch(prepared, options)}`);
  const startedAt = clock.now();
  const report: Report = (started, state) => oneOffTaskReport(prepared, options, started, state, { region: deps.aws.region, durationMs: clock.now() - startedAt });
  const launched = await launchTask(prepared, deps, report);
  const live = liveLogOf(prepared, launched, deps);
  const { end, lastTask } = await waitUntilStopped(prepared, launched, startedAt, deps, report, live);
  return judgeTask(prepared, launched, end, lastTask, { ...deps, startedAt }, withLogTail(report, live));
}

/** Phase start: RunTask. No task started (failures[]) is a DeploymentFailedError, the infrastructure's fault. */
async function launchTask(prepared: PreparedTask, deps: RunTaskDeps, report: Report): Promise<LaunchedTask> {
  const { options, input, container } = prepared;
  const region = deps.aws.region;
  const run = await startTask(deps.aws, input, options.justRegistered ? deps : undefined);
  if (run.task === undefined) {
    // Not the revision's fault: ECS found no place for the task (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
    throw new DeploymentFailedError(`RunTask ${prepared.taskDefinitionName} in cluster ${options.cluster} started no task: ${run.reason}`, {
      result: report(undefined, { status: "not-started", task: undefined, reason: run.reason, blame: "infrastructure" }),
    });
  }
  const started = startedOneOffTask(prepared, run.task.taskArn ?? "");
  const hint = describeTaskHint(options.cluster, started.taskArn, region, started.logs, prepared.logDefinition?.logConfiguration?.logDriver);
  const exec = input.enableExecuteCommand
    ? `; a shell in it: aws ecs execute-command --region ${region} --cluster ${options.cluster} --task ${started.taskArn} --container ${container} --interactive --command /bin/sh`
    : "";
  deps.log.info(`${options.label ?? "task"} ${started.taskId} started; ${hint}${exec}`);
  return { ...started, task: run.task, hint, exec };
}

/**
 * The task's live log (awslogs with a stream prefix, in this region): read while it runs and once
 * more after it stops. Another driver (FireLens, splunk, …) is named and skipped.
 */
function liveLogOf(prepared: PreparedTask, launched: LaunchedTask, deps: RunTaskDeps): LiveTaskLog | undefined {
  const driver = prepared.logDefinition?.logConfiguration?.logDriver;
  const where = launched.logs;
  if (where === undefined || (where.region !== undefined && where.region !== deps.aws.region)) {
    if (driver !== undefined) deps.log.info(logNotShownLine(prepared.container, driver));
    return undefined;
  }
  return followTaskLog({ container: prepared.container, group: where.group, stream: where.stream }, deps);
}

/** The report with the live log's last lines (null without a live log). */
function withLogTail(report: Report, live: LiveTaskLog | undefined): Report {
  return (started, state) => ({ ...report(started, state), logTail: live === undefined ? null : [...live.tail().lines] });
}

/** Phase wait: DescribeTasks until STOPPED or the deadline; a signal ends it with InterruptedError (the task is not stopped). */
async function waitUntilStopped(prepared: PreparedTask, launched: LaunchedTask, startedAt: number, deps: RunTaskDeps, report: Report, live: LiveTaskLog | undefined): Promise<{ end: TaskWaitEnd; lastTask: Task | undefined }> {
  const { options, container } = prepared;
  const label = options.label ?? "task";
  let lastTask: Task | undefined = launched.task;
  const onStatus = (status: string, described: Task | undefined): void => {
    lastTask = described ?? lastTask;
    if (status !== "STOPPED") deps.log.info(`task ${launched.taskId}: ${status}`);
  };
  try {
    const what = `${label} ${launched.taskId} (container ${container})`;
    const afterPoll = live === undefined ? undefined : () => live.read();
    const wait = { cluster: options.cluster, taskArn: launched.taskArn, container, deadline: startedAt + options.timeoutMs, pollIntervalMs: options.pollIntervalMs, essential: prepared.essential, what, onStatus, ...(afterPoll ? { afterPoll } : {}) };
    const end = await waitForTaskToStop(deps.aws, wait, deps);
    // Once more after the task stopped (or the deadline): the last lines are not lost.
    await live?.read(true);
    return { end, lastTask };
  } catch (error) {
    if (!isInterruptedError(error)) throw error;
    throw new InterruptedError(
      `interrupted while waiting for ${label} ${launched.taskId}; the task was not stopped (aws ecs stop-task --region ${deps.aws.region} --cluster ${options.cluster} --task ${launched.taskArn} would): ${launched.hint}`,
      { cause: error, result: report(launched, { status: "interrupted", task: lastTask }) },
    );
  }
}

/** Phase judge: the verdict (judgeOneOffTask) as the result, or as the error that carries it. */
function judgeTask(prepared: PreparedTask, launched: LaunchedTask, end: TaskWaitEnd, lastTask: Task | undefined, deps: RunTaskDeps & { startedAt: number }, report: Report): RunTaskResult {
  const { options, container } = prepared;
  const verdict = judgeOneOffTask(end.outcome);
  const { taskId, taskArn, hint } = launched;
  if (verdict.status === "succeeded") {
    deps.log.info(`task ${taskId} stopped: container ${container} exited with code 0 after ${formatDuration(deps.clock.now() - deps.startedAt)}`);
    return report(launched, { status: "succeeded", task: end.task, exitCode: 0 });
  }
  if (verdict.status === "failed") {
    const said = report(launched, { status: "failed", task: end.task }).logTail?.filter((line) => line.trim() !== "").at(-1);
    throw new DeploymentFailedError(`task ${taskId} failed: ${verdict.reason}${said !== undefined ? `; its log ends: ${JSON.stringify(said)}` : ""}; ${hint}`, {
      result: report(launched, { status: "failed", task: end.task, exitCode: verdict.exitCode, reason: verdict.reason, blame: verdict.blame }),
    });
  }
  throw new WaitTimeoutError(
    `task ${taskId} is still ${verdict.lastStatus} after ${formatDuration(options.timeoutMs)} (ecs-release did not stop it; aws ecs stop-task --region ${deps.aws.region} --cluster ${options.cluster} --task ${taskArn} would); ${hint}${launched.exec}`,
    { result: report(launched, { status: "timed-out", task: end.task ?? lastTask, lastStatus: verdict.lastStatus }) },
  );
}

/** Prepares and runs a one-off task to its end (see prepareTask and startPreparedTask). */
export async function run(options: RunTaskOptions, deps: RunTaskDeps): Promise<RunTaskResult> {
  return startPreparedTask(await prepareTask(options, deps), deps);
}
