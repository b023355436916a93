import type { NetworkConfiguration, RunTaskCommandInput, Task } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { checkCluster, describeRunnableTaskDefinition, describeServiceToCopy, startTask, waitForTaskToStop } from "../aws/tasks.js";
import type { Clock } from "../core/clock.js";
import { formatCommandLine } from "../core/command-line.js";
import { formatDuration } from "../core/duration.js";
import { DeploymentFailedError, InterruptedError, isInterruptedError, WaitTimeoutError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { buildRunTaskInput, chooseCapacity, describeTaskHint, taskLogLocation, type RequestedCapacity, type TaskLogLocation } from "../core/run-task-input.js";
import { chooseTaskContainer, essentialContainers, taskIdOf, type TaskBlame } from "../core/task-outcome.js";

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
  readonly flagNames?: {
    readonly container?: string;
    readonly likeService?: string;
    readonly taskDefinition?: string;
    readonly command?: string;
    readonly launchType?: string;
    readonly capacityProviderStrategy?: string;
  };
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
    /** ECS Exec is on: `aws ecs execute-command` can open a shell in the task. */
    readonly enableExecuteCommand: boolean;
  };
  /** Null when RunTask started no task (status `not-started`). */
  readonly taskArn: string | null;
  readonly taskId: string | null;
  /** How the wait ended; `not-started`: RunTask answered failures[] (no capacity, RESOURCE:MEMORY, …). */
  readonly status: "succeeded" | "failed" | "not-started" | "timed-out" | "interrupted";
  /**
   * For `failed` and `not-started`: `revision` when what the revision runs failed (exit code, sidecar,
   * missing image), `infrastructure` when the task was interrupted or never placed or started for a
   * reason outside the image. Null otherwise.
   */
  readonly blame: TaskBlame | null;
  /** The task's last known lastStatus (STOPPED unless timed out or interrupted). */
  readonly lastStatus: string | null;
  /** The decisive container's exit code; null when it did not run to one (or has not yet). */
  readonly exitCode: number | null;
  readonly reason: string | null;
  readonly stoppedReason: string | null;
  readonly stopCode: string | null;
  /** Milliseconds from RunTask to the end of the wait. */
  readonly durationMs: number;
  /** `aws ecs describe-tasks …` for this task (null when none started). */
  readonly describeCommand: string | null;
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
  /** The task definition's essential containers. */
  readonly essential: readonly string[];
  /** Why the capacity differs from the service's (FARGATE_SPOT avoided), when it does. */
  readonly capacityNote: string | undefined;
}

/**
 * Reads and checks what the task needs — the task definition (resolved to its ARN, the container
 * there), the cluster, or the service to copy — and builds the RunTask input. Writes nothing; every
 * problem is a ValidationError (exit 2).
 */
