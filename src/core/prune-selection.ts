/**
 * Which revisions `prune` deregisters. Pure: the shell reads the family's ACTIVE revisions with
 * their tags and which revisions services use; this decides, with a reason for every one kept.
 */
import { ValidationError } from "./errors.js";
import { environmentOf, formatRevisionName, inEnvironment, isKnownGood, isTaggedKeep, newestFirst, type RevisionRecord } from "./revision-record.js";
import { selectRollbackTarget } from "./rollback-target.js";
import { TAG } from "./tags.js";

/** Input of {@link selectRevisionsToPrune}. */
export interface PruneInput {
  /** ACTIVE revisions of one family, with tags (others are ignored). */
  readonly revisions: readonly RevisionRecord[];
  /** How many of the newest ACTIVE revisions to keep in any case. */
  readonly keep: number;
  /** Task definition ARN → services whose deployments use it. */
  readonly inUse: ReadonlyMap<string, readonly string[]>;
  /**
   * `family:revision` → what else runs it (an EventBridge rule's target, a Scheduler schedule) by
   * naming that revision; family-wide users (a target naming the family, which runs its latest ACTIVE
   * revision) are in `familyUsers`.
   */
  readonly otherUsers?: ReadonlyMap<string, readonly string[]>;
  /** What runs the family's latest ACTIVE revision (a rule or schedule naming the family without a revision). */
  readonly familyUsers?: readonly string[];
  /**
   * Revision ARN → the Secrets Manager versions it references that are gone (--secure-strings
   * secretsmanager): Secrets Manager removes unlabelled versions past 100
   * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html), and ECS
   * cannot start a task whose secret it cannot fetch. Such a revision is no rollback target.
   */
  readonly secretsGone?: ReadonlyMap<string, readonly GoneSecretVersions[]>;
}

/** The versions of one secret a revision references that Secrets Manager no longer has. */
export interface GoneSecretVersions {
  readonly secretArn: string;
  readonly versionIds: readonly string[];
}

/** A revision that cannot start any more, and why. */
export interface UnstartableRevision {
  readonly record: RevisionRecord;
  readonly gone: readonly GoneSecretVersions[];
}

/** A revision prune keeps, and every reason it is kept. */
export interface KeptRevision {
  readonly record: RevisionRecord;
  readonly reasons: readonly string[];
}

/** What prune keeps and deregisters, newest first. */
export interface PruneSelection {
  readonly kept: readonly KeptRevision[];
  readonly deregister: readonly RevisionRecord[];
  /** The ACTIVE revisions whose secret versions are gone (kept or not), newest first. */
  readonly unstartable: readonly UnstartableRevision[];
}

/**
 * The versions each revision pins (RevisionRecord.secretVersions) that are not among `have` (secret
 * ARN → the version ids Secrets Manager still has; a secret not in `have` was not read: nothing gone).
 */
export function goneSecretVersions(revisions: readonly RevisionRecord[], have: ReadonlyMap<string, ReadonlySet<string>>): Map<string, GoneSecretVersions[]> {
  const gone = new Map<string, GoneSecretVersions[]>();
  for (const record of revisions) {
    const missing = Object.entries(record.secretVersions ?? {}).flatMap(([secretArn, ids]) => {
      const known = have.get(secretArn);
      const versionIds = known === undefined ? [] : ids.filter((id) => !known.has(id));
      return versionIds.length === 0 ? [] : [{ secretArn, versionIds }];
    });
    if (missing.length > 0) gone.set(record.arn, missing);
  }
  return gone;
}

/**
 * Keeps the newest `keep` ACTIVE revisions, every revision in use by a service or run by an
 * EventBridge rule or Scheduler schedule (the latest one when they name the family), the rollback
 * targets (the newest known-good revision of each environment, and for each revision in use the one
 * `rollback previous` would choose from it, within its environment), and revisions tagged
 * TAG.keep=true; deregisters the rest. A revision whose secret versions are gone (`secretsGone`)
 * cannot start: it counts neither among the newest N nor as a rollback target, but one in use,
 * run by a rule or tagged to keep stays.
 */
