/**
 * What `ecs-release push` decides (cli.md, push). Pure: which tags, whether the repository must be
 * described, skip or build when the SHA tag exists, what an immutable repository refuses, which
 * registry gets the login, what is built. The command reads ECR, runs docker and logs; every choice
 * it makes is one of these functions' returned values.
 *
 * ECR refuses to move an immutable tag even to the same image (ImageTagAlreadyExistsException,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html): everything that
 * would make it refuse is decided before the first write (CreateRepository, the login, the build).
 */
import { buildOciLabels, imageTags, isRegistryHost, isTagImmutable, parseEcrHost, registryCacheRef, splitLabel, validatePushInput, type TagMutability } from "./docker-args.js";
import { ValidationError } from "./errors.js";

/** The flags push decides from (the command's options but the build's own: context, Dockerfile, target, platform, cache sources). */
export interface PushRequest {
  readonly repository: string;
  /** The full commit SHA: the image tag. */
  readonly sha: string;
  readonly extraTags: readonly string[];
  readonly buildArgs: readonly string[];
  /** Extra `KEY=VALUE` labels, after the OCI ones. */
  readonly labels: readonly string[];
  /** Repository URL for the OCI source label. */
  readonly source?: string;
  /** Registry host to push to instead of the one from ECR's authorization data: this account's ECR, unless insecureTestRegistry. */
  readonly registry?: string;
  /** `registry` is a test registry (not ECR) that may receive the ECR login. */
  readonly insecureTestRegistry?: boolean;
  /** The commit time in Unix seconds (SOURCE_DATE_EPOCH or git): the created label and the build's timestamps. */
  readonly sourceDateEpoch?: number;
  readonly cacheTo?: string;
  readonly force: boolean;
  readonly createRepository: boolean;
}

/** An image ECR already has under the SHA tag (what push needs of it). */
export interface ExistingImage {
  readonly uri: string;
  readonly digest: string;
  readonly tags: readonly string[];
}

/** What push read from ECR before deciding. */
export interface PushFacts {
  /** The repository's tag mutability; undefined when it was not described or does not exist. */
  readonly repository: TagMutability | undefined;
  /** The repository does not exist (and `--create-repository` creates it). */
  readonly missing: boolean;
  /** The image under the SHA tag, when there is one. */
  readonly existing: ExistingImage | undefined;
}

/**
 * Checks the flags before anything is read (the SHA, extra tags, build args, labels, `--registry`)
 * and returns the tags to push: the SHA first, then the extra tags, without duplicates. Every
 * problem is thrown at once (ValidationError with `problems`).
 */
export function checkPushRequest(request: PushRequest, region: string): string[] {
  const problems = validatePushInput({ sha: request.sha, extraTags: request.extraTags, buildArgs: request.buildArgs, labels: request.labels });
  problems.push(...registryProblems(request, region));
  if (problems.length > 0) throw new ValidationError(problems.join("; "), { problems });
  return imageTags(request.sha, request.extraTags);
}

/**
 * `--registry` takes ECR's login token, valid for the whole registry for 12 hours: it may name only an
 * ECR registry host of this region (checked against the login's host once known, registryLoginProblem),
 * or a test registry the user marks as such with --insecure-test-registry.
 */
export function registryProblems(request: Pick<PushRequest, "registry" | "insecureTestRegistry">, region: string): string[] {
  if (request.registry === undefined) {
    return request.insecureTestRegistry ? ["--insecure-test-registry marks the --registry HOST as a test registry: pass --registry too"] : [];
  }
  if (!isRegistryHost(request.registry)) return [`--registry "${request.registry}" is not a registry host (HOST or HOST:PORT, no scheme or path)`];
  if (request.insecureTestRegistry) return [];
  const ecr = parseEcrHost(request.registry);
  if (ecr === undefined) {
    return [`--registry ${request.registry} is not an ECR registry host (ACCOUNT.dkr.ecr.${region}.amazonaws.com): the ECR login goes only to ECR; for a local test registry add --insecure-test-registry`];
  }
  if (ecr.region !== region) return [`--registry ${request.registry} is ECR in ${ecr.region}, not in ${region} (the region the login is for)`];
  return [];
}

