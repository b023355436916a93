import type { AwsClients } from "../aws/clients.js";
import { buildImage, canExportCache, detectCapabilities, loginRegistry, pushImage, type DockerCli } from "../docker/docker.js";
import { addImageTags, createRepository, describeRepository, existingTags, findImage, getRegistryLogin } from "../aws/ecr.js";
import type { Clock } from "../core/clock.js";
import { cacheToProblem, type DockerCapabilities } from "../core/docker-args.js";
import { formatDuration } from "../core/duration.js";
import { ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  buildChoice,
  checkCacheTag,
  checkPushRequest,
  checkRepositoryFound,
  chooseRegistry,
  decideExistingImage,
  immutableExtraTags,
  needsRepository,
  repositoryMutability,
  retagLines,
  skippedImageUri,
  tagsToPush,
  type BuildChoice,
  type ExistingImage,
  type PushFacts,
  type PushRequest,
} from "../core/push-plan.js";
import type { Redactor } from "../core/redact.js";
import { expandShaPrefix, resolveCommitSha } from "../git/commit-sha.js";
import { commitTime } from "../git/commit-time.js";

/** What `ecs-release push` was asked to do: what push decides from (PushRequest, core/push-plan.ts) and what the build takes. */
export interface PushOptions extends PushRequest {
  readonly context: string;
  readonly dockerfile?: string;
  readonly target?: string;
  readonly platform?: string;
  readonly cacheFrom: readonly string[];
}

/**
 * What the caller knows of the commit; push resolves the SHA (the one resolver, src/git/commit-sha.ts:
 * --sha, else CIRCLE_SHA1, else git HEAD in the build context) and its time (SOURCE_DATE_EPOCH, else
 * git) itself, as release does.
 */
export interface PushCommit {
  /** `--sha` (empty: not given). */
  readonly sha?: string | undefined;
  readonly circleSha1?: string | undefined;
  /** `$SOURCE_DATE_EPOCH`, as given (empty: not set). */
  readonly sourceDateEpoch?: string | undefined;
}

/** What push is asked: its options, with the commit as the caller knows it. */
export type PushInput = Omit<PushOptions, "sha" | "sourceDateEpoch"> & { readonly commit: PushCommit };

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
 * Phases: check (read the repository and the SHA tag), skip or settle the tags, prepare the builder,
 * log in (and create the repository), build, push. Every choice is made by core/push-plan.ts;
 * everything that can refuse the push is checked before the first write (CreateRepository, the
 * login, the build): the registry host, what the builder can do with `--cache-to`, and, in a
 * repository with immutable tags, whether a tag to push already exists.
 */
export async function run(input: PushInput, deps: PushDeps): Promise<PushResult> {
  const options = await resolveCommit(input);
  const requested = checkPushRequest(options, deps.aws.region);
  const timer = stepTimer(deps.clock);
  const facts = await timer.step("check", () => readRepository(options, requested, deps));
  const decision = decideExistingImage(options, requested, facts);
  if (decision.kind === "skip") return skipExisting(options, requested, decision.image, decision.addTags, deps, timer);
  if (decision.rebuild) deps.log.info(`${facts.existing?.uri ?? ""} already exists; building again (--force)`);
  const tags = await settleTags(options, requested, facts, deps, timer);
  const builder = await prepareBuilder(options, deps);
  const { host, createdRepository } = await logIn(options, facts.missing, deps, timer);
  const build = buildChoice(options, host, tags, deps.clock.now());
  const digest = await buildAndPush(options, build, builder.capabilities, deps, timer);
  deps.log.info(`pushed ${build.imageUri}${digest ? ` (${digest})` : ""}${tags.length > 1 ? `, also tagged ${tags.slice(1).join(", ")}` : ""}`);
  return { repository: options.repository, imageUri: build.imageUri, tags, digest, skipped: false, createdRepository, cli: builder.cli, timings: timer.done() };
}

/** The options with the commit's SHA and time resolved (git is read only when nothing else names them). */
async function resolveCommit(input: PushInput): Promise<PushOptions> {
  const { commit, ...rest } = input;
  // A prefix (as `git log --oneline` prints it) becomes the full commit: ECR's tag, which release looks up.
  const sha = await expandShaPrefix(await resolveCommitSha({ flag: commit.sha, circleSha1: commit.circleSha1, gitDirectory: input.context }, true), input.context);
  const sourceDateEpoch = await commitTime(commit.sourceDateEpoch, input.context, sha);
  return { ...rest, sha, ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}) };
}

/** Times named steps (PushResult.timings) against the injected clock. */
function stepTimer(clock: Clock): { step: <T>(name: string, work: () => Promise<T>) => Promise<T>; took: (name: string) => number; done: () => Record<string, number> } {
  const started = clock.now();
  const timings: Record<string, number> = {};
  return {
    step: async (name, work) => {
      const at = clock.now();
      try {
        return await work();
      } finally {
        timings[name] = clock.now() - at;
      }
    },
    took: (name) => timings[name] ?? 0,
    done: () => ({ ...timings, total: clock.now() - started }),
  };
}

type StepTimer = ReturnType<typeof stepTimer>;

/** Check: the repository (only when its mutability or existence matters) and the image under the SHA tag. */
async function readRepository(options: PushOptions, tags: readonly string[], deps: PushDeps): Promise<PushFacts> {
  const described = needsRepository(options, tags);
  const repository = described ? await describeRepository(deps.aws, options.repository) : undefined;
  const missing = checkRepositoryFound(options, described, repository);
  const existing = missing ? undefined : await findImage(deps.aws, options.repository, options.sha);
  return { repository, missing, existing };
}

