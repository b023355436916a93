import type { CapacityProviderStrategyItem, ContainerDefinition, LaunchType, NetworkConfiguration, RunTaskCommandInput, Service, Tag } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";

/** `startedBy` of every task ecs-release runs: `aws ecs list-tasks --started-by ecs-release` finds them. */
export const STARTED_BY = "ecs-release";

/**
 * RunTask's limit on overrides: "A total of 8192 characters are allowed for overrides. This limit
 * includes the JSON formatting characters of the override structure."
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-overrides)
 */
export const MAX_OVERRIDES_CHARACTERS = 8192;

/**
 * Capacity providers that can take a running task away (a Fargate Spot interruption: two minutes'
 * warning and SIGTERM, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
 * An EC2 capacity provider backed by Spot instances cannot be told from its name: pass the capacity
 * explicitly for those.
 */
export const INTERRUPTIBLE_CAPACITY_PROVIDERS: ReadonlySet<string> = new Set(["FARGATE_SPOT"]);

/** The capacity a user asked for (`--launch-type` or `--capacity-provider-strategy`). */
export interface RequestedCapacity {
  readonly launchType?: LaunchType;
  readonly capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
}

/** What a one-off task is built from. */
export interface OneOffTaskSpec {
  readonly cluster: string;
  /** Full task definition ARN (resolved, so the task runs exactly the revision that was checked). */
  readonly taskDefinitionArn: string;
  /** `awsvpc`, `bridge`, ... of the task definition. */
  readonly networkMode: string | undefined;
  /** The container that gets `command`. */
  readonly container: string;
  /** argv for the container's command override; undefined keeps the image's/definition's command. */
  readonly command: readonly string[] | undefined;
  /** The service whose launch settings the task copies (`--like-service`). */
  readonly likeService:
    | Pick<
        Service,
        | "serviceName"
        | "launchType"
        | "capacityProviderStrategy"
        | "platformVersion"
        | "networkConfiguration"
        | "placementConstraints"
        | "placementStrategy"
        | "enableECSManagedTags"
        | "deployments"
        | "enableExecuteCommand"
        | "propagateTags"
        | "tags"
      >
    | undefined;
  /** Launch type or capacity provider strategy chosen by the user; wins over the service's. */
  readonly capacity?: RequestedCapacity;
  /** The cluster's default capacity provider strategy (what RunTask uses when given neither). */
  readonly clusterDefaultStrategy?: readonly CapacityProviderStrategyItem[] | undefined;
  /** `--enable-execute-command`: true turns ECS Exec on whatever the service says. */
  readonly enableExecuteCommand?: boolean;
}

/** How the one-off task's capacity was chosen, and a line saying so when it differs from the service's. */
export interface ChosenCapacity {
  readonly input: Pick<RunTaskCommandInput, "launchType" | "capacityProviderStrategy">;
  readonly note: string | undefined;
}

/**
 * The capacity of a one-off task: the user's `--launch-type` / `--capacity-provider-strategy` when
 * given (both at once is refused, as RunTask refuses it); else the service's capacity provider
 * strategy, or the cluster's default one when the service has neither a strategy nor a launch type,
 * without interruptible providers (FARGATE_SPOT): a migration must not be interrupted half-way, so
 * the task runs on the strategy's other providers, or FARGATE when FARGATE_SPOT was all there was —
 * and the note says so; else the service's launch type; else nothing (RunTask's default).
 */
export function chooseCapacity(spec: Pick<OneOffTaskSpec, "capacity" | "likeService" | "clusterDefaultStrategy">, flags = { launchType: "--launch-type", strategy: "--capacity-provider-strategy" }): ChosenCapacity {
  const requested = spec.capacity;
  if (requested?.launchType !== undefined && requested.capacityProviderStrategy !== undefined) {
    throw new ValidationError(`pass ${flags.launchType} or ${flags.strategy}, not both (RunTask takes one or the other)`);
  }
  if (requested?.launchType !== undefined) return { input: { launchType: requested.launchType }, note: undefined };
  if (requested?.capacityProviderStrategy !== undefined) return { input: { capacityProviderStrategy: requested.capacityProviderStrategy.map((item) => ({ ...item })) }, note: undefined };
  const service = spec.likeService;
  const serviceStrategy = service?.capacityProviderStrategy?.length ? service.capacityProviderStrategy : undefined;
  const strategy = serviceStrategy ?? (service?.launchType === undefined && spec.clusterDefaultStrategy?.length ? spec.clusterDefaultStrategy : undefined);
  if (strategy !== undefined) {
    const safe = strategy.filter((item) => !INTERRUPTIBLE_CAPACITY_PROVIDERS.has(item.capacityProvider ?? ""));
    if (safe.length === strategy.length) return { input: serviceStrategy ? { capacityProviderStrategy: strategy.map((item) => ({ ...item })) } : {}, note: undefined };
    const chosen = safe.length > 0 ? safe.map((item) => ({ ...item })) : [{ capacityProvider: "FARGATE", weight: 1 }];
    const whose = serviceStrategy ? `service ${service?.serviceName ?? ""}'s` : "the cluster's default";
    return {
      input: { capacityProviderStrategy: chosen },
      note: `${whose} capacity provider strategy uses FARGATE_SPOT, which can interrupt a task: the one-off task runs on ${chosen.map((item) => item.capacityProvider).join(", ")} instead (pass ${flags.strategy} FARGATE_SPOT to run it there anyway)`,
    };
  }
  return { input: service?.launchType ? { launchType: service.launchType } : {}, note: undefined };
}

