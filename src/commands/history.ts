import type { Service } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { DESCRIBE_CONCURRENCY, describeRevisions, listClusterUsage, listRevisionArns, undescribedInactiveRecord } from "../aws/task-definitions.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import { ValidationError } from "../core/errors.js";
import { buildHistoryRows, withEcsRecord, type HistoryRow } from "../core/history.js";
import { serviceDeploymentHistory } from "../aws/service-deployments.js";
import type { EcsDeploymentEntry } from "../core/ecs-record.js";
import { EcsReleaseError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { environmentOf, inEnvironment, parseRevisionName, type RevisionRecord } from "../core/revision-record.js";
import { clusterName } from "../core/revision-usage.js";
import { judgeServiceView, newestRecordOfEntries, unconfirmedOutputLine } from "../core/service-view.js";

/** What `ecs-release history` was asked for. */
export interface HistoryOptions {
  /** Needed with `service`; with `family` it adds which services run each revision. */
  readonly cluster?: string;
  /** The service whose family to list. */
  readonly service?: string;
  readonly family?: string;
  readonly limit: number;
  /** With `service`: every environment's revisions, not only the service's. */
  readonly allEnvironments?: boolean;
}

/** What history needs from outside. */
export interface HistoryDeps {
  readonly aws: Pick<AwsClients, "ecs" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** The result document (`--json`). */
export interface HistoryResult {
  readonly family: string;
  /** The cluster whose services were checked for the live marker, or null. */
  readonly cluster: string | null;
  /** The environment shown (the service's), or null: every environment. */
  readonly environment: string | null;
  /** Newest first, at most `limit`. */
  readonly revisions: readonly HistoryRow[];
}

/**
 * Lists a family's revisions newest first, ACTIVE and INACTIVE. Reads only what `limit` needs:
 * two listings (ACTIVE and INACTIVE, newest first, stopping at `limit` each) and one
 * DescribeTaskDefinition per row shown, plus the cluster's services for the live marker. With
 * --service, also ECS's record of the service's newest `limit` deployments beside the tags, and only
 * the revisions of the service's environment (and those that record none) unless `allEnvironments`.
 */
export async function run(options: HistoryOptions, deps: HistoryDeps): Promise<HistoryResult> {
  const problems: string[] = [];
  if (!options.family && !options.service) problems.push("pass --family FAMILY, or --cluster with --service");
  if (options.service && !options.cluster) problems.push("--service needs --cluster");
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) problems.push(`--limit must be a positive whole number (got ${options.limit})`);
  if (problems.length > 0) throw new ValidationError(`history: ${problems.join("; ")}`, { problems });
  const cluster = options.cluster;

  // With --service, the cluster's services (read anyway for the live marker) also name the family:
  // one DescribeServices fewer than describing the service first.
  const serviceUsage = !options.family && cluster ? await listClusterUsage(deps.aws, cluster, deps.signal) : undefined;
  let family = options.family;
  let running: string | undefined;
  if (!family) {
    const service = serviceUsage?.services.find((s) => s.serviceName === options.service || s.serviceArn === options.service);
    if (!service) throw new ValidationError(`service "${options.service}" not found in cluster ${cluster} (check --service)`);
    running = service.taskDefinition;
    family = parseRevisionName(service.taskDefinition ?? "")?.family;
    if (!family) throw new ValidationError(`service ${options.service} has no task definition`);
  }

  const [active, inactive, usage, ecsRecord] = await Promise.all([
    listRevisionArns(deps.aws, family, options.limit, "ACTIVE", deps.signal),
    listRevisionArns(deps.aws, family, options.limit, "INACTIVE", deps.signal),
    serviceUsage ?? (cluster ? listClusterUsage(deps.aws, cluster, deps.signal) : undefined),
    options.service && cluster ? readEcsRecord(options.service, cluster, options.limit, deps) : undefined,
  ]);
  const revisionOf = (arn: string): number => parseRevisionName(arn)?.revision ?? 0;
  const newest = [...active, ...inactive].sort((a, b) => revisionOf(b) - revisionOf(a)).slice(0, options.limit);
  deps.log.debug(`history: ${family}: describing ${newest.length} revisions`);
  const described = await describeRevisions(deps.aws, newest, { signal: deps.signal });
  // An INACTIVE revision nothing runs any more is listed but not described: shown by name, status and tags.
  const undescribed = inactive.filter((arn) => newest.includes(arn) && !described.some((r) => r.arn === arn));
  const records = [...described, ...(await mapConcurrently(undescribed, DESCRIBE_CONCURRENCY, (arn) => undescribedInactiveRecord(deps.aws, arn, deps.signal))).flatMap((r) => r ?? [])];
  const environment = running !== undefined && !options.allEnvironments ? serviceEnvironment(records, running, cluster ?? "") : undefined;
  const rows = buildHistoryRows(records.filter((r) => inEnvironment(r, environment)), usage?.inUse ?? new Map(), options.limit);
  warnIfViewStale(usage?.services, ecsRecord, options.service, deps.log);
  return { family, cluster: cluster ?? null, environment: environment ?? null, revisions: ecsRecord !== undefined ? withEcsRecord(rows, ecsRecord, Date.now()) : rows };
}

/** The service's environment: what the revision it runs records, else its cluster's name (release's default). */
function serviceEnvironment(records: readonly RevisionRecord[], running: string, cluster: string): string {
  const current = records.find((r) => r.arn === running);
  return (current && environmentOf(current)) ?? clusterName(cluster);
}

/**
 * With --service: ECS's record of the service's newest `limit` deployments (bounded by --limit: one
 * ListServiceDeployments page per 100, one DescribeServiceRevisions per 20). ECS's record is a second
 * opinion: when it cannot be read (say, a role without the permission), the tags stand alone.
 */
async function readEcsRecord(service: string, cluster: string, limit: number, deps: HistoryDeps): Promise<EcsDeploymentEntry[] | undefined> {
  try {
    return await serviceDeploymentHistory(deps.aws, cluster, service, limit, deps.signal);
  } catch (error) {
    if (!(error instanceof EcsReleaseError)) throw error;
    deps.log.warn(`history: could not read ECS's service deployments of ${service} (${error.message}); showing the tags alone`);
    return undefined;
  }
}

/** With --service: says when the running marks come from a DescribeServices view that misses the service's newest service deployment. */
function warnIfViewStale(services: readonly Service[] | undefined, ecsRecord: readonly EcsDeploymentEntry[] | undefined, name: string | undefined, log: Logger): void {
  const service = services?.find((s) => s.serviceName === name || s.serviceArn === name);
  const verdict = service !== undefined && ecsRecord !== undefined ? judgeServiceView(service, newestRecordOfEntries(ecsRecord)) : undefined;
  if (verdict?.kind === "stale") log.warn(unconfirmedOutputLine("history", name ?? "", verdict.newest, "the running marks (*)"));
}
