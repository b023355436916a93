import { defineFlag, type FlagSpec } from "../flags.js";

/** Flags several commands share, defined once. */
/**
 * ECS names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are
 * allowed" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html, and the
 * same for serviceName in API_CreateService.html); the ARN forms as ECS writes them.
 */
const ECS_NAME = "[A-Za-z0-9_-]{1,255}";
const ECS_ARN = "arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:";
export const CLUSTER = defineFlag({
  name: "cluster",
  type: "string",
  placeholder: "CLUSTER",
  required: true,
  description: "ECS cluster name or ARN",
  form: { pattern: new RegExp(`^(${ECS_NAME}|${ECS_ARN}cluster/${ECS_NAME})$`), rule: "an ECS cluster is named with up to 255 letters, digits, hyphens and underscores, or given by its ARN" },
});
export const SERVICES = defineFlag({
  name: "service",
  type: "list",
  placeholder: "SERVICE",
  required: true,
  description: "ECS service; repeat for several (comma-separated in the variable)",
  form: { pattern: new RegExp(`^(${ECS_NAME}|${ECS_ARN}service/(${ECS_NAME}/)?${ECS_NAME})$`), rule: "an ECS service is named with up to 255 letters, digits, hyphens and underscores, or given by its ARN" },
});
export const DRY_RUN = defineFlag({ name: "dry-run", type: "boolean", description: "show what would change; write nothing" });
export const NO_WAIT = defineFlag({ name: "no-wait", type: "boolean", description: "return after updating the services, without waiting for the rollout" });
export const TIMEOUT = defineFlag({ name: "timeout", type: "duration", default: "30m", description: "how long to wait for the rollout" });
export const POLL_INTERVAL = defineFlag({ name: "poll-interval", type: "duration", default: "6s", description: "time between DescribeServices polls" });
export const SHA = defineFlag({ name: "sha", type: "string", placeholder: "SHA", description: "commit SHA: the image tag (default $CIRCLE_SHA1, else git rev-parse HEAD)" });
export const REPOSITORY = defineFlag({ name: "repository", type: "string", placeholder: "NAME", description: "ECR repository name" });

/** `flag` with `required` switched off (for commands where the flag is one of several choices). */
export function optional<const F extends FlagSpec>(flag: F): Omit<F, "required"> {
  const { required: _required, ...rest } = flag;
  return rest;
}