/**
 * Parses `--capacity-provider-strategy`: comma-separated `PROVIDER[:WEIGHT[:BASE]]` items, e.g.
 * `FARGATE:1:1,FARGATE_SPOT:3`. Weight 0..1000 and base 0..100000, as CapacityProviderStrategyItem allows.
 */
export function parseCapacityProviderStrategy(text: string, flag = "--capacity-provider-strategy"): CapacityProviderStrategyItem[] {
  const items = text.split(",").map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === "")) throw new ValidationError(`${flag} "${text}": expected PROVIDER[:WEIGHT[:BASE]],… e.g. FARGATE:1`);
  return items.map((item) => {
    const [provider, weight, base, ...rest] = item.split(":");
    const number = (value: string | undefined, max: number, what: string): number | undefined => {
      if (value === undefined) return undefined;
      const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(parsed >= 0 && parsed <= max)) throw new ValidationError(`${flag} ${item}: the ${what} must be a whole number from 0 to ${max}`);
      return parsed;
    };
    if (!provider || !/^[A-Za-z0-9_-]{1,255}$/.test(provider) || rest.length > 0) throw new ValidationError(`${flag} ${item}: expected PROVIDER[:WEIGHT[:BASE]], e.g. FARGATE:1`);
    const w = number(weight, 1000, "weight");
    const b = number(base, 100000, "base");
    return { capacityProvider: provider, ...(w !== undefined ? { weight: w } : {}), ...(b !== undefined ? { base: b } : {}) };
  });
}

/** Parses `--launch-type`. */
export function parseLaunchType(text: string, flag = "--launch-type"): LaunchType {
  const value = text.toUpperCase();
  if (value !== "FARGATE" && value !== "EC2" && value !== "EXTERNAL") throw new ValidationError(`${flag} must be FARGATE, EC2 or EXTERNAL, not "${text}"`);
  return value;
}

/**
 * The RunTask overrides for `command` in `container`, refused (ValidationError, before anything is
 * written) when their JSON is longer than {@link MAX_OVERRIDES_CHARACTERS}.
 */
export function commandOverrides(container: string, command: readonly string[] | undefined, flag = "--command"): RunTaskCommandInput["overrides"] | undefined {
  if (command === undefined) return undefined;
  const overrides = { containerOverrides: [{ name: container, command: [...command] }] };
  const size = JSON.stringify(overrides).length;
  if (size > MAX_OVERRIDES_CHARACTERS) {
    throw new ValidationError(
      `${flag} is too long for RunTask: its overrides would be ${size} characters and ECS allows ${MAX_OVERRIDES_CHARACTERS} (put the work in a script in the image and run that)`,
    );
  }
  return overrides;
}

/**
 * The RunTask input for a one-off task: one task, started by {@link STARTED_BY}, with the command
 * override, and — from the service it is like — the network configuration (subnets, security
 * groups, public IP), the capacity (see {@link chooseCapacity}), the platform version, placement
 * constraints and strategy, ECS managed tags, the tags the service gives its tasks (propagateTags:
 * TASK_DEFINITION is passed on; SERVICE becomes the service's own tags, since RunTask refuses
 * SERVICE), and ECS Exec (enableExecuteCommand, or `--enable-execute-command`): the settings
 * ecspresso's `run` copies from its service definition. A service's own network configuration,
 * else its PRIMARY deployment's. An awsvpc task definition needs a network configuration: without
 * one this throws a ValidationError asking for --like-service (RunTask would refuse it after the fact).
 * Tags on create need ecs:TagResource with ecs:CreateAction=RunTask
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).
 */
