import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../core/clock.js";
import { DeploymentFailedError, InterruptedError, ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { readTaskOutcome, type TaskOutcome } from "../core/task-outcome.js";
import { awsCall, awsErrorCode } from "./call.js";
import type { AwsClients } from "./clients.js";

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

/** DescribeTaskDefinition of `FAMILY`, `FAMILY:REV` or an ARN; a missing one is bad input (exit 2). */
export async function describeRunnableTaskDefinition(aws: Pick<AwsClients, "ecs">, reference: string, flag = "--task-definition"): Promise<RunnableTaskDefinition> {
  let definition: TaskDefinition | undefined;
  try {
    definition = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }))).taskDefinition;
  } catch (error) {
    // ECS answers ClientException "Unable to describe task definition." for a family or revision that does not exist.
    if (awsErrorCode(error) === "ClientException") {
      throw new ValidationError(`${flag} ${reference}: no such task definition in this account and region (check the family, the revision and --region)`, { cause: error });
    }
    return awsCall("DescribeTaskDefinition", reference, () => Promise.reject(error));
  }
  if (!definition?.taskDefinitionArn) throw new ValidationError(`${flag} ${reference}: no such task definition`);
  if (definition.status === "DELETE_IN_PROGRESS") throw new ValidationError(`${flag} ${reference}: the revision is being deleted`);
  return { arn: definition.taskDefinitionArn, name: `${definition.family}:${definition.revision}`, definition };
}

/** The service a one-off task copies its launch settings from; a missing cluster or service is bad input (exit 2). */
export async function describeServiceToCopy(aws: Pick<AwsClients, "ecs">, cluster: string, service: string, flag = "--like-service"): Promise<Service> {
  let answer;
  try {
    answer = await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (error) {
    if (awsErrorCode(error) === "ClusterNotFoundException") throw clusterNotFound(cluster, error);
    return awsCall("DescribeServices", `${cluster}/${service}`, () => Promise.reject(error));
  }
  const found = answer.services?.find((candidate) => candidate.serviceName === service || candidate.serviceArn === service);
  if (found === undefined || found.status !== "ACTIVE") {
    throw new ValidationError(`${flag} ${service}: no ${found ? "ACTIVE " : ""}service of that name in cluster ${cluster}`);
  }
  return found;
}

/** Checks that the cluster exists and is ACTIVE (exit 2 otherwise), before anything is written. */
export async function checkCluster(aws: Pick<AwsClients, "ecs">, cluster: string): Promise<void> {
  const answer = await awsCall("DescribeClusters", cluster, () => aws.ecs.send(new DescribeClustersCommand({ clusters: [cluster] })));
  const found = answer.clusters?.find((candidate) => candidate.clusterName === cluster || candidate.clusterArn === cluster);
  if (found === undefined || found.status !== "ACTIVE") throw clusterNotFound(cluster);
}

function clusterNotFound(cluster: string, cause?: unknown): ValidationError {
  return new ValidationError(`cluster ${cluster} does not exist in this account and region (check --cluster and --region)`, { cause });
}

/** RunTask; a task ECS could not place (capacity, ENIs, ...) fails the one-off task (exit 1). */
export async function startTask(aws: Pick<AwsClients, "ecs">, input: RunTaskCommandInput): Promise<Task> {
  const answer = await awsCall("RunTask", `${input.cluster}/${input.taskDefinition}`, () => aws.ecs.send(new RunTaskCommand(input)));
  const task = answer.tasks?.[0];
  if (task?.taskArn) return task;
  const failure = answer.failures?.[0];
  const reason = failure ? [failure.reason, failure.detail].filter(Boolean).join(": ") : "no task and no failure in the answer";
  throw new DeploymentFailedError(`RunTask ${input.taskDefinition} in cluster ${input.cluster} started no task: ${reason}`);
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
  /** Called with every change of the task's status (PROVISIONING, PENDING, RUNNING, ...). */
  readonly onStatus?: (status: string, task: Task | undefined) => void;
}

/**
 * Polls DescribeTasks until the task is STOPPED or the deadline passes. Tolerates the task missing
 * from an answer (eventual consistency right after RunTask) until the deadline. Never stops the task.
 * Throws InterruptedError when `signal` aborts, and AwsCallError when DescribeTasks fails after retries.
 */
export async function waitForTaskToStop(aws: Pick<AwsClients, "ecs">, options: TaskWaitOptions, deps: { readonly clock: Clock; readonly signal: AbortSignal; readonly log: Logger }): Promise<TaskWaitEnd> {
  let lastStatus: string | undefined;
  for (;;) {
    if (deps.signal.aborted) throw interrupted(deps.signal);
    const answer = await awsCall("DescribeTasks", options.taskArn, () =>
      aws.ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [options.taskArn] }), { abortSignal: deps.signal }),
    );
    const task = answer.tasks?.find((candidate) => candidate.taskArn === options.taskArn);
    const outcome = readTaskOutcome(answer, options.taskArn, options.container);
    const status = outcome.state === "running" ? outcome.lastStatus : outcome.state === "unknown" ? "UNKNOWN" : "STOPPED";
    if (status !== lastStatus) {
      lastStatus = status;
      if (outcome.state === "unknown") deps.log.debug(`DescribeTasks did not return ${options.taskArn} (${outcome.reason}); still waiting`);
      options.onStatus?.(status, task);
    }
    if ((outcome.state === "succeeded" || outcome.state === "failed") && task) return { outcome, task };
    const now = deps.clock.now();
    if (now >= options.deadline) return { outcome: { state: "timed-out", last: outcome }, task };
    try {
      await deps.clock.sleep(Math.min(options.pollIntervalMs, options.deadline - now), deps.signal);
    } catch (error) {
      if (deps.signal.aborted) throw interrupted(deps.signal);
      throw error;
    }
  }
}

function interrupted(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError("interrupted", { cause: signal.reason });
}
