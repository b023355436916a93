/**
 * `ecs-release run-task` (and release's pre-deploy task): every decision, pure. The plan — which
 * revision runs (its ARN, resolved, so the task runs exactly the revision that was checked), which
 * container gets the command and decides the outcome, on which capacity (FARGATE_SPOT avoided unless
 * asked), with which RunTask input — and the verdict on how the task ended: `succeeded` only when it
 * really finished (see taskOutcome), `failed` with whose fault it was, `timed-out` at the deadline.
 * commands/run-task.ts does the reads, RunTask and the wait.
 */
import type { ContainerDefinition, NetworkConfiguration, RunTaskCommandInput, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { formatCommandLine } from "./command-line.js";
import { buildRunTaskInput, chooseCapacity, describeTasksCommand, taskLogLocation, type RequestedCapacity, type TaskLogLocation } from "./run-task-input.js";
import { chooseTaskContainer, essentialContainers, taskIdOf, type TaskBlame, type TaskOutcome } from "./task-outcome.js";

/** Flag names for messages, when the request comes from other flags (release's --pre-deploy-*). */
export interface OneOffTaskFlagNames {
  readonly container?: string;
  readonly likeService?: string;
  readonly taskDefinition?: string;
  readonly command?: string;
  readonly launchType?: string;
  readonly capacityProviderStrategy?: string;
}

/** What was asked of the task (the run-task options the plan looks at). */
export interface OneOffTaskRequest {
  readonly cluster: string;
  readonly container?: string;
  readonly command?: readonly string[];
  readonly capacity?: RequestedCapacity;
  readonly enableExecuteCommand?: boolean;
  readonly flagNames?: OneOffTaskFlagNames;
}

/** What the reads found: the revision (resolved to its ARN), the service to copy, the cluster's default strategy. */
export interface OneOffTaskReads {
  readonly revision: { readonly arn: string; readonly name: string; readonly definition: Pick<TaskDefinition, "containerDefinitions" | "networkMode"> };
  readonly likeService: Service | undefined;
  readonly clusterDefaultStrategy: RunTaskCommandInput["capacityProviderStrategy"] | undefined;
}

/** A one-off task checked and ready to start. */
export interface OneOffTaskPlan {
  /** `family:revision` of the revision that runs. */
  readonly taskDefinitionName: string;
  /** The container that gets the command and whose exit code decides. */
  readonly container: string;
  readonly input: RunTaskCommandInput;
  /** The container's definition (its log configuration says where its logs go). */
  readonly logDefinition: Pick<ContainerDefinition, "name" | "logConfiguration"> | undefined;
  /** The task definition's essential containers. */
  readonly essential: readonly string[];
  /** Why the capacity differs from the service's (FARGATE_SPOT avoided), when it does. */
  readonly capacityNote: string | undefined;
}

/**
 * The plan of a one-off task from what was read: the container (chooseTaskContainer), the capacity
 * (chooseCapacity: the request's, else the service's or the cluster's default without FARGATE_SPOT),
 * the RunTask input (buildRunTaskInput). Every problem is a ValidationError naming the request's flags.
 */
export function planOneOffTask(request: OneOffTaskRequest, reads: OneOffTaskReads): OneOffTaskPlan {
  const names = request.flagNames ?? {};
  const { revision } = reads;
  const definitions = revision.definition.containerDefinitions ?? [];
  const container = chooseTaskContainer(definitions, request.container, {
    forCommand: request.command !== undefined,
    family: revision.name,
    ...(names.container ? { flag: names.container } : {}),
  });
  const spec = {
    cluster: request.cluster,
    taskDefinitionArn: revision.arn,
    networkMode: revision.definition.networkMode,
    container,
    command: request.command,
    likeService: reads.likeService,
    clusterDefaultStrategy: reads.clusterDefaultStrategy,
    ...(request.capacity ? { capacity: request.capacity } : {}),
    ...(request.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
  };
  const capacity = chooseCapacity(spec, { launchType: names.launchType ?? "--launch-type", strategy: names.capacityProviderStrategy ?? "--capacity-provider-strategy" });
  return {
    taskDefinitionName: revision.name,
    container,
    input: buildRunTaskInput(spec, names.likeService, capacity, names.command),
    logDefinition: definitions.find((definition) => definition.name === container),
    essential: essentialContainers(definitions),
    capacityNote: capacity.note,
  };
}

/** One line: what runs where — the command in its container, and the launch settings. */
export function describeLaunch(plan: Pick<OneOffTaskPlan, "input" | "container">, request: { readonly command?: readonly string[]; readonly likeService?: string }): string {
  const { input, container } = plan;
  const what = request.command ? `container ${container} runs ${formatCommandLine(request.command)}` : `container ${container} runs its own command`;
  const how = input.capacityProviderStrategy
    ? `capacity providers ${input.capacityProviderStrategy.map((item) => item.capacityProvider).join(", ")}`
    : (input.launchType ?? "the cluster's default capacity");
  const vpc = input.networkConfiguration?.awsvpcConfiguration;
  const extras = [input.enableExecuteCommand ? "ECS Exec on" : undefined, input.tags?.length ? `${input.tags.length} tags` : undefined].filter(Boolean).join(", ");
  const network = vpc ? `, subnets ${(vpc.subnets ?? []).join(",")}, security groups ${(vpc.securityGroups ?? []).join(",") || "default"}` : "";
  const like = request.likeService ? ` (like service ${request.likeService}: ${how}${network}${extras ? `, ${extras}` : ""})` : ` (${how}${extras ? `, ${extras}` : ""})`;
  return `${what}${like}`;
}

/** How the wait for a started task ended (aws/tasks.ts waitForTaskToStop). */
export type OneOffTaskEnd = Extract<TaskOutcome, { state: "succeeded" | "failed" }> | { readonly state: "timed-out"; readonly last: TaskOutcome };

/** The verdict on a task that was started: its status in the result, and what the result records. */
export type OneOffTaskVerdict =
  | { readonly status: "succeeded"; readonly exitCode: 0 }
  | { readonly status: "failed"; readonly exitCode: number | undefined; readonly reason: string; readonly blame: TaskBlame }
  | { readonly status: "timed-out"; readonly lastStatus: string };

/** The verdict: success only as taskOutcome defines it; a timeout names the status the task was left in. */
export function judgeOneOffTask(end: OneOffTaskEnd): OneOffTaskVerdict {
  if (end.state === "succeeded") return { status: "succeeded", exitCode: 0 };
  if (end.state === "failed") return { status: "failed", exitCode: end.exitCode, reason: end.reason, blame: end.blame };
  return { status: "timed-out", lastStatus: end.last.state === "running" ? end.last.lastStatus : "not found by DescribeTasks" };
}

/** Where a started task is: for the result, the hints and the commands printed. */
export interface StartedOneOffTask {
  readonly taskArn: string;
  readonly taskId: string;
  readonly logs: TaskLogLocation | undefined;
}

/** The result document of a one-off task (run-task's `--json`, release's `preDeploy`). */
export interface OneOffTaskReport {
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
  /** The last lines of its live log (at most LOG_TAIL_LINES, oldest first); null when it was not followed. */
  readonly logTail?: readonly string[] | null;
}

/** The task's end as the result records it: status, the last description, and what the verdict adds. */
export interface OneOffTaskState {
  readonly status: OneOffTaskReport["status"];
  readonly task: Pick<Task, "lastStatus" | "stoppedReason" | "stopCode"> | undefined;
  readonly exitCode?: number | undefined;
  readonly reason?: string;
  readonly lastStatus?: string;
  readonly blame?: TaskBlame;
}

/** The result document of a one-off task, from its plan, where it ran (undefined: not started) and how it ended. */
export function oneOffTaskReport(
  plan: Pick<OneOffTaskPlan, "input" | "container">,
  request: { readonly cluster: string; readonly command?: readonly string[]; readonly likeService?: string },
  started: StartedOneOffTask | undefined,
  state: OneOffTaskState,
  context: { readonly region: string; readonly durationMs: number },
): OneOffTaskReport {
  const { input } = plan;
  const taskArn = started?.taskArn;
  return {
    cluster: request.cluster,
    taskDefinition: input.taskDefinition ?? "",
    container: plan.container,
    command: request.command ? [...request.command] : null,
    likeService: request.likeService ?? null,
    launch: {
      launchType: input.launchType ?? null,
      capacityProviderStrategy: input.capacityProviderStrategy ?? null,
      platformVersion: input.platformVersion ?? null,
      networkConfiguration: input.networkConfiguration ?? null,
      enableExecuteCommand: input.enableExecuteCommand === true,
    },
    taskArn: taskArn ?? null,
    taskId: taskArn ? taskIdOf(taskArn) : null,
    status: state.status,
    blame: state.blame ?? null,
    lastStatus: state.lastStatus ?? state.task?.lastStatus ?? null,
    exitCode: state.exitCode ?? null,
    reason: state.reason ?? null,
    stoppedReason: state.task?.stoppedReason ?? null,
    stopCode: state.task?.stopCode ?? null,
    durationMs: context.durationMs,
    describeCommand: taskArn ? describeTasksCommand(context.region, request.cluster, taskArn) : null,
    logs: started?.logs ?? null,
  };
}

/** Where a started task is: its id and, for the awslogs driver, its log stream. */
export function startedOneOffTask(plan: Pick<OneOffTaskPlan, "logDefinition">, taskArn: string): StartedOneOffTask {
  const taskId = taskIdOf(taskArn);
  return { taskArn, taskId, logs: taskLogLocation(plan.logDefinition, taskId) };
}
