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
}

/**
 * Keeps the newest `keep` ACTIVE revisions, every revision in use by a service or run by an
 * EventBridge rule or Scheduler schedule (the latest one when they name the family), the rollback
 * targets (the newest known-good revision of each environment, and for each revision in use the one
 * `rollback previous` would choose from it, within its environment), and revisions tagged
 * TAG.keep=true; deregisters the rest.
 */
export function selectRevisionsToPrune(input: PruneInput): PruneSelection {
  const active = newestFirst(input.revisions.filter((r) => r.status === "ACTIVE"));
  const reasons = new Map<string, string[]>();
  const add = (record: RevisionRecord, reason: string): void => {
    const list = reasons.get(record.arn) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(record.arn, list);
  };

  active.slice(0, Math.max(0, input.keep)).forEach((record) => add(record, `among the newest ${input.keep}`));
  for (const record of active) {
    const users = input.inUse.get(record.arn) ?? [];
    if (users.length > 0) {
      add(record, `in use by ${[...users].sort().join(", ")}`);
      // Its rollback target is taken within its own environment, as rollback takes it.
      const decision = selectRollbackTarget({ to: { kind: "previous" }, current: record, revisions: active, exhausted: true, environment: environmentOf(record) });
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
    const newestGood = active.find((r) => isKnownGood(r) && (environment === undefined ? environmentOf(r) === undefined : inEnvironment(r, environment)));
    if (newestGood) add(newestGood, environment === undefined ? "newest known-good (rollback target)" : `newest known-good of environment ${environment} (rollback target)`);
  }

  const kept: KeptRevision[] = [];
  const deregister: RevisionRecord[] = [];
  for (const record of active) {
    const why = reasons.get(record.arn);
    if (why) kept.push({ record, reasons: why });
    else deregister.push(record);
  }
  return { kept, deregister };
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
  const lines = selection.kept.slice(keep).map((kept) => `${formatRevisionName(kept.record)}: kept (${kept.reasons.join("; ")})`);
  if (selection.deregister.length === 0) return [...lines, `${family}: nothing to prune (${selection.kept.length} ACTIVE revisions kept)`];
  const count = `${selection.deregister.length} revision${selection.deregister.length === 1 ? "" : "s"}`;
  return [...lines, `${family}: ${dryRun ? "would deregister" : "deregistering"} ${count}, keeping ${selection.kept.length}: ${selection.deregister.map((r) => formatRevisionName(r)).join(", ")}`];
}
