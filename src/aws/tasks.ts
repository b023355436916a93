import {
  type CapacityProviderStrategyItem,
  type Failure,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../core/clock.js";
import { awsErrorCode, clusterForTaskNotFoundError, serviceToCopyNotFoundError, taskDefinitionFlagError } from "../core/aws-errors.js";
import { InterruptedError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { readTaskOutcome, taskNotReturnedLine, taskWaitProgressLine, unseenRevisionRetryLine, type TaskOutcome } from "../core/task-outcome.js";
import { awsCall } from "./call.js";
import { pollingClient, type AwsClients } from "./clients.js";

/**
 * The one-off task I/O: look up what to run and where, RunTask, and wait for the task to stop by
 * polling DescribeTasks against a deadline of our own (deps.clock), so a wait is testable without
 * sleeping and ends exactly at the deadline. ECS keeps stopped tasks visible for about an hour.
 */

/** A task definition revision to run, resolved to its ARN. */
export interface RunnableTaskDefinition {
  readonly arn: string;
  /** `family:revision` */
  readonly name: string;
  readonly definition: TaskDefinition;
}

/**
 * How often a call naming a revision registered moments ago is tried while ECS answers ClientException
 * "Unable to describe task definition.": the ECS API is eventually consistent ("the result of an API
 * command you run that affects your Amazon ECS resources might not be immediately visible to all
 * subsequent commands you run", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
 * Waits of 1, 2, 4 and 8 s: at most 15 s, then the error stands.
 */
export const UNSEEN_REVISION_RETRIES = { attempts: 5, firstDelayMs: 1_000 } as const;

/** For a revision this run registered: retry ClientException "Unable to describe task definition." (see UNSEEN_REVISION_RETRIES). */
export interface JustRegistered {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** True for ECS's answer about a task definition it does not (yet) know. */
export function isUnknownTaskDefinition(error: unknown): boolean {
  return awsErrorCode(error) === "ClientException" && /unable to describe task definition/i.test(error instanceof Error ? error.message : String(error));
}

/** Runs `call`; for a just-registered revision, retries it (bounded) while ECS does not know the revision yet. */
async function seeingNewRevision<T>(call: () => Promise<T>, what: string, fresh: JustRegistered | undefined): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (fresh === undefined || attempt >= UNSEEN_REVISION_RETRIES.attempts || !isUnknownTaskDefinition(error) || fresh.signal.aborted) throw error;
      const delay = UNSEEN_REVISION_RETRIES.firstDelayMs * 2 ** (attempt - 1);
      fresh.log.info(unseenRevisionRetryLine(what, delay));
      try {
        await fresh.clock.sleep(delay, fresh.signal);
      } catch {
        throw interrupted(fresh.signal);
      }
    }
  }
}

/**
 * DescribeTaskDefinition of `FAMILY`, `FAMILY:REV` or an ARN; a missing one is bad input (exit 2).
 * With `fresh` (a revision this run just registered) a ClientException is retried first.
 */
export async function describeRunnableTaskDefinition(aws: Pick<AwsClients, "ecs">, reference: string, flag = "--task-definition", fresh?: JustRegistered): Promise<RunnableTaskDefinition> {
  let definition: TaskDefinition | undefined;
  try {
    definition = (await seeingNewRevision(() => aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference })), `DescribeTaskDefinition ${reference}`, fresh)).taskDefinition;
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for a family or revision that does not exist.
    if (awsErrorCode(error) === "ClientException") {
      throw taskDefinitionFlagError(flag, reference, "unknown", error);
    }
    return awsCall("DescribeTaskDefinition", reference, () => Promise.reject(error));
  }
  if (!definition?.taskDefinitionArn) throw taskDefinitionFlagError(flag, reference, "missing");
  if (definition.status === "DELETE_IN_PROGRESS") throw taskDefinitionFlagError(flag, reference, "deleting");
  return { arn: definition.taskDefinitionArn, name: `${definition.family}:${definition.revision}`, definition };
}

