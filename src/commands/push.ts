import type { AwsClients } from "../aws/clients.js";
import { buildImage, canExportCache, detectCapabilities, loginRegistry, pushImage, type DockerCli } from "../docker/docker.js";
import { addImageTags, createRepository, describeRepository, existingTags, findImage, getRegistryLogin } from "../aws/ecr.js";
import type { Clock } from "../core/clock.js";
import {
  buildOciLabels,
  cacheToProblem,
  imageTags,
  isRegistryHost,
  isTagImmutable,
  parseEcrHost,
  registryCacheRef,
  splitLabel,
  validatePushInput,
} from "../core/docker-args.js";
import { formatDuration } from "../core/duration.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Redactor } from "../core/redact.js";

/** What `ecs-release push` was asked to do. */
export interface PushOptions {
  readonly repository: string;
  /** The full commit SHA: the image tag. */
  readonly sha: string;
  readonly context: string;
  readonly dockerfile?: string;
  readonly buildArgs: readonly string[];
  readonly target?: string;
  readonly platform?: string;
  readonly extraTags: readonly string[];
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
  readonly cacheFrom: readonly string[];
  readonly cacheTo?: string;
  readonly force: boolean;
  readonly createRepository: boolean;
}

/** What push needs from outside. */
export interface PushDeps {
  readonly aws: Pick<AwsClients, "ecr" | "region">;
  readonly docker: DockerCli;
  readonly log: Logger;
  readonly clock: Clock;
  readonly redactor: Redactor;
}

/** The result document (`--json`). */
export interface PushResult {
  readonly repository: string;
  /** `<registry>/<repository>:<sha>` */
  readonly imageUri: string;
  readonly tags: readonly string[];
  /** The manifest digest the registry stored; undefined only when neither the CLI nor ECR told it. */
  readonly digest: string | undefined;
  /** True when the SHA tag was already in ECR and nothing was built. */
  readonly skipped: boolean;
  readonly createdRepository: boolean;
  /** The CLI that built (absent when skipped). */
  readonly cli?: { readonly program: string; readonly flavor: "docker" | "podman"; readonly buildx: boolean };
  /** Milliseconds per step. */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Builds the commit's image, tags it with the full SHA (and the extra tags), labels it with OCI
 * labels, logs in to the registry with ECR's token (password on stdin), pushes and reports the
 * digest. Skips everything but one DescribeImages call when the SHA tag is already in ECR, unless
 * `force`; then only extra tags the image lacks are added, in ECR, without pulling anything.
 *
 * Everything that can refuse the push is checked before the first write (CreateRepository, the
 * login, the build): the registry host, what the builder can do with `--cache-to`, and, in a
 * repository with immutable tags, whether a tag to push already exists — ECR refuses to move an
 * immutable tag even to the same image (ImageTagAlreadyExistsException,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html), which would
 * otherwise fail the push half-way, after the SHA tag was pushed.
 */
export async function run(options: PushOptions, deps: PushDeps): Promise<PushResult> {
  const { log, clock } = deps;
  const problems = validatePushInput({ sha: options.sha, extraTags: options.extraTags, buildArgs: options.buildArgs, labels: options.labels });
  problems.push(...registryProblems(options, deps.aws.region));
  if (problems.length > 0) throw new ValidationError(problems.join("; "), { problems });

  const started = clock.now();
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const at = clock.now();
    try {
      return await work();
    } finally {
      timings[name] = clock.now() - at;
    }
  };
  let tags = imageTags(options.sha, options.extraTags);

  // The repository's mutability matters only when a tag could already exist: extra tags, --force,
  // a cache tag; a missing repository only with --create-repository.
  const needRepository = options.createRepository || tags.length > 1 || options.force || options.cacheTo !== undefined;
  const { repository, missing, existing } = await step("check", async () => {
    const found = needRepository ? await describeRepository(deps.aws, options.repository) : undefined;
    const absent = needRepository && found === undefined;
    if (absent && !options.createRepository) {
      throw new ValidationError(`ECR repository "${options.repository}" does not exist (check --repository and the region, or pass --create-repository)`);
    }
    const image = absent ? undefined : await findImage(deps.aws, options.repository, options.sha);
    return { repository: found, missing: absent, existing: image };
  });