export async function prepareTask(options: RunTaskOptions, deps: RunTaskDeps): Promise<PreparedTask> {
  const names = options.flagNames ?? {};
  const fresh = options.justRegistered ? deps : undefined;
  const [revision, service, clusterDefaultStrategy] = await Promise.all([
    describeRunnableTaskDefinition(deps.aws, options.taskDefinition, names.taskDefinition, fresh),
    options.likeService === undefined ? undefined : describeServiceToCopy(deps.aws, options.cluster, options.likeService, names.likeService),
    options.likeService === undefined ? checkCluster(deps.aws, options.cluster) : undefined,
  ]);
  const definitions = revision.definition.containerDefinitions ?? [];
  const container = chooseTaskContainer(definitions, options.container, {
    forCommand: options.command !== undefined,
    family: revision.name,
    ...(names.container ? { flag: names.container } : {}),
  });
  const spec = {
    cluster: options.cluster,
    taskDefinitionArn: revision.arn,
    networkMode: revision.definition.networkMode,
    container,
    command: options.command,
    likeService: service,
    clusterDefaultStrategy,
    ...(options.capacity ? { capacity: options.capacity } : {}),
    ...(options.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
  };
  const capacity = chooseCapacity(spec, {
    launchType: names.launchType ?? "--launch-type",
    strategy: names.capacityProviderStrategy ?? "--capacity-provider-strategy",
  });
  const input = buildRunTaskInput(spec, names.likeService, capacity, names.command);
  return {
    options,
    taskDefinitionName: revision.name,
    container,
    input,
    logDefinition: definitions.find((definition) => definition.name === container),
    essential: essentialContainers(definitions),
    capacityNote: capacity.note,
  };
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
  if (prepared.capacityNote) log.info(prepared.capacityNote);
  log.info(`running ${prepared.taskDefinitionName} in cluster ${options.cluster}: ${describeLaunch(prepared)}`);
  const started = clock.now();
  const label = options.label ?? "task";
  const run = await startTask(deps.aws, input, options.justRegistered ? deps : undefined);
  const result = (
    status: RunTaskResult["status"],
    last: Task | undefined,
    extra: { exitCode?: number | undefined; reason?: string; lastStatus?: string; blame?: TaskBlame },
  ): RunTaskResult => ({
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
      enableExecuteCommand: input.enableExecuteCommand === true,
    },
    taskArn: taskArn ?? null,
    taskId: taskArn ? taskIdOf(taskArn) : null,
    status,
    blame: extra.blame ?? null,
    lastStatus: extra.lastStatus ?? last?.lastStatus ?? null,
    exitCode: extra.exitCode ?? null,
    reason: extra.reason ?? null,
    stoppedReason: last?.stoppedReason ?? null,
    stopCode: last?.stopCode ?? null,
    durationMs: clock.now() - started,
    describeCommand: taskArn ? `aws ecs describe-tasks --region ${deps.aws.region} --cluster ${options.cluster} --tasks ${taskArn}` : null,
    logs: logs ?? null,
  });
  let taskArn: string | undefined;
  let logs: TaskLogLocation | undefined;
  if (run.task === undefined) {
    // Not the revision's fault: ECS found no place for the task (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
    throw new DeploymentFailedError(`RunTask ${prepared.taskDefinitionName} in cluster ${options.cluster} started no task: ${run.reason}`, {
      result: result("not-started", undefined, { reason: run.reason, blame: "infrastructure" }),
    });
  }
  const task = run.task;
  taskArn = task.taskArn as string;
  const taskId = taskIdOf(taskArn);
  logs = taskLogLocation(prepared.logDefinition, taskId);
  const hint = describeTaskHint(options.cluster, taskArn, deps.aws.region, logs, prepared.logDefinition?.logConfiguration?.logDriver);
  const exec = input.enableExecuteCommand
    ? `; a shell in it: aws ecs execute-command --region ${deps.aws.region} --cluster ${options.cluster} --task ${taskArn} --container ${container} --interactive --command /bin/sh`
    : "";
  log.info(`${label} ${taskId} started; ${hint}${exec}`);

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
        essential: prepared.essential,
        what: `${label} ${taskId} (container ${container})`,
        onStatus: (status, described) => {
          lastTask = described ?? lastTask;
          if (status !== "STOPPED") log.info(`task ${taskId}: ${status}`);
        },
      },
      deps,
    );
  } catch (error) {
    if (isInterruptedError(error)) {
      throw new InterruptedError(
        `interrupted while waiting for ${label} ${taskId}; the task was not stopped (aws ecs stop-task --region ${deps.aws.region} --cluster ${options.cluster} --task ${taskArn} would): ${hint}`,
        {
          cause: error,
          result: result("interrupted", lastTask, {}),
        },
      );
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
      result: result("failed", end.task, { exitCode: outcome.exitCode, reason: outcome.reason, blame: outcome.blame }),
    });
  }
  const status = outcome.last.state === "running" ? outcome.last.lastStatus : "not found by DescribeTasks";
  throw new WaitTimeoutError(
    `task ${taskId} is still ${status} after ${formatDuration(options.timeoutMs)} (ecs-release did not stop it; aws ecs stop-task --region ${deps.aws.region} --cluster ${options.cluster} --task ${taskArn} would); ${hint}${exec}`,
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
  const extras = [input.enableExecuteCommand ? "ECS Exec on" : undefined, input.tags?.length ? `${input.tags.length} tags` : undefined].filter(Boolean).join(", ");
  const network = vpc ? `, subnets ${(vpc.subnets ?? []).join(",")}, security groups ${(vpc.securityGroups ?? []).join(",") || "default"}` : "";
  const like = options.likeService ? ` (like service ${options.likeService}: ${how}${network}${extras ? `, ${extras}` : ""})` : ` (${how}${extras ? `, ${extras}` : ""})`;
  return `${what}${like}`;
}
