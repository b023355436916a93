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
  /** On a rollback target: the CircleCI pipeline and job whose rollback pointed services at it (a re-run of it changes nothing). */
  rollbackRun: "ecs-release:rollback-run",
} as const;

/** Recorded rollout outcomes, the values of `TAG.outcome`. */
export type Outcome = "stable" | "failed" | "rolled-back";

/** A revision's tags as a plain map. */
export type TagMap = Readonly<Record<string, string>>;

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
