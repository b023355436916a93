/**
 * How old a running revision is, against an image's push time: `release` uses it to tell a
 * re-release of an older image (a rollback by release, whose environment may have drifted) from a
 * forward release. Pure.
 */
import { TAG } from "./tags.js";

/**
 * When a revision was registered, in epoch milliseconds: ECS's registeredAt (seconds or
 * milliseconds, or an ISO string), else the release time recorded in its tags.
 */
export function registeredAtOf(taskDefinition: Readonly<Record<string, unknown>>, tags: Readonly<Record<string, string>>): number | undefined {
  const raw = taskDefinition["registeredAt"] ?? tags[TAG.releasedAt];
  if (typeof raw === "number") return raw < 1e12 ? raw * 1000 : raw;
  if (typeof raw === "string") {
    const parsed = Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/**
 * True when an image pushed at `pushedAt` is older than the newest of the running revisions
 * (registered at, epoch ms; unknown counts as 0). ECR's imagePushedAt has whole seconds: a push in
 * the same second as the registration is ambiguous and taken as not older (a forward release).
 */
export function isPushedBeforeRunning(pushedAt: Date, registeredAt: ReadonlyArray<number | undefined>): boolean {
  const newestRegistered = Math.max(...registeredAt.map((t) => t ?? 0));
  return pushedAt.getTime() < Math.floor(newestRegistered / 1_000) * 1_000;
}
