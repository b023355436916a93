import type { ContainerDefinition, NetworkConfiguration, RunTaskCommandInput, Service } from "@aws-sdk/client-ecs";
import { ValidationError } from "./errors.js";

/** `startedBy` of every task ecs-release runs: `aws ecs list-tasks --started-by ecs-release` finds them. */
export const STARTED_BY = "ecs-release";

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
  readonly likeService: Pick<Service, "serviceName" | "launchType" | "capacityProviderStrategy" | "platformVersion" | "networkConfiguration" | "placementConstraints" | "placementStrategy" | "enableECSManagedTags" | "deployments"> | undefined;
}

/**
 * The RunTask input for a one-off task: one task, started by {@link STARTED_BY}, with the command
 * override, and — from the service it is like — the network configuration (subnets, security
 * groups, public IP), the capacity provider strategy or else the launch type, the platform version,
 * placement constraints and strategy, and ECS managed tags: the settings ecspresso's `run` copies
 * from its service definition. A service's own network configuration, else its PRIMARY deployment's.
 * An awsvpc task definition needs a network configuration: without one this throws a
 * ValidationError asking for --like-service (RunTask would refuse it after the fact).
 */
export function buildRunTaskInput(spec: OneOffTaskSpec, flag = "--like-service"): RunTaskCommandInput {
  const service = spec.likeService;
  const network = service ? networkConfigurationOf(service) : undefined;
  if (spec.networkMode === "awsvpc" && network === undefined) {
    throw new ValidationError(
      service
        ? `service ${service.serviceName ?? ""} has no network configuration to copy, but the task definition uses the awsvpc network mode`
        : `the task definition uses the awsvpc network mode: pass ${flag} SERVICE to run the task in that service's subnets and security groups`,
    );
  }
  const strategy = service?.capacityProviderStrategy?.length ? service.capacityProviderStrategy : undefined;
  return {
    cluster: spec.cluster,
    taskDefinition: spec.taskDefinitionArn,
    count: 1,
    startedBy: STARTED_BY,
    ...(spec.command ? { overrides: { containerOverrides: [{ name: spec.container, command: [...spec.command] }] } } : {}),
    ...(network && spec.networkMode === "awsvpc" ? { networkConfiguration: network } : {}),
    ...(strategy ? { capacityProviderStrategy: strategy } : service?.launchType ? { launchType: service.launchType } : {}),
    ...(service?.platformVersion ? { platformVersion: service.platformVersion } : {}),
    ...(service?.placementConstraints?.length ? { placementConstraints: service.placementConstraints } : {}),
    ...(service?.placementStrategy?.length ? { placementStrategy: service.placementStrategy } : {}),
    ...(service?.enableECSManagedTags !== undefined ? { enableECSManagedTags: service.enableECSManagedTags } : {}),
  };
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

/** One line telling a user how to look at a task: `aws ecs describe-tasks …`, and its logs when known. */
export function describeTaskHint(cluster: string, taskArn: string, region: string, logs: TaskLogLocation | undefined, logDriver?: string): string {
  const describe = `aws ecs describe-tasks --region ${region} --cluster ${cluster} --tasks ${taskArn}`;
  if (logs) return `look at it: ${describe}; logs: aws logs tail ${logs.group} --region ${logs.region ?? region} --log-stream-names ${logs.stream} --follow`;
  const where = logDriver ? `the container logs through the ${logDriver} driver` : "the container has no log configuration (no logs in CloudWatch)";
  return `look at it: ${describe}; ${where}`;
}
