import type { NetworkConfiguration, RunTaskCommandInput, Task } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { checkCluster, describeRunnableTaskDefinition, describeServiceToCopy, startTask, waitForTaskToStop } from "../aws/tasks.js";
import type { Clock } from "../core/clock.js";
import { formatCommandLine } from "../core/command-line.js";
import { formatDuration } from "../core/duration.js";
import { DeploymentFailedError, InterruptedError, isEcsReleaseError, WaitTimeoutError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { buildRunTaskInput, describeTaskHint, taskLogLocation, type TaskLogLocation } from "../core/run-task-input.js";
import { chooseTaskContainer, taskIdOf } from "../core/task-outcome.js";

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
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Flag names for messages, when the options come from other flags (release's --pre-deploy-*). */
  readonly flagNames?: { readonly container?: string; readonly likeService?: string; readonly taskDefinition?: string };
}

/** What run-task needs from outside. */
export interface RunTaskDeps {
  readonly aws: Pick<AwsClients, "ecs" | "region">;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** The result document (`--json`), also attached to the error when the task fails or times out. */
export interface RunTaskResult {
  readonly cluster: string;
  /** The task definition ARN that ran. */
  readonly taskDefinition: string;
  readonly container: string;
  /** The command override, or null when the definition's command ran. */
  readonly command: readonly string[] | null;
  readonly likeService: string | null;
  /** What the task was started with: launch type or capacity providers, and network configuration. */
  readonly launch: {
    readonly launchType: string | null;
    readonly capacityProviderStrategy: RunTaskCommandInput["capacityProviderStrategy"] | null;
    readonly platformVersion: string | null;
    readonly networkConfiguration: NetworkConfiguration | null;
  };
  readonly taskArn: string;
  readonly taskId: string;
  /** How the wait ended. */
  readonly status: "succeeded" | "failed" | "timed-out" | "interrupted";
  /** The task's last known lastStatus (STOPPED unless timed out or interrupted). */
  readonly lastStatus: string | null;
  /** The decisive container's exit code; null when it did not run to one (or has not yet). */
  readonly exitCode: number | null;
  readonly reason: string | null;
  readonly stoppedReason: string | null;
  readonly stopCode: string | null;
  /** Milliseconds from RunTask to the end of the wait. */
  readonly durationMs: number;
  /** `aws ecs describe-tasks …` for this task. */
  readonly describeCommand: string;
  /** The container's CloudWatch log group and stream (awslogs driver), or null. */
  readonly logs: TaskLogLocation | null;
}

/** A one-off task checked and ready to start: everything is read, nothing written yet. */
export interface PreparedTask {
  readonly options: RunTaskOptions;
  readonly taskDefinitionName: string;
  readonly container: string;
  readonly input: RunTaskCommandInput;
  readonly logDefinition: Parameters<typeof taskLogLocation>[0];
}

/**
 * Reads and checks what the task needs — the task definition (resolved to its ARN, the container
 * there), the cluster, or the service to copy — and builds the RunTask input. Writes nothing; every
 * problem is a ValidationError (exit 2).
 */
export async function prepareTask(options: RunTaskOptions, deps: RunTaskDeps): Promise<PreparedTask> {
  const names = options.flagNames ?? {};
  const [revision, service] = await Promise.all([
    describeRunnableTaskDefinition(deps.aws, options.taskDefinition, names.taskDefinition),
    options.likeService === undefined ? checkCluster(deps.aws, options.cluster).then(() => undefined) : describeServiceToCopy(deps.aws, options.cluster, options.likeService, names.likeService),
  ]);
  const definitions = revision.definition.containerDefinitions ?? [];
  const container = chooseTaskContainer(definitions, options.container, {
    forCommand: options.command !== undefined,
    family: revision.name,
    ...(names.container ? { flag: names.container } : {}),
  });
  const input = buildRunTaskInput(
    {
      cluster: options.cluster,
      taskDefinitionArn: revision.arn,
      networkMode: revision.definition.networkMode,
      container,
      command: options.command,
      likeService: service,
    },
    names.likeService,
  );
  return { options, taskDefinitionName: revision.name, container, input, logDefinition: definitions.find((definition) => definition.name === container) };
}

/**
 * Starts a prepared task and waits until it is STOPPED. Returns the result when the decisive
 * container exited 0; throws DeploymentFailedError (exit 1: exit code and stopped reason) when it did
 * not, WaitTimeoutError (exit 4) at the deadline — the task keeps running, and the message says how
 * to look at it — and InterruptedError on a signal; each with the result attached.
 */
export async function startPreparedTask(prepared: PreparedTask, deps: RunTaskDeps): Promise<RunTaskResult> {
  const { options, input, container } = prepared;
  const { log, clock } = deps;
  log.info(`running ${prepared.taskDefinitionName} in cluster ${options.cluster}: ${describeLaunch(prepared)}`);
  const started = clock.now();
  const task = await startTask(deps.aws, input);
  const taskArn = task.taskArn as string;
  const taskId = taskIdOf(taskArn);
  const logs = taskLogLocation(prepared.logDefinition, taskId);
  const hint = describeTaskHint(options.cluster, taskArn, deps.aws.region, logs, prepared.logDefinition?.logConfiguration?.logDriver);
  log.info(`task ${taskId} started; ${hint}`);

  const result = (status: RunTaskResult["status"], last: Task | undefined, extra: { exitCode?: number | undefined; reason?: string; lastStatus?: string }): RunTaskResult => ({
    cluster: options.cluster,
    taskDefinition: input.taskDefinition as string,
    container,
    command: options.command ? [...options.command] : null,
    likeService: options.likeService ?? null,
    launch: {
      launchType: input.launchType ?? null,
      capacityProviderStrategy: input.capacityProviderStrategy ?? null,
      platformVersion: input.platformVersion ?? null,
      networkConfiguration: input.networkConfiguration ?? null,
    },
    taskArn,
    taskId,
    status,
    lastStatus: extra.lastStatus ?? last?.lastStatus ?? null,
    exitCode: extra.exitCode ?? null,
    reason: extra.reason ?? null,
    stoppedReason: last?.stoppedReason ?? null,
    stopCode: last?.stopCode ?? null,
    durationMs: clock.now() - started,
    describeCommand: `aws ecs describe-tasks --region ${deps.aws.region} --cluster ${options.cluster} --tasks ${taskArn}`,
    logs: logs ?? null,
  });

  let lastTask: Task | undefined = task;
  let end;
  try {
    end = await waitForTaskToStop(
      deps.aws,
      {
        cluster: options.cluster,
        taskArn,
        container,
        deadline: started + options.timeoutMs,
        pollIntervalMs: options.pollIntervalMs,
        onStatus: (status, described) => {
          lastTask = described ?? lastTask;
          if (status !== "STOPPED") log.info(`task ${taskId}: ${status}`);
        },
      },
      deps,
    );
  } catch (error) {
    if (error instanceof InterruptedError || (isEcsReleaseError(error) && error.name === "InterruptedError")) {
      throw new InterruptedError(`interrupted while waiting for task ${taskId}; the task was not stopped: ${hint}`, {
        cause: error,
        result: result("interrupted", lastTask, {}),
      });
    }
    throw error;
  }

  const { outcome } = end;
  if (outcome.state === "succeeded") {
    log.info(`task ${taskId} stopped: container ${container} exited with code 0 after ${formatDuration(clock.now() - started)}`);
    return result("succeeded", end.task, { exitCode: 0 });
  }
  if (outcome.state === "failed") {
    throw new DeploymentFailedError(`task ${taskId} failed: ${outcome.reason}; ${hint}`, {
      result: result("failed", end.task, { exitCode: outcome.exitCode, reason: outcome.reason }),
    });
  }
  const status = outcome.last.state === "running" ? outcome.last.lastStatus : "not found by DescribeTasks";
  throw new WaitTimeoutError(
    `task ${taskId} is still ${status} after ${formatDuration(options.timeoutMs)} (ecs-release did not stop it; aws ecs stop-task --cluster ${options.cluster} --task ${taskArn} would); ${hint}`,
    { result: result("timed-out", end.task ?? lastTask, { lastStatus: status }) },
  );
}

/** Prepares and runs a one-off task to its end (see prepareTask and startPreparedTask). */
export async function run(options: RunTaskOptions, deps: RunTaskDeps): Promise<RunTaskResult> {
  return startPreparedTask(await prepareTask(options, deps), deps);
}

function describeLaunch(prepared: PreparedTask): string {
  const { input, container, options } = prepared;
  const what = options.command ? `container ${container} runs ${formatCommandLine(options.command)}` : `container ${container} runs its own command`;
  const how = input.capacityProviderStrategy
    ? `capacity providers ${input.capacityProviderStrategy.map((item) => item.capacityProvider).join(", ")}`
    : (input.launchType ?? "the cluster's default capacity");
  const vpc = input.networkConfiguration?.awsvpcConfiguration;
  const network = vpc ? `, subnets ${(vpc.subnets ?? []).join(",")}, security groups ${(vpc.securityGroups ?? []).join(",") || "default"}` : "";
  const like = options.likeService ? ` (like service ${options.likeService}: ${how}${network})` : ` (${how})`;
  return `${what}${like}`;
}