/**
 * A repository whose tags can be moved (MUTABLE, or MUTABLE_WITH_EXCLUSION): anyone allowed
 * ecr:PutImage can point the release's tag at other bytes. Releases pin the digest and refuse a tag
 * moved after the plan, but the tag people read still lies; the warning gives the one command that
 * makes the tags immutable (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
 */
export function mutableTagsWarning(repository: string, found: TagMutability | undefined): string | undefined {
  if (found === undefined || (found.mutability !== "MUTABLE" && found.mutability !== "MUTABLE_WITH_EXCLUSION" && found.mutability !== undefined)) return undefined;
  return `ECR repository ${repository} has mutable tags: anyone allowed ecr:PutImage can move ${repository}:<sha> to other bytes after it was pushed (releases pin the digest, but the tag people read would lie). Make them immutable: aws ecr put-image-tag-mutability --repository-name ${repository} --image-tag-mutability IMMUTABLE`;
}

/**
 * Whether the repository is missing (it was described and not found); refuses a missing one
 * without `--create-repository`.
 */
export function checkRepositoryFound(request: Pick<PushRequest, "repository" | "createRepository">, described: boolean, found: TagMutability | undefined): boolean {
  const missing = described && found === undefined;
  if (missing && !request.createRepository) {
    throw new ValidationError(`ECR repository "${request.repository}" does not exist (check --repository and the region, or pass --create-repository)`);
  }
  return missing;
}

/** Push's choice once it knows whether the SHA tag exists. */
export type ExistingImageDecision =
  /** The SHA tag exists and no `--force`: nothing is built; `addTags` (the tags the image lacks) are added in ECR. */
  | { readonly kind: "skip"; readonly image: ExistingImage; readonly addTags: readonly string[] }
  /** Build and push; `rebuild`: the SHA tag exists and `--force` builds it again. */
  | { readonly kind: "build"; readonly rebuild: boolean };

/**
 * Skip when the SHA tag exists (unless `--force`), else build. `--force` over an existing SHA tag in
 * a repository whose tags are immutable is refused: ECR would refuse the push half-way.
 */
export function decideExistingImage(request: Pick<PushRequest, "repository" | "sha" | "force">, tags: readonly string[], facts: PushFacts): ExistingImageDecision {
  const existing = facts.existing;
  if (existing === undefined) return { kind: "build", rebuild: false };
  if (!request.force) return { kind: "skip", image: existing, addTags: tags.filter((tag) => !existing.tags.includes(tag)) };
  const mutability = repositoryMutability(facts);
  if (isTagImmutable(mutability, request.sha)) {
    throw new ValidationError(
      `--force: ${request.repository}:${request.sha.slice(0, 12)}… already exists and the repository's tags are immutable (${mutability.mutability}): ECR refuses to push that tag again, even for the same image; drop --force (the image is there)`,
    );
  }
  return { kind: "build", rebuild: true };
}

/**
 * The repository's tag mutability as far as push knows it: a repository push creates is IMMUTABLE
 * (and has no tags yet); one not described is taken as mutable (only the SHA tag is pushed, and it
 * does not exist).
 */
export function repositoryMutability(facts: Pick<PushFacts, "repository" | "missing">): TagMutability {
  return facts.repository ?? { mutability: facts.missing ? "IMMUTABLE" : undefined, exclusionFilters: [] };
}

/** The image URI a skipped push reports: on `--registry` when given, else ECR's. */
export function skippedImageUri(request: Pick<PushRequest, "registry" | "repository" | "sha">, existing: ExistingImage): string {
  return request.registry ? `${request.registry}/${request.repository}:${request.sha}` : existing.uri;
}

/** The extra tags to look up before pushing: those a described repository keeps immutable (empty: no lookup). */
export function immutableExtraTags(repository: TagMutability | undefined, tags: readonly string[]): string[] {
  return repository === undefined ? [] : tags.slice(1).filter((tag) => isTagImmutable(repository, tag));
}

/**
 * The tags to push: without the immutable ones the repository already has (`taken`; ECR refuses to
 * move them), and the warning saying so (undefined when none is dropped).
 */
