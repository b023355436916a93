import type { AwsClients } from "../aws/clients.js";
import { describeServices } from "../aws/ecs.js";
import { deregisterRevision, describeRevisions, listRegionUsage, RevisionLister } from "../aws/task-definitions.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { checkPruneRequest, goneSecretVersions, pruneLines, selectRevisionsToPrune, type GoneSecretVersions } from "../core/prune-selection.js";
import type { RevisionRecord } from "../core/revision-record.js";
import { secretVersionIds } from "../aws/secrets-manager.js";
import { parseRevisionName } from "../core/revision-record.js";
import { revisionUsers, scheduledUsers, type ScheduledUsers } from "../core/revision-usage.js";
import { listScheduledTaskTargets } from "../aws/schedules.js";

/** What `ecs-release prune` was asked to do. */
export interface PruneOptions {
  readonly families: readonly string[];
  /** With `services`: prune the families those services run. */
  readonly cluster?: string;
  readonly services: readonly string[];
  readonly keep: number;
  readonly dryRun: boolean;
}

/** What prune needs from outside. */
export interface PruneDeps {
  readonly aws: Pick<AwsClients, "ecs" | "events" | "scheduler" | "secretsManager" | "region">;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** One family's outcome. */
export interface PrunedFamily {
  readonly family: string;
  /** Newest first, with every reason. */
  readonly kept: ReadonlyArray<{ readonly revision: number; readonly arn: string; readonly reasons: readonly string[] }>;
  /** Deregistered (or, under --dry-run, would be), newest first. */
  readonly deregistered: ReadonlyArray<{ readonly revision: number; readonly arn: string }>;
  /** ACTIVE revisions that cannot start any more: Secrets Manager no longer has versions they reference (kept or not). */
  readonly unstartable: ReadonlyArray<{ readonly revision: number; readonly arn: string; readonly gone: readonly GoneSecretVersions[] }>;
}

/** The result document (`--json`). */
export interface PruneResult {
  readonly dryRun: boolean;
  readonly keep: number;
  /** The clusters whose services were checked for revisions in use. */
  readonly clustersChecked: readonly string[];
  readonly families: readonly PrunedFamily[];
}

/**
 * Deregisters ACTIVE revisions beyond the newest `keep` of each family, sparing every revision a
 * service uses (in any cluster of the region, not only --cluster: families are often shared), every
 * one an EventBridge rule or Scheduler schedule runs (schedules.ts), the rollback targets and
 * revisions tagged to keep (see selectRevisionsToPrune), counting as the newest N and as rollback
 * targets only revisions whose Secrets Manager versions still exist. Phases: verify (the
 * flags, the families), read (every cluster's services, each family's revisions), plan (pure), write.
 */
export async function run(options: PruneOptions, deps: PruneDeps): Promise<PruneResult> {
  checkPruneRequest(options);
  const families = await resolveFamilies(options, deps);
  const [region, scheduled] = await Promise.all([listRegionUsage(deps.aws, options.cluster, deps.signal), listScheduledTaskTargets(deps.aws, deps.signal)]);
  // Services of --cluster by name, those of other clusters with theirs ("api (cluster staging)").
  const usage = revisionUsers(region, options.cluster === undefined ? {} : { home: options.cluster });
  const others = scheduledUsers(scheduled);
  const results: PrunedFamily[] = [];
  for (const family of families) results.push(await pruneFamily(family, { services: usage, scheduled: others }, options, deps));
  return { dryRun: options.dryRun, keep: options.keep, clustersChecked: region.map((c) => c.cluster), families: results };
}

/** The families to prune: those given, and those the given services run. */
async function resolveFamilies(options: PruneOptions, deps: PruneDeps): Promise<Set<string>> {
  const families = new Set(options.families);
  if (options.cluster === undefined || options.services.length === 0) return families;
  const { services, missing } = await describeServices(deps.aws, options.cluster, options.services, deps.signal);
  if (missing.length > 0) throw new ValidationError(`service${missing.length > 1 ? "s" : ""} not found in cluster ${options.cluster}: ${missing.join(", ")} (check --service)`);
  for (const service of services) {
    const family = parseRevisionName(service.taskDefinition ?? "")?.family;
    if (family) families.add(family);
  }
  return families;
}

/** One family: read its ACTIVE revisions with tags, select (pure), say why, deregister (unless --dry-run). */
async function pruneFamily(
  family: string,
  usage: { readonly services: ReadonlyMap<string, readonly string[]>; readonly scheduled: ScheduledUsers },
  options: PruneOptions,
  deps: PruneDeps,
): Promise<PrunedFamily> {
  const arns = await new RevisionLister(deps.aws, family, "ACTIVE", deps.signal).next(Number.MAX_SAFE_INTEGER);
  if (arns.length === 0) {
    deps.log.warn(`${family}: no ACTIVE revisions (check --family)`);
    return { family, kept: [], deregistered: [], unstartable: [] };
  }
  const records = await describeRevisions(deps.aws, arns, { signal: deps.signal });
  const secretsGone = goneSecretVersions(records, await secretVersionsHeld(records, deps));
  const selection = selectRevisionsToPrune({ revisions: records, keep: options.keep, inUse: usage.services, otherUsers: usage.scheduled.byRevision, familyUsers: usage.scheduled.byFamily.get(family) ?? [], secretsGone });
  for (const line of pruneLines(family, selection, options.keep, options.dryRun)) deps.log.info(line);
  if (!options.dryRun) await mapConcurrently(selection.deregister, 2, (record) => deregisterRevision(deps.aws, record.arn));
  return {
    family,
    kept: selection.kept.map((k) => ({ revision: k.record.revision, arn: k.record.arn, reasons: k.reasons })),
    deregistered: selection.deregister.map((r) => ({ revision: r.revision, arn: r.arn })),
    unstartable: selection.unstartable.map((u) => ({ revision: u.record.revision, arn: u.record.arn, gone: u.gone })),
  };
}

/**
 * The versions Secrets Manager still has of each secret the revisions reference
 * (--secure-strings secretsmanager; ListSecretVersionIds, one listing per secret). Secrets Manager
 * removes unlabelled versions past 100 (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 * No call when no revision references one.
 */
async function secretVersionsHeld(records: readonly RevisionRecord[], deps: PruneDeps): Promise<Map<string, Set<string>>> {
  const secrets = [...new Set(records.filter((r) => r.status === "ACTIVE").flatMap((r) => Object.keys(r.secretVersions ?? {})))];
  const held = await mapConcurrently(secrets, 2, (secretArn) => secretVersionIds(deps.aws, secretArn, deps.signal));
  return new Map(secrets.map((secretArn, i) => [secretArn, held[i] ?? new Set<string>()]));
}
