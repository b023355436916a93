/**
 * What `ecs-release status` reports about a service: the revision it runs, counts, every deployment
 * in flight (old and new side by side while they overlap), the latest events, and warnings about a
 * deployment configuration that does not protect the service.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { shaOf, formatTime } from "./history.js";
import { formatDigests, recordDisagreement, type EcsDeploymentEntry } from "./ecs-record.js";
import { formatRevisionName, outcomeOf, parseRevisionName, type OutcomeLabel, type RevisionRecord } from "./revision-record.js";
import { formatTable } from "./table.js";
import { formatStoppedTask, type StoppedTaskReason } from "./stopped-tasks.js";

/** One deployment of a service. */
export interface DeploymentStatus {
  readonly id: string;
  /** PRIMARY (the newest), ACTIVE (being replaced) or INACTIVE. */
  readonly status: string;
  readonly taskDefinition: string;
  /** `family:revision`. */
  readonly revision: string;
  readonly sha: string | null;
  /** IN_PROGRESS, COMPLETED or FAILED. */
  readonly rolloutState: string | null;
  readonly rolloutStateReason: string | null;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

/** One service event. */
export interface ServiceEvent {
  readonly createdAt: string | null;
  readonly message: string;
}

/** The status of one service. */
export interface ServiceStatus {
  readonly service: string;
  readonly status: string;
  /** The revision the service is set to (service.taskDefinition). */
  readonly taskDefinition: string;
  readonly revision: string;
  readonly sha: string | null;
  readonly outcome: OutcomeLabel | null;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /**
   * True while a rollout is going on: more than one deployment exists or the primary one is not
   * COMPLETED — except a FAILED primary, which ECS leaves beside the old ACTIVE one when the circuit
   * breaker does not roll back: that is settled (see `rollout`).
   */
  readonly inFlight: boolean;
  /**
   * `in-progress`, `failed` (the PRIMARY deployment's rolloutState is FAILED), `completed`, or
   * `unknown`: ECS reports no rolloutState (a service behind a Classic Load Balancer).
   */
  readonly rollout: "in-progress" | "failed" | "completed" | "unknown";
  /** Fewer tasks running than desired while no rollout is in progress or reported (worth a look). */
  readonly belowDesired: boolean;
  /** Newest first. */
  readonly deployments: readonly DeploymentStatus[];
  /** Newest first. */
  readonly events: readonly ServiceEvent[];
  readonly warnings: readonly string[];
  /** ECS's record of the service's current service deployment (absent when not read). */
  readonly ecsDeployment?: EcsDeploymentEntry;
  /** With `--stopped-tasks`: recently stopped tasks, why, and the last lines of their log. */
  readonly stoppedTasks?: readonly StoppedTaskReason[];
  /** Where the outcome tag of that deployment's revision and ECS's status disagree. */
  readonly ecsDisagreement?: string;
}

/**
 * The status with ECS's current service deployment beside it, and where the outcome tag of the
 * revision it deployed disagrees with ECS's status (e.g. the tag says stable, ECS says ROLLBACK_SUCCESSFUL).
 */
export function withEcsDeployment(status: ServiceStatus, entry: EcsDeploymentEntry | undefined, revisions: ReadonlyMap<string, RevisionRecord>): ServiceStatus {
  if (entry === undefined) return status;
  const target = entry.taskDefinition !== null ? revisions.get(entry.taskDefinition) : undefined;
  const disagreement = recordDisagreement(target ? outcomeOf(target) : null, entry);
  return { ...status, ecsDeployment: entry, ...(disagreement !== undefined ? { ecsDisagreement: `${entry.taskDefinition !== null ? shortName(entry.taskDefinition) : "its revision"}: ${disagreement}` } : {}) };
}

/** How many events status shows per service. */
export const STATUS_EVENT_COUNT = 5;

/**
 * Builds a service's status from DescribeServices output and the revisions (with tags) of its
 * deployments, keyed by ARN. Pure.
 */
export function summarizeService(service: Service, revisions: ReadonlyMap<string, RevisionRecord>, eventCount: number = STATUS_EVENT_COUNT): ServiceStatus {
  const taskDefinition = service.taskDefinition ?? "";
  const current = revisions.get(taskDefinition);
  const deployments = [...(service.deployments ?? [])]
    .sort((a, b) => time(b.createdAt) - time(a.createdAt))
    .map((d): DeploymentStatus => {
      const arn = d.taskDefinition ?? "";
      const record = revisions.get(arn);
      return {
        id: d.id ?? "",
        status: d.status ?? "",
        taskDefinition: arn,
        revision: shortName(arn),
        sha: record ? shaOf(record) : null,
        rolloutState: d.rolloutState ?? null,
        rolloutStateReason: d.rolloutStateReason ?? null,
        desired: d.desiredCount ?? 0,
        running: d.runningCount ?? 0,
        pending: d.pendingCount ?? 0,
        failed: d.failedTasks ?? 0,
        createdAt: iso(d.createdAt),
        updatedAt: iso(d.updatedAt),
      };
    });
  const primary = deployments.find((d) => d.status === "PRIMARY");
  const failed = primary?.rolloutState === "FAILED";
  const inFlight = !failed && (deployments.length > 1 || (primary !== undefined && primary.rolloutState !== null && primary.rolloutState !== "COMPLETED"));
  // rolloutState "is only populated for services using the rolling update (ECS) deployment type that
  // aren't behind a Classic Load Balancer" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html):
  // without it, running below desired is the only sign of trouble.
  const rollout = failed ? "failed" : primary !== undefined && primary.rolloutState === null ? "unknown" : inFlight ? "in-progress" : "completed";
  const desired = service.desiredCount ?? 0;
  const running = service.runningCount ?? 0;
  const belowDesired = running < desired && (rollout === "unknown" || rollout === "failed" || rollout === "completed");
  const statusWarnings: string[] = [];
  const name = service.serviceName ?? "service";
  if (failed && primary) {
    const active = deployments.find((d) => d.status === "ACTIVE");
    statusWarnings.push(
      `${name}: deployment ${primary.id} (${primary.revision}) FAILED${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}; the circuit breaker did not roll back${active ? `, the old deployment ${active.id} (${active.revision}) keeps its tasks` : ""}`,
    );
  }
  if (belowDesired) {
    statusWarnings.push(
      `${name}: running ${running} of ${desired} desired tasks${rollout === "unknown" ? " and ECS reports no rollout state for it (e.g. behind a Classic Load Balancer): look at its events and stopped tasks" : ""}`,
    );
  }
  return {
    service: service.serviceName ?? "",
    status: service.status ?? "",
    taskDefinition,
    revision: shortName(taskDefinition),
    sha: current ? shaOf(current) : null,
    outcome: current ? outcomeOf(current) : null,
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    inFlight,
    rollout,
    belowDesired,
    deployments,
    events: [...(service.events ?? [])]
      .sort((a, b) => time(b.createdAt) - time(a.createdAt))
      .slice(0, eventCount)
      .map((e) => ({ createdAt: iso(e.createdAt), message: e.message ?? "" })),
    warnings: [...statusWarnings, ...deploymentConfigurationWarnings(service)],
  };
}

/**
 * Warnings about a deployment configuration that does not protect the service: the circuit
 * breaker off (a failing rollout then never ends on its own) or without rollback, and a minimum
 * healthy percent below 100 (capacity drops during a rollout).
 */
export function deploymentConfigurationWarnings(service: Pick<Service, "serviceName" | "deploymentConfiguration" | "deploymentController">): string[] {
  const name = service.serviceName ?? "service";
  const controller = service.deploymentController?.type ?? "ECS";
  if (controller !== "ECS") return [`${name}: deployment controller is ${controller}; ecs-release can only watch rolling (ECS) deployments`];
  const config = service.deploymentConfiguration;
  const warnings: string[] = [];
  const breaker = config?.deploymentCircuitBreaker;
  if (!breaker?.enable) {
    warnings.push(`${name}: deployment circuit breaker is off: a failing rollout keeps retrying until the timeout and is never rolled back by ECS`);
  } else if (!breaker.rollback) {
    warnings.push(`${name}: deployment circuit breaker does not roll back: a failed rollout leaves the service on the failed revision`);
  }
  const minimum = config?.minimumHealthyPercent;
  if (minimum !== undefined && minimum < 100) {
    warnings.push(`${name}: minimum healthy percent is ${minimum}%: capacity drops below the desired count during a rollout`);
  }
  return warnings;
}

/** The per-service blocks people read. */
export function formatServiceStatus(status: ServiceStatus): string {
  const lines: string[] = [];
  const sha = status.sha ? ` sha ${status.sha.slice(0, 12)}` : "";
  const outcome = status.outcome && status.outcome !== "unknown" ? ` (${status.outcome})` : "";
  lines.push(`${status.service}: ${status.revision}${sha}${outcome}  desired ${status.desired}  running ${status.running}  pending ${status.pending}${status.rollout === "failed" ? "  ROLLOUT FAILED" : status.inFlight ? "  ROLLOUT IN PROGRESS" : ""}${status.belowDesired ? "  BELOW DESIRED" : ""}`);
  lines.push(
    indent(
      formatTable(
        ["DEPLOYMENT", "STATUS", "REVISION", "SHA", "ROLLOUT", "DESIRED", "RUNNING", "PENDING", "FAILED", "CREATED"],
        status.deployments.map((d) => [
          d.id,
          d.status,
          d.revision,
          d.sha ? d.sha.slice(0, 12) : "-",
          d.rolloutState ?? "-",
          String(d.desired),
          String(d.running),
          String(d.pending),
          String(d.failed),
          d.createdAt ? formatTime(d.createdAt) : "-",
        ]),
      ),
    ),
  );
  for (const d of status.deployments) if (d.rolloutStateReason && d.rolloutState !== "COMPLETED") lines.push(`  ${d.id}: ${d.rolloutStateReason}`);
  if (status.events.length > 0) {
    lines.push("  events:");
    for (const event of status.events) lines.push(`    ${event.createdAt ? formatTime(event.createdAt, true) : "-"}  ${event.message}`);
  }
  if (status.stoppedTasks !== undefined) {
    lines.push(status.stoppedTasks.length === 0 ? "  stopped tasks: none listed" : "  stopped tasks:");
    for (const task of status.stoppedTasks) {
      lines.push(`    ${formatStoppedTask(task)}`);
      for (const line of task.logs?.lines ?? []) lines.push(`      | ${line}`);
    }
  }
  const ecs = status.ecsDeployment;
  if (ecs !== undefined) {
    const when = [ecs.startedAt ? `started ${formatTime(ecs.startedAt)}` : "", ecs.finishedAt ? `finished ${formatTime(ecs.finishedAt)}` : ""].filter((part) => part !== "").join(", ");
    const target = ecs.taskDefinition !== null ? ` of ${shortName(ecs.taskDefinition)}` : "";
    const stage = ecs.lifecycleStage !== null ? ` in ${ecs.lifecycleStage}` : "";
    lines.push(`  ECS: service deployment${target} ${ecs.status}${stage}${when ? ` (${when})` : ""}${ecs.images.length > 0 ? `; ${formatDigests(ecs.images)}` : ""}`);
    if (ecs.statusReason && ecs.status !== "SUCCESSFUL") lines.push(`    ${ecs.statusReason}`);
  }
  if (status.ecsDisagreement !== undefined) lines.push(`  ! ${status.ecsDisagreement}`);
  for (const warning of status.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join("\n")}\n`;
}

function shortName(arn: string): string {
  const name = parseRevisionName(arn);
  return name ? formatRevisionName(name) : arn;
}

function time(value: Date | undefined): number {
  return value instanceof Date ? value.getTime() : 0;
}

function iso(value: Date | undefined): string | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
