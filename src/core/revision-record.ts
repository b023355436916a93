/**
 * A task definition revision as rollback, history and prune see it: where it sits in its family,
 * whether ECS still lets it start tasks, and what ecs-release recorded about it in its tags.
 */
import { isFailure, type DeploymentCounts, type RolloutStateKind } from "./rollout-state.js";
import { TAG, type TagMap } from "./tags.js";

/** One revision of a task definition family, with its tags. */
export interface RevisionRecord {
  /** Full task definition ARN. */
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  /** ACTIVE, INACTIVE or DELETE_IN_PROGRESS (only ACTIVE revisions can start tasks). */
  readonly status: string;
  readonly tags: TagMap;
  /** The application image, when known (from TAG.image or the first container). */
  readonly image?: string;
  /** Every container's image, when the revision was described. */
  readonly images?: readonly string[];
  /** ISO-8601 registration time, when known. */
  readonly registeredAt?: string;
  /** The versions of ecs-release's Secrets Manager snapshots its containers reference (secret ARN → version ids), when described and any. */
  readonly secretVersions?: Readonly<Record<string, readonly string[]>>;
}

/** How a revision's rollout ended, as shown to people. */
export type OutcomeLabel = "stable" | "failed" | "rolled back" | "not released" | "never ran" | "unknown";

/** A family and revision named by an ARN or `family:revision`. */
export interface RevisionName {
  readonly family: string;
  readonly revision: number;
}

const ARN_PATTERN = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const NAME_PATTERN = /^([A-Za-z0-9_-]{1,255}):(\d+)$/;

/** Parses `arn:aws:ecs:…:task-definition/family:12` or `family:12`; undefined when it is neither. */
export function parseRevisionName(text: string): RevisionName | undefined {
  const match = ARN_PATTERN.exec(text) ?? NAME_PATTERN.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const revision = Number(match[2]);
  return Number.isSafeInteger(revision) && revision > 0 ? { family: match[1], revision } : undefined;
}

/** `family:revision`, the short name people read. */
/**
 * A revision ECS lists as INACTIVE but no longer describes: its name and status, without its body or
 * tags. "You can only describe INACTIVE task definitions while an active task or service references
 * them" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html):
 * DescribeTaskDefinition answers ClientException "Unable to describe task definition." for the others,
 * while ListTaskDefinitions (status INACTIVE) still names them. Its tags (the release record) are
 * still read with ListTagsForResource, which takes any task definition ARN.
 */
export function undescribedInactive(arn: string, tags: Readonly<Record<string, string>> = {}): RevisionRecord | undefined {
  const name = parseRevisionName(arn);
  return name === undefined ? undefined : { arn, family: name.family, revision: name.revision, status: "INACTIVE", tags: { ...tags } };
}

export function formatRevisionName(name: RevisionName): string {
  return `${name.family}:${name.revision}`;
}

/** The recorded outcome of a revision's rollout (TAG.outcome), for people. */
export function outcomeOf(record: Pick<RevisionRecord, "tags">): OutcomeLabel {
  switch (record.tags[TAG.outcome]) {
    case "stable":
      return "stable";
    case "failed":
      return "failed";
    case "rolled-back":
      return "rolled back";
    case "not-released":
      return "not released";
    case "never-ran":
      return "never ran";
    default:
      return "unknown";
  }
}

/** True when ecs-release recorded the revision's rollout as stable: a known-good revision. */
export function isKnownGood(record: Pick<RevisionRecord, "tags">): boolean {
  return record.tags[TAG.outcome] === "stable";
}

/** True when the revision is recorded as bad: its rollout failed or it was rolled back from. */
export function isKnownBad(record: Pick<RevisionRecord, "tags">): boolean {
  const outcome = record.tags[TAG.outcome];
  return outcome === "failed" || outcome === "rolled-back";
}

/** The environment recorded on the revision (TAG.environment); undefined for one released before environments were recorded, or registered by hand. */
export function environmentOf(record: Pick<RevisionRecord, "tags">): string | undefined {
  const value = record.tags[TAG.environment];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * True when the revision may stand for `environment`: it was released to it, or it records no
 * environment (released before environments were recorded, or registered by hand: it belongs to
 * every environment, as every revision did before). Any revision when `environment` is undefined.
 */
export function inEnvironment(record: Pick<RevisionRecord, "tags">, environment: string | undefined): boolean {
  const recorded = environmentOf(record);
  return environment === undefined || recorded === undefined || recorded === environment;
}

/** True when the revision is tagged to be kept forever (TAG.keep=true). */
export function isTaggedKeep(record: Pick<RevisionRecord, "tags">): boolean {
  return /^(true|yes|1)$/i.test(record.tags[TAG.keep] ?? "");
}

/** Revisions sorted newest first (a copy). */
export function newestFirst<T extends Pick<RevisionRecord, "revision">>(records: readonly T[]): T[] {
  return [...records].sort((a, b) => b.revision - a.revision);
}

/** The outcomes release records on the revisions it registered. */
export type RecordedOutcome = "stable" | "failed" | "never-ran";

/**
 * The outcome to record on a revision from the rollouts to it: failed as soon as one failed
 * (superseded rollouts say nothing about the revision); when every one completed, stable — unless
 * none of them wanted a task (each deployment ended with a desired count of 0 and nothing running:
 * ECS completes such a deployment at once, and no task of the revision ever ran), then never-ran;
 * else none.
 */
export function revisionOutcome(outcomes: ReadonlyArray<{ readonly state: RolloutStateKind; readonly counts?: readonly DeploymentCounts[] }>): RecordedOutcome | null {
  const judged = outcomes.filter((o) => o.state !== "superseded");
  if (judged.some((o) => isFailure(o.state))) return "failed";
  if (outcomes.length === 0 || !outcomes.every((o) => o.state === "completed")) return null;
  return outcomes.every(ranNoTask) ? "never-ran" : "stable";
}

/** True when the rollout's own deployment ended wanting no task and running none. */
function ranNoTask(outcome: { readonly counts?: readonly DeploymentCounts[] }): boolean {
  const ours = outcome.counts?.find((c) => c.ours);
  return ours !== undefined && ours.desired === 0 && ours.running === 0;
}
