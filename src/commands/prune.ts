import type { AwsClients } from "../aws/clients.js";
import { describeServices } from "../aws/ecs.js";
import { deregisterRevision, describeRevisions, listRegionUsage, mapConcurrently, mergeUsage, RevisionLister } from "../aws/task-definitions.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { selectRevisionsToPrune } from "../core/prune-selection.js";
import { formatRevisionName, parseRevisionName } from "../core/revision-record.js";

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
  readonly aws: Pick<AwsClients, "ecs" | "region">;
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
 * service uses (in any cluster of the region, not only --cluster: families are often shared), the
 * rollback targets and revisions tagged to keep (see selectRevisionsToPrune).
 */
export async function run(options: PruneOptions, deps: PruneDeps): Promise<PruneResult> {
  const problems: string[] = [];
  if (options.families.length === 0 && options.services.length === 0) problems.push("pass --family FAMILY, or --cluster with --service");
  if (options.services.length > 0 && !options.cluster) problems.push("--service needs --cluster");
  if (!Number.isSafeInteger(options.keep) || options.keep < 1) problems.push(`--keep must be a whole number of at least 1 (got ${options.keep})`);
  if (problems.length > 0) throw new ValidationError(`prune: ${problems.join("; ")}`, { problems });

  const families = new Set(options.families);
  if (options.services.length > 0) {
    const { services, missing } = await describeServices(deps.aws, options.cluster as string, options.services, deps.signal);
    if (missing.length > 0) throw new ValidationError(`service${missing.length > 1 ? "s" : ""} not found in cluster ${options.cluster}: ${missing.join(", ")} (check --service)`);
    for (const service of services) {
      const family = parseRevisionName(service.taskDefinition ?? "")?.family;
      if (family) families.add(family);
    }
  }

  const region = await listRegionUsage(deps.aws, options.cluster, deps.signal);
  const clusters = region.map((c) => c.cluster);
  const usage = mergeUsage(region.map((u) => u.inUse));

  const results: PrunedFamily[] = [];
  for (const family of families) {
    const arns = await new RevisionLister(deps.aws, family, "ACTIVE", deps.signal).next(Number.MAX_SAFE_INTEGER);
    if (arns.length === 0) {
      deps.log.warn(`${family}: no ACTIVE revisions (check --family)`);
      results.push({ family, kept: [], deregistered: [] });
      continue;
    }
    const records = await describeRevisions(deps.aws, arns, { signal: deps.signal });
    const selection = selectRevisionsToPrune({ revisions: records, keep: options.keep, inUse: usage });
    // Say why each revision beyond the newest N stays.
    for (const kept of selection.kept.slice(options.keep)) deps.log.info(`${formatRevisionName(kept.record)}: kept (${kept.reasons.join("; ")})`);
    if (selection.deregister.length === 0) deps.log.info(`${family}: nothing to prune (${selection.kept.length} ACTIVE revisions kept)`);
    else {
      const count = `${selection.deregister.length} revision${selection.deregister.length === 1 ? "" : "s"}`;
      deps.log.info(`${family}: ${options.dryRun ? "would deregister" : "deregistering"} ${count}, keeping ${selection.kept.length}: ${selection.deregister.map((r) => formatRevisionName(r)).join(", ")}`);
    }
    if (!options.dryRun) await mapConcurrently(selection.deregister, 2, (record) => deregisterRevision(deps.aws, record.arn));
    results.push({
      family,
      kept: selection.kept.map((k) => ({ revision: k.record.revision, arn: k.record.arn, reasons: k.reasons })),
      deregistered: selection.deregister.map((r) => ({ revision: r.revision, arn: r.arn })),
    });
  }
  return { dryRun: options.dryRun, keep: options.keep, clustersChecked: clusters, families: results };
}
