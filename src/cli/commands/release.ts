import type { CommandSpec } from "../command.js";
import { notImplemented } from "./not-implemented.js";
import { CLUSTER, DRY_RUN, NO_WAIT, POLL_INTERVAL, REPOSITORY, SERVICES, SHA, TIMEOUT } from "./shared-flags.js";

/** `ecs-release release`: render a forward revision from SSM and roll it out. */
export const releaseCommand: CommandSpec = {
  name: "release",
  summary: "register a new revision (commit image + SSM environment) and roll it out",
  description:
    "Renders one new task definition revision per family from the commit's image and every SSM parameter under --ssm-path, updates every service to it at once, and waits until each rollout is COMPLETED — or reports that it failed or was rolled back by the circuit breaker. Verifies everything before writing anything.",
  examples: [
    "ecs-release release --cluster prod --service web --service worker --ssm-path /platform/prod --repository platform",
    "ecs-release release --cluster prod --service web --ssm-path /platform/prod --repository platform --sha 3f2c… --dry-run",
  ],
  flags: [
    CLUSTER,
    SERVICES,
    { name: "ssm-path", type: "string", placeholder: "PATH", required: true, description: "SSM Parameter Store path whose parameters become the environment" },
    REPOSITORY,
    { name: "image", type: "string", placeholder: "URI", description: "full image URI (instead of --repository and --sha)" },
    SHA,
    { name: "template", type: "list", placeholder: "FILE|FAMILY=FILE", keepCommas: true, description: "task definition template (JSON or YAML); default: each family's latest ACTIVE revision" },
    { name: "container", type: "list", placeholder: "NAME", description: "application container(s) that get the image and environment" },
    { name: "env", type: "list", placeholder: "K=V", keepCommas: true, description: "literal environment variable; repeatable (SSM wins on a clash)" },
    { name: "secure-strings", type: "string", placeholder: "MODE", default: "environment", description: "SecureStrings as inline `environment` values, or `secrets` references by ARN" },
    { name: "allow-empty-env", type: "boolean", description: "allow an SSM path with no parameters" },
    DRY_RUN,
    NO_WAIT,
    TIMEOUT,
    POLL_INTERVAL,
    { name: "force", type: "boolean", description: "release even when a deployment is already in progress" },
  ],
  execute: () => notImplemented("release"),
};
