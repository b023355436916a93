import { defineCommand, type CliContext, type CommandOutcome } from "../command.js";
import { PUSH_FLAGS } from "../flag-definitions.js";

/** `ecs-release push`: build and push the image for a commit. */
export const pushCommand = defineCommand({
  name: "push",
  summary: "build the commit's image and push it to ECR (skipped when the tag exists)",
  description:
    "Builds the image for a commit with a docker-compatible CLI, tags it with the full commit SHA, logs in to ECR with a token from GetAuthorizationToken (password on stdin only), pushes it and reports the digest. Skips the build when the tag already exists in ECR, unless --force. In a repository with immutable tags, extra tags that already exist are left where they are (one line), and --force on an existing SHA tag is refused (exit 2), before anything is built. The created label and the build's timestamps are the commit's time (SOURCE_DATE_EPOCH, else git), so a rebuild of one commit is the same image. Build argument values reach the CLI through its environment, never its command line.",
  examples: [
    "ecs-release push --repository platform --sha $CIRCLE_SHA1 --context .",
    "ecs-release push --repository platform --extra-tag latest --platform linux/arm64 --cache-from type=registry,ref=123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-cache:main --cache-to type=registry,ref=123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-cache:main,mode=max,image-manifest=true,oci-mediatypes=true",
  ],
  flags: PUSH_FLAGS,
  writes: () => true,
  execute: executePush,
});

async function executePush(ctx: CliContext<typeof PUSH_FLAGS>): Promise<CommandOutcome> {
  const { flags, env } = ctx;
  const { context, dockerfile, target, platform, registry, "cache-from": cacheFrom, "cache-to": cacheTo } = flags;
  const source = flags.source ?? (env["CIRCLE_REPOSITORY_URL"] || undefined);
  const commit = { sha: flags.sha, circleSha1: env["CIRCLE_SHA1"], sourceDateEpoch: env["SOURCE_DATE_EPOCH"] };
  const options = {
    repository: flags.repository,
    commit,
    context,
    buildArgs: flags["build-arg"],
    extraTags: flags["extra-tag"],
    labels: flags.label,
    cacheFrom: cacheFrom === undefined ? [] : [cacheFrom],
    force: flags.force,
    createRepository: flags["create-repository"],
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(platform !== undefined ? { platform } : {}),
    ...(registry !== undefined ? { registry } : {}),
    insecureTestRegistry: flags["insecure-test-registry"],
    ...(source !== undefined ? { source } : {}),
    ...(cacheTo !== undefined ? { cacheTo } : {}),
  };
  const { run } = await import("../../commands/push.js");
  const { createDockerCli } = await import("../../docker/docker.js");
  const docker = createDockerCli({ program: flags.docker, env, log: ctx.log, signal: ctx.signal });
  const result = await run(options, { aws: await ctx.aws(), docker, log: ctx.log, clock: ctx.clock, redactor: ctx.redactor });
  return { result };
}