export function tagsToPush(repository: string, tags: readonly string[], taken: readonly string[]): { tags: string[]; warning: string | undefined } {
  if (taken.length === 0) return { tags: [...tags], warning: undefined };
  return {
    tags: tags.filter((tag) => !taken.includes(tag)),
    warning: `not moving ${taken.join(", ")}: already in ${repository}, whose tags are immutable (ECR refuses to move them); they stay on the image they name`,
  };
}

/** Refuses a `--cache-to` tag of the pushed repository when its tags are immutable (every build rewrites it). */
export function checkCacheTag(request: Pick<PushRequest, "repository" | "cacheTo">, mutability: TagMutability): void {
  const cacheRef = request.cacheTo === undefined ? undefined : registryCacheRef(request.cacheTo);
  const cacheTag = cacheRef === undefined ? undefined : sameRepositoryTag(cacheRef, request.repository);
  if (cacheTag !== undefined && isTagImmutable(mutability, cacheTag)) {
    throw new ValidationError(
      `--cache-to ${request.cacheTo}: the cache tag "${cacheTag}" is rewritten by every build, and ${request.repository}'s tags are immutable; use another repository for the cache, or exclude the tag (IMMUTABLE_WITH_EXCLUSION)`,
    );
  }
}

/** The tag of `ref` when it names a tag of `repository` (on any host), else undefined. */
export function sameRepositoryTag(ref: string, repository: string): string | undefined {
  const match = /^[^/]+\/(.+):([^:/@]+)$/.exec(ref);
  return match && match[1] === repository ? match[2] : undefined;
}

/**
 * The registry push logs in to and pushes to: `--registry` when given, else the host of ECR's
 * authorization data. A `--registry` that is not this account's ECR registry (the login's host) is
 * refused unless marked `--insecure-test-registry`: the ECR login goes nowhere else.
 */
export function chooseRegistry(request: Pick<PushRequest, "registry" | "insecureTestRegistry">, loginHost: string): string {
  if (request.registry === undefined) return loginHost;
  if (!request.insecureTestRegistry && !sameEcrRegistry(request.registry, loginHost)) {
    throw new ValidationError(`--registry ${request.registry} is not this account's ECR registry (${loginHost}): ecs-release sends the ECR login only there`);
  }
  return request.registry;
}

function sameEcrRegistry(a: string, b: string): boolean {
  const [left, right] = [parseEcrHost(a), parseEcrHost(b)];
  return left !== undefined && right !== undefined && left.account === right.account && left.region === right.region;
}

/** What is built: the references (SHA tag first), the labels, and whether the created label is the build's time. */
export interface BuildChoice {
  readonly refs: readonly string[];
  /** `refs[0]`: the SHA tag's reference. */
  readonly imageUri: string;
  readonly labels: ReadonlyArray<[string, string]>;
  /** True when no commit time is known: the created label is the build's time (now). */
  readonly createdIsBuildTime: boolean;
}

/**
 * The references and labels of the build. The created label is the commit's time, not the build's:
 * a rebuild of one commit is the same image; `now` (epoch ms) only when the commit time is unknown.
 */
export function buildChoice(request: Pick<PushRequest, "repository" | "sha" | "source" | "labels" | "sourceDateEpoch">, host: string, tags: readonly string[], now: number): BuildChoice {
  const refs = tags.map((tag) => `${host}/${request.repository}:${tag}`);
  const created = request.sourceDateEpoch !== undefined ? new Date(request.sourceDateEpoch * 1000) : new Date(now);
  const labels = [...buildOciLabels(request.sha, created, request.source), ...request.labels.map(splitLabel)];
  return { refs, imageUri: refs[0] ?? "", labels, createdIsBuildTime: request.sourceDateEpoch === undefined };
}

/** The line for tags added to an existing image in ECR, and the warning for those refused (each undefined when none). */
export function retagLines(addTags: readonly string[], refused: readonly string[]): { info: string | undefined; warning: string | undefined } {
  const added = addTags.filter((tag) => !refused.includes(tag));
  return {
    info: added.length > 0 ? `added tags ${added.join(", ")} to the existing image in ECR` : undefined,
    warning: refused.length > 0 ? `tags ${refused.join(", ")} already name another image and are immutable: left as they are` : undefined,
  };
}
