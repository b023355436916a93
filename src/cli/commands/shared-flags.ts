import type { FlagSpec } from "../flags.js";

/** Flags several commands share, defined once. */
export const CLUSTER: FlagSpec = { name: "cluster", type: "string", placeholder: "CLUSTER", required: true, description: "ECS cluster name or ARN" };
export const SERVICES: FlagSpec = { name: "service", type: "list", placeholder: "SERVICE", required: true, description: "ECS service; repeat for several (comma-separated in the variable)" };
export const DRY_RUN: FlagSpec = { name: "dry-run", type: "boolean", description: "show what would change; write nothing" };
export const NO_WAIT: FlagSpec = { name: "no-wait", type: "boolean", description: "return after updating the services, without waiting for the rollout" };
export const TIMEOUT: FlagSpec = { name: "timeout", type: "duration", default: "30m", description: "how long to wait for the rollout" };
export const POLL_INTERVAL: FlagSpec = { name: "poll-interval", type: "duration", default: "6s", description: "time between DescribeServices polls" };
export const SHA: FlagSpec = { name: "sha", type: "string", placeholder: "SHA", description: "commit SHA: the image tag (default $CIRCLE_SHA1, else git rev-parse HEAD)" };
export const REPOSITORY: FlagSpec = { name: "repository", type: "string", placeholder: "NAME", description: "ECR repository name" };

/** `flag` with `required` switched off (for commands where the flag is one of several choices). */
export function optional(flag: FlagSpec): FlagSpec {
  const { required: _required, ...rest } = flag;
  return rest;
}