/** The service a one-off task copies its launch settings from; a missing cluster or service is bad input (exit 2). */
export async function describeServiceToCopy(aws: Pick<AwsClients, "ecs">, cluster: string, service: string, flag = "--like-service"): Promise<Service> {
  let answer;
  try {
    // The service's tags, for a service that propagates them to its tasks (RunTask gets them as `tags`).
    answer = await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ["TAGS"] }));
  } catch (error) {
    if (awsErrorCode(error) === "ClusterNotFoundException") throw clusterForTaskNotFoundError(cluster, error);
    return awsCall("DescribeServices", `${cluster}/${service}`, () => Promise.reject(error));
  }
  const found = answer.services?.find((candidate) => candidate.serviceName === service || candidate.serviceArn === service);
  if (found === undefined || found.status !== "ACTIVE") {
    throw serviceToCopyNotFoundError(flag, service, cluster, found !== undefined);
  }
  return found;
}

/**
 * Checks that the cluster exists and is ACTIVE (exit 2 otherwise), before anything is written.
 * Returns its default capacity provider strategy (what RunTask uses without launch type or strategy).
 */
export async function checkCluster(aws: Pick<AwsClients, "ecs">, cluster: string): Promise<CapacityProviderStrategyItem[] | undefined> {
  const answer = await awsCall("DescribeClusters", cluster, () => aws.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })));
  const found = answer.clusters?.find((candidate) => candidate.clusterName === cluster || candidate.clusterArn === cluster);
  if (found === undefined || found.status !== "ACTIVE") throw clusterForTaskNotFoundError(cluster);
  return found.defaultCapacityProviderStrategy?.length ? found.defaultCapacityProviderStrategy : undefined;
}

/**
 * RunTask: the task, or — when ECS could place none — the `failures[]` it answered with (no capacity,
 * RESOURCE:MEMORY, …: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html)
 * and one line saying so. With `fresh`, a revision ECS does not show yet is retried first.
 */
export async function startTask(
  aws: Pick<AwsClients, "ecs">,
  input: RunTaskCommandInput,
  fresh?: JustRegistered,
): Promise<{ readonly task: Task; readonly failures?: undefined } | { readonly task?: undefined; readonly failures: readonly Failure[]; readonly reason: string }> {
  const answer = await awsCall("RunTask", `${input.cluster}/${input.taskDefinition}`, () =>
    seeingNewRevision(() => aws.ecs.send(new RunTaskCommand(input)), `RunTask ${input.taskDefinition}`, fresh),
  );
  const task = answer.tasks?.[0];
  if (task?.taskArn) return { task };
  const failures = answer.failures ?? [];
  const reason = failures.length > 0 ? failures.map((failure) => [failure.reason, failure.detail].filter(Boolean).join(": ")).join("; ") : "no task and no failure in the answer";
  return { failures, reason };
}

/**
 * The tasks ecs-release started (startedBy {@link STARTED_BY}) that are still running in `cluster`
 * from a revision of `family`. ListTasks allows startedBy only as its sole filter ("When you specify
 * startedBy as the filter, it must be the only filter that you use",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html), so the family is
 * checked on DescribeTasks (100 tasks per call).
 */
export async function findRunningOneOffTasks(aws: Pick<AwsClients, "ecs">, cluster: string, startedBy: string, family: string, signal?: AbortSignal): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall("ListTasks", `${cluster} startedBy ${startedBy}`, () =>
      aws.ecs.send(new ListTasksCommand({ cluster, startedBy, ...(nextToken ? { nextToken } : {}) }), signal ? { abortSignal: signal } : {}),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const found: Task[] = [];
  for (let index = 0; index < arns.length; index += 100) {
    const tasks = arns.slice(index, index + 100);
    const answer = await awsCall("DescribeTasks", `${cluster} ${tasks.length} tasks`, () => aws.ecs.send(new DescribeTasksCommand({ cluster, tasks }), signal ? { abortSignal: signal } : {}));
    for (const task of answer.tasks ?? []) {
      const taskFamily = /:task-definition\/([^:]+):\d+$/.exec(task.taskDefinitionArn ?? "")?.[1];
      if (taskFamily === family && task.lastStatus !== "STOPPED" && task.desiredStatus !== "STOPPED") found.push(task);
    }
  }
  return found;
}