export function buildRunTaskInput(spec: OneOffTaskSpec, flag = "--like-service", capacity: ChosenCapacity = chooseCapacity(spec), commandFlag = "--command"): RunTaskCommandInput {
  const service = spec.likeService;
  const network = service ? networkConfigurationOf(service) : undefined;
  if (spec.networkMode === "awsvpc" && network === undefined) {
    throw new ValidationError(
      service
        ? `service ${service.serviceName ?? ""} has no network configuration to copy, but the task definition uses the awsvpc network mode`
        : `the task definition uses the awsvpc network mode: pass ${flag} SERVICE to run the task in that service's subnets and security groups`,
    );
  }
  const overrides = commandOverrides(spec.container, spec.command, commandFlag);
  const tags = service?.propagateTags === "SERVICE" ? userTags(service.tags) : [];
  const exec = spec.enableExecuteCommand === true || service?.enableExecuteCommand === true;
  return {
    cluster: spec.cluster,
    taskDefinition: spec.taskDefinitionArn,
    count: 1,
    startedBy: STARTED_BY,
    ...(overrides ? { overrides } : {}),
    ...(network && spec.networkMode === "awsvpc" ? { networkConfiguration: network } : {}),
    ...capacity.input,
    ...(service?.platformVersion ? { platformVersion: service.platformVersion } : {}),
    ...(service?.placementConstraints?.length ? { placementConstraints: service.placementConstraints } : {}),
    ...(service?.placementStrategy?.length ? { placementStrategy: service.placementStrategy } : {}),
    ...(service?.enableECSManagedTags !== undefined ? { enableECSManagedTags: service.enableECSManagedTags } : {}),
    ...(service?.propagateTags === "TASK_DEFINITION" ? { propagateTags: "TASK_DEFINITION" as const } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(exec ? { enableExecuteCommand: true } : {}),
  };
}

/** Tags a caller may set: not the `aws:` ones (reserved), at most 50 per resource. */
function userTags(tags: readonly Tag[] | undefined): Tag[] {
  return (tags ?? [])
    .filter((tag) => tag.key !== undefined && !tag.key.toLowerCase().startsWith("aws:"))
    .slice(0, 50)
    .map((tag) => ({ key: tag.key as string, value: tag.value ?? "" }));
}

function networkConfigurationOf(service: NonNullable<OneOffTaskSpec["likeService"]>): NetworkConfiguration | undefined {
  if (service.networkConfiguration?.awsvpcConfiguration) return service.networkConfiguration;
  const primary = service.deployments?.find((deployment) => deployment.status === "PRIMARY");
  return primary?.networkConfiguration?.awsvpcConfiguration ? primary.networkConfiguration : undefined;
}

/** Where a container's logs go, when ECS names the stream predictably (the awslogs driver with a stream prefix). */
export interface TaskLogLocation {
  readonly group: string;
  readonly stream: string;
  readonly region: string | undefined;
}

/** The CloudWatch log group and stream of `container` in task `taskId`, for the awslogs driver. */
export function taskLogLocation(definition: Pick<ContainerDefinition, "name" | "logConfiguration"> | undefined, taskId: string): TaskLogLocation | undefined {
  const config = definition?.logConfiguration;
  const group = config?.options?.["awslogs-group"];
  const prefix = config?.options?.["awslogs-stream-prefix"];
  if (config?.logDriver !== "awslogs" || !group || !prefix || !definition?.name) return undefined;
  return { group, stream: `${prefix}/${definition.name}/${taskId}`, region: config.options?.["awslogs-region"] };
}

/** `aws ecs describe-tasks …` for one task. */
export function describeTasksCommand(region: string, cluster: string, taskArn: string): string {
  return `aws ecs describe-tasks --region ${region} --cluster ${cluster} --tasks ${taskArn}`;
}

/** One line telling a user how to look at a task: `aws ecs describe-tasks …`, and its logs when known. */
export function describeTaskHint(cluster: string, taskArn: string, region: string, logs: TaskLogLocation | undefined, logDriver?: string): string {
  const describe = describeTasksCommand(region, cluster, taskArn);
  if (logs) return `look at it: ${describe}; logs: aws logs tail ${logs.group} --region ${logs.region ?? region} --log-stream-names ${logs.stream} --follow`;
  const where = logDriver ? `the container logs through the ${logDriver} driver` : "the container has no log configuration (no logs in CloudWatch)";
  return `look at it: ${describe}; ${where}`;
}