export function selectRevisionsToPrune(input: PruneInput): PruneSelection {
  const active = newestFirst(input.revisions.filter((r) => r.status === "ACTIVE"));
  const gone = input.secretsGone ?? new Map<string, readonly GoneSecretVersions[]>();
  const startable = active.filter((r) => !gone.has(r.arn));
  const reasons = new Map<string, string[]>();
  const add = (record: RevisionRecord, reason: string): void => {
    const list = reasons.get(record.arn) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(record.arn, list);
  };

  startable.slice(0, Math.max(0, input.keep)).forEach((record) => add(record, newestReason(input.keep)));
  for (const record of active) {
    const users = input.inUse.get(record.arn) ?? [];
    if (users.length > 0) {
      add(record, `in use by ${[...users].sort().join(", ")}`);
      // Its rollback target is taken within its own environment, as rollback takes it.
      const candidates = active.filter((r) => r === record || !gone.has(r.arn));
      const decision = selectRollbackTarget({ to: { kind: "previous" }, current: record, revisions: candidates, exhausted: true, environment: environmentOf(record) });
      if (decision.status === "found") add(decision.target, `rollback target of ${formatRevisionName(record)}`);
    }
    const others = input.otherUsers?.get(formatRevisionName(record)) ?? [];
    if (others.length > 0) add(record, `run by ${[...others].sort().join(", ")}`);
    if (isTaggedKeep(record)) add(record, `tagged ${TAG.keep}=true`);
  }
  const latest = active[0];
  if (latest && (input.familyUsers ?? []).length > 0) add(latest, `latest ACTIVE revision, run by ${[...(input.familyUsers ?? [])].sort().join(", ")}`);
  // The newest known-good revision of each environment recorded (and of those that record none).
  for (const environment of new Set(active.map(environmentOf))) {
    const newestGood = startable.find((r) => isKnownGood(r) && (environment === undefined ? environmentOf(r) === undefined : inEnvironment(r, environment)));
    if (newestGood) add(newestGood, environment === undefined ? "newest known-good (rollback target)" : `newest known-good of environment ${environment} (rollback target)`);
  }

  const kept: KeptRevision[] = [];
  const deregister: RevisionRecord[] = [];
  for (const record of active) {
    const why = reasons.get(record.arn);
    if (why) kept.push({ record, reasons: why });
    else deregister.push(record);
  }
  const unstartable = active.flatMap((record) => {
    const versions = gone.get(record.arn);
    return versions === undefined ? [] : [{ record, gone: versions }];
  });
  return { kept, deregister, unstartable };
}

function newestReason(keep: number): string {
  return `among the newest ${keep}`;
}

/** The flags `prune` checks before calling AWS. */
export interface PruneRequest {
  readonly families: readonly string[];
  readonly cluster?: string | undefined;
  readonly services: readonly string[];
  readonly keep: number;
}

/** Checks the flags that need no AWS call; throws one ValidationError (exit 2) naming every problem. */
export function checkPruneRequest(request: PruneRequest): void {
  const problems: string[] = [];
  if (request.families.length === 0 && request.services.length === 0) problems.push("pass --family FAMILY, or --cluster with --service");
  if (request.services.length > 0 && !request.cluster) problems.push("--service needs --cluster");
  if (!Number.isSafeInteger(request.keep) || request.keep < 1) problems.push(`--keep must be a whole number of at least 1 (got ${request.keep})`);
  if (problems.length > 0) throw new ValidationError(`prune: ${problems.join("; ")}`, { problems });
}

/** What prune says about one family's selection: why each revision beyond the newest `keep` stays, then the summary. */
export function pruneLines(family: string, selection: PruneSelection, keep: number, dryRun: boolean): string[] {
  const lines = selection.kept.filter((kept) => !kept.reasons.includes(newestReason(keep))).map((kept) => `${formatRevisionName(kept.record)}: kept (${kept.reasons.join("; ")})`);
  for (const { record, gone } of selection.unstartable) {
    const kept = selection.kept.find((k) => k.record.arn === record.arn);
    const what = gone.map((g) => `${g.versionIds.length === 1 ? "version" : "versions"} ${g.versionIds.join(", ")} of ${g.secretArn}`).join("; ");
    const fate = kept ? `kept (${kept.reasons.join("; ")})` : `not counted among the newest ${keep} nor as a rollback target`;
    lines.push(`${formatRevisionName(record)}: cannot start a task any more: Secrets Manager no longer has ${what} (it removes unlabelled versions past 100); ${fate}`);
  }
  if (selection.deregister.length === 0) return [...lines, `${family}: nothing to prune (${selection.kept.length} ACTIVE revisions kept)`];
  const count = `${selection.deregister.length} revision${selection.deregister.length === 1 ? "" : "s"}`;
  return [...lines, `${family}: ${dryRun ? "would deregister" : "deregistering"} ${count}, keeping ${selection.kept.length}: ${selection.deregister.map((r) => formatRevisionName(r)).join(", ")}`];
}
