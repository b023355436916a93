import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { describeServicesChecked } from "../aws/service-view.js";
import type { Clock } from "../core/clock.js";
import { staleViewLine, unconfirmedViewLine } from "../core/service-view.js";
import { describeRevisions } from "../aws/task-definitions.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { summarizeService, withEcsDeployment, type ServiceStatus } from "../core/service-status.js";
import { describeServiceDeployments, describeServiceRevisions } from "../aws/service-deployments.js";
import { ecsDeploymentEntries, type EcsDeploymentEntry } from "../core/ecs-record.js";
import { EcsReleaseError } from "../core/errors.js";
import { stoppedTasksOfService } from "../aws/stopped-tasks.js";
import { stoppedTaskReasons, type StoppedTaskReason } from "../core/stopped-tasks.js";
import { stoppedTasksWithLogs } from "./task-logs.js";

/** What `ecs-release status` was asked for. */
export interface StatusOptions {
  readonly cluster: string;
  readonly services: readonly string[];
  /** `--stopped-tasks`: a few recently stopped tasks of each service, why they stopped and the last lines of their log. */
  readonly stoppedTasks?: boolean;
}

/** What status needs from outside. */
export interface StatusDeps {
  readonly aws: Pick<AwsClients, "ecs" | "logs" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** For re-reading a view older than the service's newest service deployment (default: none, one read). */
  readonly clock?: Clock;
}

/** How long status re-reads a view that misses the newest service deployment (ECS's eventual consistency), and how often. */
const STATUS_VIEW_GRACE_MS = 10_000;
const STATUS_VIEW_POLL_MS = 500;

/** The result document (`--json`). */
export interface StatusResult {
  readonly cluster: string;
  readonly services: readonly ServiceStatus[];
}

/**
 * Describes the services (one DescribeServices per 10) and the revisions their deployments use
 * (for the commit SHA and outcome), and summarises each: running revision, counts, every
 * deployment in flight, the latest events, deployment-configuration warnings, and ECS's record of the
 * current service deployment beside the revision's tags. Read-only.
 */
export async function run(options: StatusOptions, deps: StatusDeps): Promise<StatusResult> {
  if (options.services.length === 0) throw new ValidationError("status: pass at least one --service");
  const { services, missing } = await readServices(options, deps);
  const gone = [...missing, ...services.filter((s) => s.status === "INACTIVE").map((s) => s.serviceName ?? "")];
  if (gone.length > 0) throw new ValidationError(`service${gone.length > 1 ? "s" : ""} not found in cluster ${options.cluster}: ${gone.join(", ")} (check --service)`);
  const ecs = await currentServiceDeployments(services.flatMap((s) => (s.currentServiceDeployment !== undefined ? [s.currentServiceDeployment] : [])), deps);
  const arns = [...new Set([...services.flatMap((s) => [s.taskDefinition, ...(s.deployments ?? []).map((d) => d.taskDefinition)]), ...ecs.map((e) => e.taskDefinition)].filter((arn): arn is string => !!arn))];
  const records = await describeRevisions(deps.aws, arns, { signal: deps.signal });
  const byArn = new Map(records.map((r) => [r.arn, r]));
  const summaries = services.map((service) => withEcsDeployment(summarizeService(service, byArn), ecs.find((e) => e.serviceDeploymentArn === service.currentServiceDeployment), byArn));
  return { cluster: options.cluster, services: options.stoppedTasks ? await withStoppedTasks(options.cluster, summaries, deps) : summaries };
}

/** `--stopped-tasks`: each service's recently stopped tasks (why, and what their containers said last), per revision they ran. */
async function withStoppedTasks(cluster: string, summaries: readonly ServiceStatus[], deps: StatusDeps): Promise<ServiceStatus[]> {
  const out: ServiceStatus[] = [];
  for (const summary of summaries) {
    const tasks = await stoppedTasksOfService(deps.aws, cluster, summary.service, undefined, deps.signal);
    const stopped: StoppedTaskReason[] = [];
    for (const arn of [...new Set(tasks.map((t) => t.taskDefinitionArn ?? ""))].filter((a) => a !== "")) {
      stopped.push(...(await stoppedTasksWithLogs(summary.service, arn, stoppedTaskReasons(tasks.filter((t) => t.taskDefinitionArn === arn)), deps, { quiet: true })));
    }
    out.push({ ...summary, stoppedTasks: stopped });
  }
  return out;
}

/**
 * DescribeServices, checked against each service's newest service deployment (aws/service-view.ts): a
 * view that misses it is read again for a few seconds; one that still misses it is shown with a
 * warning that says so (status decides nothing from it).
 */
async function readServices(options: StatusOptions, deps: StatusDeps): Promise<{ services: Service[]; missing: readonly string[] }> {
  const clock: Clock = deps.clock ?? { now: () => 0, sleep: async () => undefined };
  const graceMs = deps.clock === undefined ? 0 : STATUS_VIEW_GRACE_MS;
  const checked = await describeServicesChecked({ aws: deps.aws, clock, signal: deps.signal }, options.cluster, options.services, { graceMs, pollIntervalMs: STATUS_VIEW_POLL_MS });
  if (checked.recordError !== undefined) deps.log.warn(`status: could not read ECS's service deployments (${checked.recordError.message}): the view below could not be confirmed as current`);
  for (const c of checked.services) {
    const name = c.service.serviceName ?? "";
    if (c.verdict.kind === "stale") deps.log.warn(`status: ${unconfirmedViewLine(name, c.verdict.newest, graceMs)}; what follows for ${name} may be older than its newest deployment`);
    else if (c.missed !== undefined) deps.log.info(staleViewLine(name, c.missed, c.rereads));
  }
  return { services: checked.services.map((c) => c.service), missing: checked.missing };
}

/**
 * ECS's record of each service's current service deployment and its target revision (digests): one
 * DescribeServiceDeployments and one DescribeServiceRevisions per 20 services. A second opinion: when
 * it cannot be read, status shows the tags alone.
 */
async function currentServiceDeployments(arns: readonly string[], deps: StatusDeps): Promise<EcsDeploymentEntry[]> {
  if (arns.length === 0) return [];
  try {
    const deployments = await describeServiceDeployments(deps.aws, arns, deps.signal);
    const revisionArns = [...new Set(deployments.flatMap((d) => (d.targetServiceRevision?.arn !== undefined ? [d.targetServiceRevision.arn] : [])))];
    const revisions = revisionArns.length > 0 ? await describeServiceRevisions(deps.aws, revisionArns, deps.signal) : [];
    return ecsDeploymentEntries(deployments, revisions);
  } catch (error) {
    if (!(error instanceof EcsReleaseError)) throw error;
    deps.log.warn(`status: could not read ECS's service deployments (${error.message}); showing the tags alone`);
    return [];
  }
}
