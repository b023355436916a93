/**
 * Which revision `rollback` points a service at, and which revisions it deregisters afterwards.
 * Pure: the I/O shell reads revisions newest first and asks again ("need-more") until the choice is
 * made, so paging never mixes with the rule (ecspresso's weak spot).
 */
import { ValidationError } from "./errors.js";
import {
  environmentOf,
  formatRevisionName,
  inEnvironment,
  isKnownBad,
  isKnownGood,
  isTaggedKeep,
  newestFirst,
  parseRevisionName,
  type RevisionName,
  type RevisionRecord,
} from "./revision-record.js";
import { TAG } from "./tags.js";

/** What `--to` asks for. */
export type RollbackTo =
  /** The newest revision older than the running one whose rollout was recorded as stable. */
  | { readonly kind: "previous" }
  /** That revision number of each service's own family. */
  | { readonly kind: "revision"; readonly revision: number }
  /** `family:revision` or a task definition ARN. */
  | { readonly kind: "name"; readonly family: string; readonly revision: number }
  /** The newest ACTIVE revision that runs this commit (full SHA or a prefix of at least 7). */
  | { readonly kind: "sha"; readonly sha: string };

/** Parses `--to`: previous | REVISION | FAMILY:REVISION | ARN | sha:SHA. Throws ValidationError. */
export function parseRollbackTo(text: string): RollbackTo {
  const value = text.trim();
  if (value === "" || value === "previous") return { kind: "previous" };
  if (/^\d+$/.test(value)) {
    const revision = Number(value);
    if (Number.isSafeInteger(revision) && revision > 0) return { kind: "revision", revision };
  }
  const sha = /^sha:([0-9a-fA-F]{7,40})$/.exec(value);
  if (sha?.[1]) return { kind: "sha", sha: sha[1].toLowerCase() };
  const name = parseRevisionName(value);
  if (name) return { kind: "name", family: name.family, revision: name.revision };
  throw new ValidationError(
    `--to "${text}" is not a rollback target: use previous, a revision number (42), FAMILY:REVISION (web:42), a task definition ARN, or sha:COMMIT (at least 7 hex digits)`,
  );
}

/** `--to` as people write it. */
export function formatRollbackTo(to: RollbackTo): string {
  switch (to.kind) {
    case "previous":
      return "previous";
    case "revision":
      return String(to.revision);
    case "name":
      return formatRevisionName(to);
    case "sha":
      return `sha:${to.sha}`;
  }
}

/** Input of {@link selectRollbackTarget}. */
export interface RollbackTargetInput {
  readonly to: RollbackTo;
  /** The revision the service runs now. */
  readonly current: RevisionName;
  /**
   * Revisions of the current family read so far, with tags. For `previous` and `sha:` this must be
   * every ACTIVE revision from the newest (or from the current) down to the oldest one read: a
   * contiguous newest-first prefix. INACTIVE ones may be present or not. For a revision number or
   * name, the one revision asked for (or none when it does not exist).
   */
  readonly revisions: readonly RevisionRecord[];
  /** True when no older revision remains to be read (or the read budget is spent). */
  readonly exhausted: boolean;
  /**
   * The service's environment (environmentOf the revision it runs, else its cluster's name): `previous`
   * and `sha:` choose among the revisions of that environment and those that record none
   * (inEnvironment). Undefined: every revision, as before environments were recorded.
   */
  readonly environment?: string | undefined;
}

/** The choice, or a request to read further back, or why there is none (exit 2). */
export type RollbackTargetDecision =
  | { readonly status: "found"; readonly target: RevisionRecord; readonly note?: string }
  | { readonly status: "need-more" }
  | { readonly status: "none"; readonly reason: string };

/**
 * Chooses the rollback target, within the service's environment (`environment`, see inEnvironment).
 * - `previous`: the newest ACTIVE revision older than the current one recorded as stable
 *   (TAG.outcome=stable). When the family has no such record, the next older ACTIVE revision that
 *   is not recorded as failed or rolled back, with a note saying so.
 * - a number or `family:revision`/ARN: exactly that revision; it must exist, be ACTIVE, and (for a
 *   name) belong to the family the service runs.
 * - `sha:`: the newest ACTIVE revision running that commit recorded as stable, else the newest one
 *   not recorded as bad (with a note); never one recorded as failed.
 */