/** Skip: the SHA tag exists; only the tags the image lacks are added, in ECR. */
async function skipExisting(options: PushOptions, tags: string[], existing: ExistingImage, addTags: readonly string[], deps: PushDeps, timer: StepTimer): Promise<PushResult> {
  if (addTags.length > 0) {
    const refused = await timer.step("tag", () => addImageTags(deps.aws, options.repository, options.sha, addTags));
    const lines = retagLines(addTags, refused);
    if (lines.info !== undefined) deps.log.info(lines.info);
    if (lines.warning !== undefined) deps.log.warn(lines.warning);
  }
  deps.log.info(`skipped: ${existing.uri} already exists (${existing.digest}); pass --force to build and push again`);
  return { repository: options.repository, imageUri: skippedImageUri(options, existing), tags, digest: existing.digest, skipped: true, createdRepository: false, timings: timer.done() };
}

/** The tags to push: immutable extra tags the repository already has are dropped (with a warning); an immutable cache tag is refused. */
async function settleTags(options: PushOptions, tags: readonly string[], facts: PushFacts, deps: PushDeps, timer: StepTimer): Promise<string[]> {
  const lookup = immutableExtraTags(facts.repository, tags);
  const taken = lookup.length === 0 ? [] : await timer.step("tags", () => existingTags(deps.aws, options.repository, lookup));
  const settled = tagsToPush(options.repository, tags, taken);
  if (settled.warning !== undefined) deps.log.warn(settled.warning);
  checkCacheTag(options, repositoryMutability(facts));
  return settled.tags;
}

/** The builder: what the CLI can do, and whether it can export the `--cache-to` asked for. */
async function prepareBuilder(options: PushOptions, deps: PushDeps): Promise<{ capabilities: DockerCapabilities; cli: NonNullable<PushResult["cli"]> }> {
  const capabilities = await detectCapabilities(deps.docker);
  deps.log.debug(`${deps.docker.program} is ${capabilities.flavor}${capabilities.buildx ? " with buildx" : ""}`);
  if (options.cacheTo !== undefined) {
    const cacheExport = capabilities.buildx ? await canExportCache(deps.docker) : undefined;
    const problem = cacheToProblem(options.cacheTo, { ...capabilities, ...(cacheExport === undefined ? {} : { cacheExport }) });
    if (problem !== undefined) throw new ValidationError(problem);
  }
  return { capabilities, cli: { program: deps.docker.program, flavor: capabilities.flavor, buildx: capabilities.buildx } };
}

/** Login: ECR's token, the registry it may go to, the repository created when missing, then `docker login`. */
async function logIn(options: PushOptions, missing: boolean, deps: PushDeps, timer: StepTimer): Promise<{ host: string; createdRepository: boolean }> {
  const login = await timer.step("token", () => getRegistryLogin(deps.aws, deps.redactor));
  const host = chooseRegistry(options, login.host);
  if (missing) {
    await timer.step("create", () => createRepository(deps.aws, options.repository));
    deps.log.info(`created ECR repository ${options.repository} (scan on push, immutable tags)`);
  }
  await timer.step("login", async () => {
    await loginRegistry(deps.docker, host, login.username, login.password);
    deps.log.info(`logged in to ${host}`);
  });
  return { host, createdRepository: missing };
}

/** Build, then push every reference the build did not push itself; returns the manifest digest, when known. */
async function buildAndPush(options: PushOptions, build: BuildChoice, capabilities: DockerCapabilities, deps: PushDeps, timer: StepTimer): Promise<string | undefined> {
  const { log } = deps;
  if (build.createdIsBuildTime) log.debug("no commit time (SOURCE_DATE_EPOCH, git): the created label is the build's time");
  log.info(`building ${build.imageUri}${capabilities.buildx ? " with buildx" : ""}`);
  const built = await timer.step("build", () => buildImage(deps.docker, buildRequest(options, build), capabilities, log));
  log.info(`built ${build.imageUri} in ${formatDuration(timer.took("build"))}`);
  let digest = built.digest;
  if (!built.pushed) digest = await timer.step("push", () => pushRefs(build, digest, capabilities, deps));
  if (digest === undefined && options.registry === undefined) digest = (await findImage(deps.aws, options.repository, options.sha))?.digest;
  if (digest === undefined) log.warn(`${deps.docker.program} did not report the pushed digest`);
  return digest;
}

/** What the docker wrapper builds from the options and the build choice. */
function buildRequest(options: PushOptions, build: BuildChoice): Parameters<typeof buildImage>[1] {
  return {
    context: options.context,
    refs: build.refs,
    labels: build.labels,
    buildArgs: options.buildArgs,
    cacheFrom: options.cacheFrom,
    ...(options.dockerfile !== undefined ? { dockerfile: options.dockerfile } : {}),
    ...(options.platform !== undefined ? { platform: options.platform } : {}),
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.cacheTo !== undefined ? { cacheTo: options.cacheTo } : {}),
    ...(options.sourceDateEpoch !== undefined ? { sourceDateEpoch: options.sourceDateEpoch } : {}),
  };
}

/** Pushes each reference; the SHA tag's push gives the digest (what the registry stored; undefined when the CLI did not say, and ECR is asked then). */
async function pushRefs(build: BuildChoice, builtDigest: string | undefined, capabilities: DockerCapabilities, deps: PushDeps): Promise<string | undefined> {
  let digest = builtDigest;
  for (const ref of build.refs) {
    deps.log.info(`pushing ${ref}`);
    const pushed = await pushImage(deps.docker, ref, capabilities);
    if (ref === build.imageUri) digest = pushed;
    else if (pushed !== undefined && digest !== undefined && pushed !== digest) deps.log.warn(`${ref} was stored as ${pushed}, not ${digest}`);
  }
  return digest;
}
