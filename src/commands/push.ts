import type { AwsClients } from "../aws/clients.js";
import { buildImage, detectCapabilities, loginRegistry, pushImage, type DockerCli } from "../aws/docker.js";
import { findImage, findRepositoryUri } from "../aws/ecr.js";
import { addImageTags, createRepository, getRegistryLogin } from "../aws/ecr-auth.js";
import type { Clock } from "../core/clock.js";
import { buildOciLabels, imageTags, splitLabel, validatePushInput } from "../core/docker-args.js";
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
  /** Registry host to push to instead of the one from ECR's authorization data. */
  readonly registry?: string;
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
 */
export async function run(options: PushOptions, deps: PushDeps): Promise<PushResult> {
  const { log, clock } = deps;
  const problems = validatePushInput({ sha: options.sha, extraTags: options.extraTags, buildArgs: options.buildArgs, labels: options.labels });
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
  const tags = imageTags(options.sha, options.extraTags);

  let createdRepository = false;
  const existing = await step("check", async () => {
    if (options.createRepository && (await findRepositoryUri(deps.aws, options.repository)) === undefined) {
      await createRepository(deps.aws, options.repository);
      createdRepository = true;
      log.info(`created ECR repository ${options.repository} (scan on push, immutable tags)`);
    }
    return findImage(deps.aws, options.repository, options.sha);
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
    return { repository: options.repository, imageUri: uri, tags, digest: existing.digest, skipped: true, createdRepository, timings };
  }
  if (existing) log.info(`${existing.uri} already exists; building again (--force)`);

  const login = await step("token", () => getRegistryLogin(deps.aws, deps.redactor));
  const host = options.registry ?? login.host;
  const refs = tags.map((tag) => `${host}/${options.repository}:${tag}`);
  const imageUri = refs[0] as string;

  const capabilities = await detectCapabilities(deps.docker);
  const cli = { program: deps.docker.program, flavor: capabilities.flavor, buildx: capabilities.buildx };
  log.debug(`${deps.docker.program} is ${capabilities.flavor}${capabilities.buildx ? " with buildx" : ""}`);
  await step("login", async () => {
    await loginRegistry(deps.docker, host, login.username, login.password);
    log.info(`logged in to ${host}`);
  });

  const labels = [...buildOciLabels(options.sha, new Date(clock.now()), options.source), ...options.labels.map(splitLabel)];
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