export function selectRollbackTarget(input: RollbackTargetInput): RollbackTargetDecision {
  const { to, current } = input;
  const family = current.family;
  const revisions = newestFirst(input.revisions.filter((r) => r.family === family));
  const environment = input.environment;
  const own = revisions.filter((r) => inEnvironment(r, environment));
  switch (to.kind) {
    case "previous":
      return withEnvironmentNote(selectPrevious(current, own, input.exhausted), environment);
    case "sha":
      return withEnvironmentNote(selectBySha(to.sha, family, own, input.exhausted, otherEnvironments(revisions, own, environment)), environment);
    case "revision":
    case "name": {
      const name = { family: to.kind === "name" ? to.family : family, revision: to.revision };
      if (name.family !== family) {
        return { status: "none", reason: `--to ${formatRevisionName(name)} is of family ${name.family}, but the service runs family ${family}` };
      }
      const record = revisions.find((r) => r.revision === name.revision);
      if (!record) {
        if (!input.exhausted) return { status: "need-more" };
        return { status: "none", reason: `${formatRevisionName(name)} does not exist` };
      }
      if (record.status !== "ACTIVE") {
        const sha = record.tags[TAG.sha];
        const again = sha ? ` (release commit ${sha.slice(0, 12)} again instead: ecs-release release --sha ${sha})` : "";
        return { status: "none", reason: `${formatRevisionName(name)} is ${record.status}: ECS cannot start tasks from it${again}` };
      }
      const notes = [
        isKnownBad(record) ? `${formatRevisionName(record)} is recorded as ${record.tags[TAG.outcome]}; rolling back to it because --to names it` : undefined,
        inEnvironment(record, environment) ? undefined : `${formatRevisionName(record)} was released to environment ${environmentOf(record)}, not ${environment}; rolling back to it because --to names it`,
      ].filter((note): note is string => note !== undefined);
      return found(record, notes.length > 0 ? notes.join("; ") : undefined);
    }
  }
}

function selectPrevious(current: RevisionName, revisions: readonly RevisionRecord[], exhausted: boolean): RollbackTargetDecision {
  const older = revisions.filter((r) => r.revision < current.revision && r.status === "ACTIVE");
  const good = older.find(isKnownGood);
  if (good) return found(good);
  if (!exhausted) return { status: "need-more" };
  // A revision that never ran a task (desired count 0) proves nothing: not even a fallback.
  const fallback = older.find((r) => !isKnownBad(r) && r.tags[TAG.outcome] !== "never-ran");
  if (fallback) {
    return found(
      fallback,
      `no ACTIVE revision of ${current.family} older than ${formatRevisionName(current)} is recorded as stable: falling back to the next older ACTIVE revision not recorded as bad, ${formatRevisionName(fallback)}`,
    );
  }
  const bad = older.length > 0 ? ` (the older ACTIVE ones are recorded as failed or rolled back: ${older.map((r) => r.revision).join(", ")}; name one with --to to use it anyway)` : "";
  return { status: "none", reason: `no ACTIVE revision of ${current.family} older than ${formatRevisionName(current)} to roll back to${bad}` };
}

/** A note when the target records no environment while the service's is known: it may be another environment's. */
function withEnvironmentNote(decision: RollbackTargetDecision, environment: string | undefined): RollbackTargetDecision {
  if (decision.status !== "found" || environment === undefined || environmentOf(decision.target) !== undefined) return decision;
  const note = `${formatRevisionName(decision.target)} records no environment (released before environments were recorded, or registered by hand): check it is ${environment}'s`;
  return found(decision.target, decision.note === undefined ? note : `${decision.note}; ${note}`);
}

/** The environments, other than `environment`, of ACTIVE revisions left out by it (for the reason when nothing is found). */
function otherEnvironments(revisions: readonly RevisionRecord[], own: readonly RevisionRecord[], environment: string | undefined): (sha: string) => string {
  return (sha) => {
    const others = revisions.filter((r) => r.status === "ACTIVE" && !own.includes(r) && runsCommit(r, sha)).map((r) => `${formatRevisionName(r)} (${environmentOf(r)})`);
    return others.length > 0 ? `; only other environments' revisions run it: ${others.join(", ")} — name one with --to FAMILY:REVISION to use it anyway, or release it to ${environment}` : "";
  };
}