  if (existing && !options.force) {
    const missing = tags.filter((tag) => !existing.tags.includes(tag));
    if (missing.length > 0) {
      const refused = await step("tag", () => addImageTags(deps.aws, options.repository, options.sha, missing));
      const added = missing.filter((tag) => !refused.includes(tag));
      if (added.length > 0) log.info(`added tags ${added.join(", ")} to the existing image in ECR`);
      if (refused.length > 0) log.warn(`tags ${refused.join(", ")} already name another image and are immutable: left as they are`);
    }
    const uri = options.registry ? `${options.registry}/${options.repository}:${options.sha}` : existing.uri;
    log.info(`skipped: ${existing.uri} already exists (${existing.digest}); pass --force to build and push again`);
    timings["total"] = clock.now() - started;
    return { repository: options.repository, imageUri: uri, tags, digest: existing.digest, skipped: true, createdRepository: false, timings };
  }

  // An immutable repository: refuse or skip what ECR would refuse. (One created below has no tags yet;
  // not described means only the SHA tag is pushed, and it does not exist.)
  const mutability = repository ?? { mutability: missing ? "IMMUTABLE" : undefined, exclusionFilters: [] };
  if (existing && isTagImmutable(mutability, options.sha)) {
    throw new ValidationError(
      `--force: ${options.repository}:${options.sha.slice(0, 12)}… already exists and the repository's tags are immutable (${mutability.mutability}): ECR refuses to push that tag again, even for the same image; drop --force (the image is there)`,
    );
  }
  if (existing) log.info(`${existing.uri} already exists; building again (--force)`);
  const immutableExtra = repository === undefined ? [] : tags.slice(1).filter((tag) => isTagImmutable(repository, tag));
  const taken = immutableExtra.length === 0 ? [] : await step("tags", () => existingTags(deps.aws, options.repository, immutableExtra));
  if (taken.length > 0) {
    tags = tags.filter((tag) => !taken.includes(tag));
    log.warn(`not moving ${taken.join(", ")}: already in ${options.repository}, whose tags are immutable (ECR refuses to move them); they stay on the image they name`);
  }
  const cacheRef = options.cacheTo === undefined ? undefined : registryCacheRef(options.cacheTo);
  const cacheTag = cacheRef === undefined ? undefined : sameRepositoryTag(cacheRef, options.repository);
  if (cacheTag !== undefined && isTagImmutable(mutability, cacheTag)) {
    throw new ValidationError(
      `--cache-to ${options.cacheTo}: the cache tag "${cacheTag}" is rewritten by every build, and ${options.repository}'s tags are immutable; use another repository for the cache, or exclude the tag (IMMUTABLE_WITH_EXCLUSION)`,
    );
  }

  const capabilities = await detectCapabilities(deps.docker);
  const cli = { program: deps.docker.program, flavor: capabilities.flavor, buildx: capabilities.buildx };
  log.debug(`${deps.docker.program} is ${capabilities.flavor}${capabilities.buildx ? " with buildx" : ""}`);
  if (options.cacheTo !== undefined) {
    const cacheExport = capabilities.buildx ? await canExportCache(deps.docker) : undefined;
    const problem = cacheToProblem(options.cacheTo, { ...capabilities, ...(cacheExport === undefined ? {} : { cacheExport }) });
    if (problem !== undefined) throw new ValidationError(problem);
  }

  const login = await step("token", () => getRegistryLogin(deps.aws, deps.redactor));
  const host = options.registry ?? login.host;
  if (options.registry !== undefined && !options.insecureTestRegistry && !sameEcrRegistry(options.registry, login.host)) {
    throw new ValidationError(`--registry ${options.registry} is not this account's ECR registry (${login.host}): ecs-release sends the ECR login only there`);
  }
  let createdRepository = false;
  if (missing) {
    await step("create", () => createRepository(deps.aws, options.repository));
    createdRepository = true;
    log.info(`created ECR repository ${options.repository} (scan on push, immutable tags)`);
  }
  const refs = tags.map((tag) => `${host}/${options.repository}:${tag}`);
  const imageUri = refs[0] as string;

