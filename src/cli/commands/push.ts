import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { REPOSITORY, SHA } from "./shared-flags.js";

/** `ecs-release push`: build and push the image for a commit. */
export const pushCommand: CommandSpec = {
  name: "push",
  summary: "build the commit's image and push it to ECR (skipped when the tag exists)",
  description:
    "Builds the image for a commit with a docker-compatible CLI, tags it with the full commit SHA, logs in to ECR with a token from GetAuthorizationToken (password on stdin only), pushes it and reports the digest. Skips the build when the tag already exists in ECR, unless --force.",
  examples: ["ecs-release push --repository platform --sha $CIRCLE_SHA1 --context ."],
  flags: [
    { ...REPOSITORY, required: true },
    SHA,
    { name: "context", type: "string", placeholder: "DIR", default: ".", description: "build context directory" },
    { name: "dockerfile", type: "string", placeholder: "PATH", description: "Dockerfile path (default DIR/Dockerfile)" },
    { name: "build-arg", type: "list", placeholder: "K=V", keepCommas: true, description: "build argument; repeatable" },
    { name: "target", type: "string", placeholder: "STAGE", description: "build stage to target" },
    { name: "platform", type: "string", placeholder: "PLATFORM", description: "target platform, e.g. linux/amd64" },
    { name: "extra-tag", type: "list", placeholder: "TAG", description: "additional tag to push; repeatable" },
    { name: "docker", type: "string", placeholder: "PATH", default: "docker", description: "docker-compatible CLI to use (docker, podman)" },
    { name: "registry", type: "string", placeholder: "HOST", description: "registry host to push to instead of the one ECR's authorization data names" },
    { name: "force", type: "boolean", description: "build and push even when the tag already exists" },
  ],
  execute: () => notImplemented("push"),
};