/** How a wait ended: the task stopped (succeeded or failed), or it was still going at the deadline. */
export type TaskWaitEnd =
  | { readonly outcome: Extract<TaskOutcome, { state: "succeeded" | "failed" }>; readonly task: Task }
  | { readonly outcome: { readonly state: "timed-out"; readonly last: TaskOutcome }; readonly task: Task | undefined };

/** What waiting for a task needs. */
export interface TaskWaitOptions {
  readonly cluster: string;
  readonly taskArn: string;
  /** The container whose exit code decides. */
  readonly container: string;
  /** Epoch milliseconds (deps.clock) after which the wait ends with `timed-out`. */
  readonly deadline: number;
  readonly pollIntervalMs: number;
  /** The task definition's essential containers: a failed one fails the task (see taskOutcome). */
  readonly essential?: readonly string[];
  /** Called with every change of the task's status (PROVISIONING, PENDING, RUNNING, ...). */
  readonly onStatus?: (status: string, task: Task | undefined) => void;
  /** What the task is, for the progress line (e.g. "pre-deploy task abc (container app)"). */
  readonly what?: string;
  /** The longest silence: a progress line at least this often, even when nothing changes (default 60 s). */
  readonly progressEveryMs?: number;
}

/**
 * A wait prints at least once a minute, so CI's no-output timeouts (CircleCI's no_output_timeout)
 * never kill a healthy wait: https://circleci.com/docs/configuration-reference/#run
 */
export const TASK_PROGRESS_EVERY_MS = 60_000;

/**
 * Polls DescribeTasks until the task is STOPPED or the deadline passes. Tolerates the task missing
 * from an answer (eventual consistency right after RunTask) until the deadline. Never stops the task.
 * Throws InterruptedError when `signal` aborts, and AwsCallError when DescribeTasks fails after retries.
 */
export async function waitForTaskToStop(aws: Pick<AwsClients, "ecs"> & Partial<Pick<AwsClients, "ecsPoll">>, options: TaskWaitOptions, deps: { readonly clock: Clock; readonly signal: AbortSignal; readonly log: Logger }): Promise<TaskWaitEnd> {
  let lastStatus: string | undefined;
  const progressEvery = options.progressEveryMs ?? TASK_PROGRESS_EVERY_MS;
  const started = deps.clock.now();
  let spokeAt = started;
  for (;;) {
    if (deps.signal.aborted) throw interrupted(deps.signal);
    const answer = await awsCall("DescribeTasks", options.taskArn, () =>
      pollingClient(aws).ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [options.taskArn] }), { abortSignal: deps.signal }),
    );
    const task = answer.tasks?.find((candidate) => candidate.taskArn === options.taskArn);
    const outcome = readTaskOutcome(answer, options.taskArn, options.container, options.essential ?? []);
    const status = outcome.state === "running" ? outcome.lastStatus : outcome.state === "unknown" ? "UNKNOWN" : "STOPPED";
    const now = deps.clock.now();
    if (status !== lastStatus) {
      lastStatus = status;
      if (outcome.state === "unknown") deps.log.debug(taskNotReturnedLine(options.taskArn, outcome.reason));
      options.onStatus?.(status, task);
      spokeAt = now;
    }
    if ((outcome.state === "succeeded" || outcome.state === "failed") && task) return { outcome, task };
    if (now >= options.deadline) return { outcome: { state: "timed-out", last: outcome }, task };
    if (now - spokeAt >= progressEvery) {
      deps.log.info(taskWaitProgressLine({ what: options.what, taskArn: options.taskArn, status, elapsedMs: now - started, leftMs: options.deadline - now }));
      spokeAt = now;
    }
    try {
      await deps.clock.sleep(Math.max(0, Math.min(options.pollIntervalMs, options.deadline - now, progressEvery - (now - spokeAt))), deps.signal);
    } catch (error) {
      if (deps.signal.aborted) throw interrupted(deps.signal);
      throw error;
    }
  }
}

function interrupted(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError("interrupted", { cause: signal.reason });
}