  await step("login", async () => {
    await loginRegistry(deps.docker, host, login.username, login.password);
    log.info(`logged in to ${host}`);
  });

  // The created label is the commit's time, not the build's: a rebuild of one commit is the same image.
  const created = options.sourceDateEpoch !== undefined ? new Date(options.sourceDateEpoch * 1000) : new Date(clock.now());
  if (options.sourceDateEpoch === undefined) log.debug("no commit time (SOURCE_DATE_EPOCH, git): the created label is the build's time");
  const labels = [...buildOciLabels(options.sha, created, options.source), ...options.labels.map(splitLabel)];
  log.info(`building ${imageUri}${capabilities.buildx ? " with buildx" : ""}`);
  const built = await step("build", () =>
    buildImage(
      deps.docker,
      {
        context: options.context,
        refs,
        labels,
        buildArgs: options.buildArgs,
        cacheFrom: options.cacheFrom,
        ...(options.dockerfile !== undefined ? { dockerfile: options.dockerfile } : {}),
        ...(options.platform !== undefined ? { platform: options.platform } : {}),
        ...(options.target !== undefined ? { target: options.target } : {}),
        ...(options.cacheTo !== undefined ? { cacheTo: options.cacheTo } : {}),
        ...(options.sourceDateEpoch !== undefined ? { sourceDateEpoch: options.sourceDateEpoch } : {}),
      },
      capabilities,
      log,
    ),
  );
  log.info(`built ${imageUri} in ${formatDuration(timings["build"] ?? 0)}`);

  let digest = built.digest;
  if (!built.pushed) {
    await step("push", async () => {
      for (const ref of refs) {
        log.info(`pushing ${ref}`);
        const pushed = await pushImage(deps.docker, ref, capabilities);
        if (ref === imageUri) digest = pushed;
        else if (pushed !== undefined && digest !== undefined && pushed !== digest) log.warn(`${ref} was stored as ${pushed}, not ${digest}`);
      }
    });
  }
  if (digest === undefined && options.registry === undefined) {
    digest = (await findImage(deps.aws, options.repository, options.sha))?.digest;
  }
  if (digest === undefined) log.warn(`${deps.docker.program} did not report the pushed digest`);
  log.info(`pushed ${imageUri}${digest ? ` (${digest})` : ""}${tags.length > 1 ? `, also tagged ${tags.slice(1).join(", ")}` : ""}`);
  timings["total"] = clock.now() - started;
  return { repository: options.repository, imageUri, tags, digest, skipped: false, createdRepository, cli, timings };
}

/**
 * `--registry` takes ECR's login token, valid for the whole registry for 12 hours: it may name only an
 * ECR registry host of this region (checked against the login's host once known), or a test registry
 * the user marks as such with --insecure-test-registry.
 */
function registryProblems(options: PushOptions, region: string): string[] {
  if (options.registry === undefined) {
    return options.insecureTestRegistry ? ["--insecure-test-registry marks the --registry HOST as a test registry: pass --registry too"] : [];
  }
  if (!isRegistryHost(options.registry)) return [`--registry "${options.registry}" is not a registry host (HOST or HOST:PORT, no scheme or path)`];
  if (options.insecureTestRegistry) return [];
  const ecr = parseEcrHost(options.registry);
  if (ecr === undefined) {
    return [`--registry ${options.registry} is not an ECR registry host (ACCOUNT.dkr.ecr.${region}.amazonaws.com): the ECR login goes only to ECR; for a local test registry add --insecure-test-registry`];
  }
  if (ecr.region !== region) return [`--registry ${options.registry} is ECR in ${ecr.region}, not in ${region} (the region the login is for)`];
  return [];
}

function sameEcrRegistry(a: string, b: string): boolean {
  const [left, right] = [parseEcrHost(a), parseEcrHost(b)];
  return left !== undefined && right !== undefined && left.account === right.account && left.region === right.region;
}

/** The tag of `ref` when it names a tag of `repository` (on any host), else undefined. */
function sameRepositoryTag(ref: string, repository: string): string | undefined {
  const match = /^[^/]+\/(.+):([^:/@]+)$/.exec(ref);
  return match && match[1] === repository ? match[2] : undefined;
}
