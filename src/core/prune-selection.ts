/**
 * Which revisions `prune` deregisters. Pure: the shell reads the family's ACTIVE revisions with
 * their tags and which revisions services use; this decides, with a reason for every one kept.
 */
import { formatRevisionName, isKnownGood, isTaggedKeep, newestFirst, type RevisionRecord } from "./revision-record.js";
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
 * Keeps the newest `keep` ACTIVE revisions, every revision in use by a service, the rollback
 * targets (the newest known-good revision, and for each revision in use the one `rollback
 * previous` would choose from it), and revisions tagged TAG.keep=true; deregisters the rest.
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
      const decision = selectRollbackTarget({ to: { kind: "previous" }, current: record, revisions: active, exhausted: true });
      if (decision.status === "found") add(decision.target, `rollback target of ${formatRevisionName(record)}`);
    }
    if (isTaggedKeep(record)) add(record, `tagged ${TAG.keep}=true`);
  }
  const newestGood = active.find(isKnownGood);
  if (newestGood) add(newestGood, "newest known-good (rollback target)");

  const kept: KeptRevision[] = [];
  const deregister: RevisionRecord[] = [];
  for (const record of active) {
    const why = reasons.get(record.arn);
    if (why) kept.push({ record, reasons: why });
    else deregister.push(record);
  }
  return { kept, deregister };
}
