/**
 * Which containers of a task definition are the application (cli.md, release step 3). Pure.
 * `--container` names them; else the containers whose image is from the release repository; else
 * the only container. Sidecars keep their image and environment.
 */
import { ValidationError } from "./errors.js";
import type { ContainerDefinitionInput } from "./template.js";

/** What identifies the release repository in an image reference. */
export interface ReleaseRepository {
  /** `registry/path` of the repository (`123456789012.dkr.ecr.us-east-1.amazonaws.com/platform`), when known. */
  readonly uri?: string;
  /** The repository name (`platform`), when known. */
  readonly name?: string;
}

/** The image reference without its tag or digest: `host/repo:tag@sha256:…` → `host/repo`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

/** True when `image` is from the repository. */
export function isFromRepository(image: string, repository: ReleaseRepository): boolean {
  const repo = imageRepository(image);
  if (repository.uri !== undefined && repo === repository.uri) return true;
  if (repository.name !== undefined && (repo === repository.name || repo.endsWith(`/${repository.name}`))) return true;
  return false;
}

/**
 * The names of the application containers of a task definition (`source` names it in messages).
 * `names` (from --container) may list containers of other families too; the ones this task
 * definition has are taken, and none of them is an error. Throws a ValidationError when no rule
 * picks a set (several containers, none from the repository: ambiguous).
 */
export function selectContainers(containers: readonly ContainerDefinitionInput[], options: { names?: readonly string[]; repository: ReleaseRepository; source: string }): string[] {
  const available = containers.map((c) => c.name ?? "");
  const list = available.map((n) => `"${n}"`).join(", ");
  const names = options.names ?? [];
  if (names.length > 0) {
    // With several families, --container may name containers of each; a family needs at least one.
    const present = [...new Set(names)].filter((n) => available.includes(n));
    if (present.length === 0) {
      throw new ValidationError(`${options.source} has no container ${names.map((n) => `"${n}"`).join(", ")}: --container must name one of ${list}`);
    }
    return present;
  }
  const fromRepository = containers.filter((c) => typeof c.image === "string" && isFromRepository(c.image, options.repository)).map((c) => c.name ?? "");
  if (fromRepository.length > 0) return fromRepository;
  if (containers.length === 1) return available;
  throw new ValidationError(
    `${options.source} has ${containers.length} containers (${list}) and none runs an image from ${options.repository.name ?? options.repository.uri ?? "the release repository"}: pass --container NAME to say which one gets the new image`,
  );
}