function selectBySha(sha: string, family: string, revisions: readonly RevisionRecord[], exhausted: boolean, elsewhere: (sha: string) => string = () => ""): RollbackTargetDecision {
  const matching = revisions.filter((r) => r.status === "ACTIVE" && runsCommit(r, sha));
  const good = matching.find(isKnownGood);
  if (good) return found(good);
  if (!exhausted) return { status: "need-more" };
  const fallback = matching.find((r) => !isKnownBad(r));
  if (fallback) return found(fallback, `${formatRevisionName(fallback)} runs commit ${sha} but its rollout is not recorded as stable`);
  if (matching.length > 0) {
    return {
      status: "none",
      reason: `every ACTIVE revision of ${family} running commit ${sha} is recorded as failed or rolled back (${matching.map(formatRevisionName).join(", ")}): name one with --to FAMILY:REVISION to use it anyway`,
    };
  }
  const others = elsewhere(sha);
  if (others !== "") return { status: "none", reason: `no ACTIVE revision of ${family} in this environment runs commit ${sha}${others}` };
  return { status: "none", reason: `no ACTIVE revision of ${family} runs commit ${sha} (to deploy it, release it again: ecs-release release --sha ${sha})` };
}

/** True when the revision runs the commit: TAG.sha (or the image tag) starts with `sha`. */
export function runsCommit(record: Pick<RevisionRecord, "tags" | "image">, sha: string): boolean {
  const wanted = sha.toLowerCase();
  const tagged = record.tags[TAG.sha]?.toLowerCase();
  if (tagged) return tagged.startsWith(wanted);
  const imageTag = record.image?.split("@")[0]?.split(":").pop()?.toLowerCase();
  return imageTag !== undefined && /^[0-9a-f]{7,40}$/.test(imageTag) && imageTag.startsWith(wanted);
}

function found(target: RevisionRecord, note: string | undefined = undefined): RollbackTargetDecision {
  return note === undefined ? { status: "found", target } : { status: "found", target, note };
}

/** Input of {@link selectRevisionsToDeregister}. */
export interface DeregisterInput {
  readonly target: RevisionRecord;
  /** The revision(s) the services ran before the rollback. */
  readonly rolledBackFrom: readonly RevisionRecord[];
  /** Every revision of the family known newer than the target (more is fine). */
  readonly revisions: readonly RevisionRecord[];
  /** Task definition ARN → services (in any cluster of the region) whose deployments still use it. */
  readonly inUse: ReadonlyMap<string, readonly string[]>;
}

/** A revision rollback leaves registered although it would otherwise deregister it, and why. */
export interface SparedRevision {
  readonly record: RevisionRecord;
  readonly reason: string;
}

/** What rollback deregisters after every service is stable on the target. */
export interface DeregisterSelection {
  /** Newest first. */
  readonly deregister: readonly RevisionRecord[];
  readonly spared: readonly SparedRevision[];
}

/**
 * The revisions to deregister after a rollback: the ones rolled back from and the ones newer than
 * the target recorded as failed — ACTIVE ones only, never the target, never one still used by a
 * service in any cluster of the region, never one tagged to be kept.
 */
export function selectRevisionsToDeregister(input: DeregisterInput): DeregisterSelection {
  const { target } = input;
  const candidates = new Map<string, RevisionRecord>();
  for (const record of input.rolledBackFrom) candidates.set(record.arn, record);
  for (const record of input.revisions) {
    if (record.family === target.family && record.revision > target.revision && record.tags[TAG.outcome] === "failed") candidates.set(record.arn, record);
  }
  const deregister: RevisionRecord[] = [];
  const spared: SparedRevision[] = [];
  for (const record of newestFirst([...candidates.values()])) {
    if (record.arn === target.arn || record.status !== "ACTIVE") continue;
    const users = input.inUse.get(record.arn) ?? [];
    if (users.length > 0) spared.push({ record, reason: `still used by ${[...users].sort().join(", ")}` });
    else if (isTaggedKeep(record)) spared.push({ record, reason: `tagged ${TAG.keep}=true` });
    else deregister.push(record);
  }
  return { deregister, spared };
}
