/**
 * The tags ecs-release puts on every task definition revision it registers. They are the record
 * behind `rollback previous`, `history` and `prune`: which commit a revision runs, who released it,
 * and how its rollout ended. ECS tag keys and values: at most 128 and 256 characters.
 */
export const TAG = {
  /** Full commit SHA of the image. */
  sha: "ecs-release:sha",
  /** Outcome of the rollout: see `Outcome`. */
  outcome: "ecs-release:outcome",
  /** ISO-8601 time the revision was released. */
  releasedAt: "ecs-release:released-at",
  /** Who triggered the release (CIRCLE_USERNAME, else the local user). */
  releasedBy: "ecs-release:released-by",
  /** CircleCI pipeline number. */
  pipeline: "ecs-release:pipeline",
  /** CircleCI workflow or job URL. */
  jobUrl: "ecs-release:job-url",
  /** The ecs-release version that registered the revision. */
  version: "ecs-release:version",
  /** The image URI the application container runs. */
  image: "ecs-release:image",
  /** Set to "true" to make `prune` keep a revision forever. */
  keep: "ecs-release:keep",
  /** When the revision was rolled back from or deregistered by ecs-release, and why. */
  rolledBackAt: "ecs-release:rolled-back-at",
  /**
   * The names (never values) of the variables that were SecureStrings when the revision was
   * released, space-separated; see `secureNamesTagValue` / `recordedSecureNames`.
   */
  secureNames: "ecs-release:secure-names",
  /** On a rollback target: the CircleCI pipeline and job whose rollback pointed services at it (a re-run of it changes nothing). */
  rollbackRun: "ecs-release:rollback-run",
  /**
   * The environment the revision was released to (`--environment`, default the cluster's name).
   * rollback, prune and the next release choose among a family's revisions within one environment;
   * a revision without it (released before environments were recorded, or registered by hand)
   * belongs to every environment: see `inEnvironment`.
   */
  environment: "ecs-release:environment",
  /** The cluster the revision was released to. */
  cluster: "ecs-release:cluster",
  /** The SSM path its environment was read from. */
  ssmPath: "ecs-release:ssm-path",
} as const;

/** TAG.secureNames when no variable was a SecureString (an empty tag value would be dropped). */
export const NO_SECURE_NAMES = "-";
/** TAG.secureNames when the names do not fit in one tag value: treat every variable as secret. */
export const TOO_MANY_SECURE_NAMES = "@too-many";

/**
 * The TAG.secureNames value recording which variables of a revision are SecureStrings (names are
 * `[A-Za-z_][A-Za-z0-9_]*`, within ECS's tag value characters). One tag, so the record fits the
 * 50-tag budget; names that do not fit its 256 characters are recorded as TOO_MANY_SECURE_NAMES
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html).
 */
export function secureNamesTagValue(names: readonly string[]): string {
  if (names.length === 0) return NO_SECURE_NAMES;
  const value = [...new Set(names)].sort().join(" ");
  return value.length <= 256 ? value : TOO_MANY_SECURE_NAMES;
}

/**
 * The names a revision's tags record as SecureStrings, or undefined when the revision does not say
 * (registered by hand, by an older ecs-release, or with too many names): then no value read from it
 * is provably not secret, and every one is masked.
 */
export function recordedSecureNames(tags: TagMap): ReadonlySet<string> | undefined {
  const value = tags[TAG.secureNames];
  if (value === undefined || value === TOO_MANY_SECURE_NAMES) return undefined;
  if (value === NO_SECURE_NAMES) return new Set();
  return new Set(value.split(" ").filter((name) => name !== ""));
}

/**
 * Recorded rollout outcomes, the values of `TAG.outcome`. `not-released`: the release stopped before
 * any service ran the revision for a reason that is not the revision's (its pre-deploy task found no
 * capacity, was interrupted by Spot, hit a pull rate limit): it marks the revision neither good nor
 * bad — rollback and prune treat it as untagged. `never-ran`: every rollout to it completed with no
 * task of it started (the service's desired count was 0): it is not known-good, nor bad.
 */
export type Outcome = "stable" | "failed" | "rolled-back" | "not-released" | "never-ran";

/** A revision's tags as a plain map. */
export type TagMap = Readonly<Record<string, string>>;

/**
 * A value of ecs-release's own metadata (who released, the job URL) as a tag value ECS accepts:
 * characters outside letters, numbers, spaces and `_ . : / = + - @` become `_`, at most 256
 * characters (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html). The
 * metadata is informational: an odd CIRCLE_USERNAME must not stop a release.
 */
export function toTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_").slice(0, 256);
}

/** Converts ECS `[{key, value}]` tags into a map. */
export function tagsToMap(tags: ReadonlyArray<{ key?: string | undefined; value?: string | undefined }> | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key !== undefined) map[tag.key] = tag.value ?? "";
  return map;
}

/** Converts a map into ECS `[{key, value}]` tags, dropping empty values (ECS rejects none, but they say nothing). */
export function mapToTags(map: TagMap): Array<{ key: string; value: string }> {
  return Object.entries(map)
    .filter(([, value]) => value !== "")
    .map(([key, value]) => ({ key, value: value.slice(0, 256) }));
}
