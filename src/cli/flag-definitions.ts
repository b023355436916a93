/**
 * Every flag of every command, defined once: name, type, default, allowed values, form and help.
 * The CLI parses with these definitions (src/cli/flags.ts) and types each command's options from them;
 * the orb builds its parameters from them (src/orb/parameters.ts). Pure data: this module imports only
 * the definition types (flag-spec.ts), so the orb generator can read it without loading the CLI.
 */
import { defineFlag, defineFlags, type FlagSpec } from "./flag-spec.js";

// Every definition below is marked /* @__PURE__ */ (its helper returns a new value and changes nothing):
// a job build of one command drops the other commands' flag sets, their help text included.

// --- every command

/** `--region`: every command's AWS region. */
export const REGION = /* @__PURE__ */ defineFlag({ name: "region", type: "string", placeholder: "REGION", description: "AWS region (else AWS_REGION, AWS_DEFAULT_REGION)" });
/** `--debug`: every command's detail switch. */
export const DEBUG = /* @__PURE__ */ defineFlag({ name: "debug", type: "boolean", description: "log more detail, and the cause chain of errors" });

/** Flags every command takes. */
export const GLOBAL_FLAGS = /* @__PURE__ */ defineFlags([
  REGION,
  { name: "json", type: "boolean", description: "print one JSON result document on stdout" },
  DEBUG,
  { name: "help", short: "h", type: "boolean", description: "show help" },
]);

// --- shared by several commands

/**
 * ECS names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are
 * allowed" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html, and the
 * same for serviceName in API_CreateService.html); the ARN forms as ECS writes them.
 */
const ECS_NAME = "[A-Za-z0-9_-]{1,255}";
const ECS_ARN = "arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:";
export const CLUSTER = /* @__PURE__ */ defineFlag({
  name: "cluster",
  type: "string",
  placeholder: "CLUSTER",
  required: true,
  description: "ECS cluster name or ARN",
  form: { pattern: new RegExp(`^(${ECS_NAME}|${ECS_ARN}cluster/${ECS_NAME})$`), rule: "an ECS cluster is named with up to 255 letters, digits, hyphens and underscores, or given by its ARN" },
});
export const SERVICES = /* @__PURE__ */ defineFlag({
  name: "service",
  type: "list",
  placeholder: "SERVICE",
  required: true,
  description: "ECS service; repeat for several (comma-separated in the variable)",
  form: { pattern: new RegExp(`^(${ECS_NAME}|${ECS_ARN}service/(${ECS_NAME}/)?${ECS_NAME})$`), rule: "an ECS service is named with up to 255 letters, digits, hyphens and underscores, or given by its ARN" },
});
export const DRY_RUN = /* @__PURE__ */ defineFlag({ name: "dry-run", type: "boolean", description: "show what would change; write nothing" });
export const NO_WAIT = /* @__PURE__ */ defineFlag({ name: "no-wait", type: "boolean", description: "return after updating the services, without waiting for the rollout" });
export const TIMEOUT = /* @__PURE__ */ defineFlag({ name: "timeout", type: "duration", default: "30m", description: "how long to wait for the rollout" });
export const POLL_INTERVAL = /* @__PURE__ */ defineFlag({ name: "poll-interval", type: "duration", default: "6s", description: "time between DescribeServices polls" });
/** release, rollback: scheduled tasks (EventBridge rules, Scheduler schedules) follow the family to the revision made stable. */
export const UPDATE_SCHEDULES = /* @__PURE__ */ defineFlag({
  name: "update-schedules",
  type: "boolean",
  description: "point the family's scheduled tasks (EventBridge, Scheduler) at the revision made stable",
});
export const SHA = /* @__PURE__ */ defineFlag({ name: "sha", type: "string", placeholder: "SHA", description: "commit SHA or a unique prefix (7+ hex digits): the image tag (default $CIRCLE_SHA1, else git rev-parse HEAD)" });
export const REPOSITORY = /* @__PURE__ */ defineFlag({ name: "repository", type: "string", placeholder: "NAME", description: "ECR repository name" });

/** `flag` with `required` switched off (for commands where the flag is one of several choices). */
export function optional<const F extends FlagSpec>(flag: F): Omit<F, "required"> {
  const { required: _required, ...rest } = flag;
  return rest;
}

/** A shared flag with some of its fields changed for one command (`withFields(REPOSITORY, { required: true })`). */
export function withFields<const F extends FlagSpec, const C extends Partial<FlagSpec>>(flag: F, changes: C): Omit<F, keyof C> & C {
  return { ...flag, ...changes };
}

// --- push

/** The flags of `ecs-release push` (the orb's push parameters are built from them: src/orb/parameters.ts). */
export const PUSH_FLAGS = /* @__PURE__ */ defineFlags([
  /* @__PURE__ */ withFields(REPOSITORY, { required: true }),
  SHA,
  { name: "context", type: "string", placeholder: "DIR", default: ".", description: "build context directory" },
  { name: "dockerfile", type: "string", placeholder: "PATH", description: "Dockerfile path (default DIR/Dockerfile)" },
  { name: "build-arg", type: "list", placeholder: "K=V", keepCommas: true, description: "build argument; repeatable (the value goes to the CLI's environment, not its command line)" },
  { name: "target", type: "string", placeholder: "STAGE", description: "build stage to target" },
  { name: "platform", type: "string", placeholder: "PLATFORM", description: "target platform, e.g. linux/amd64" },
  { name: "extra-tag", type: "list", placeholder: "TAG", description: "additional tag to push; repeatable" },
  { name: "docker", type: "string", placeholder: "PATH", default: "docker", description: "docker-compatible CLI to use (docker, podman)" },
  { name: "registry", type: "string", placeholder: "HOST", description: "this account's ECR registry host to push to, instead of the one ECR's authorization data names (the ECR login goes to no other host)" },
  { name: "insecure-test-registry", type: "boolean", description: "the --registry HOST is a test registry, not ECR: send it the ECR login anyway (tests only)" },
  { name: "force", type: "boolean", description: "build and push even when the tag already exists" },
  { name: "create-repository", type: "boolean", description: "create the ECR repository when it does not exist (scan on push, immutable tags)" },
  { name: "cache-from", type: "string", placeholder: "CACHE", description: "build cache source, e.g. type=registry,ref=IMAGE (buildx), or an image reference" },
  { name: "cache-to", type: "string", placeholder: "CACHE", description: "build cache destination (buildx with a driver that exports caches, or podman), e.g. type=registry,ref=IMAGE,mode=max; ECR needs image-manifest=true,oci-mediatypes=true too" },
  { name: "label", type: "list", placeholder: "K=V", keepCommas: true, description: "extra image label, after the OCI ones; repeatable" },
  { name: "source", type: "string", placeholder: "URL", description: "repository URL for the org.opencontainers.image.source label (default $CIRCLE_REPOSITORY_URL)" },
]);

// --- release

/** What a release reads and renders from (release and verify). */
const SSM_PATH = /* @__PURE__ */ defineFlag({ name: "ssm-path", type: "string", placeholder: "PATH", required: true, description: "SSM Parameter Store path whose parameters become the environment, recursively (at least one segment, not /)" });
const IMAGE = /* @__PURE__ */ defineFlag({ name: "image", type: "string", placeholder: "URI", description: "full image URI (instead of --repository and --sha)" });
const TEMPLATE = /* @__PURE__ */ defineFlag({ name: "template", type: "list", placeholder: "FILE|FAMILY=FILE", keepCommas: true, description: "task definition template (JSON or YAML); default: each family's latest ACTIVE revision" });
const APP_CONTAINERS = /* @__PURE__ */ defineFlag({ name: "container", type: "list", placeholder: "NAME", description: "application container(s) that get the image and environment" });
const ENV = /* @__PURE__ */ defineFlag({ name: "env", type: "list", placeholder: "K=V", keepCommas: true, description: "literal environment variable; repeatable (SSM wins on a clash)" });
const SECURE_STRINGS = /* @__PURE__ */ defineFlag({ name: "secure-strings", type: "string", placeholder: "MODE", choices: ["secretsmanager", "environment", "secrets"], default: "secretsmanager", description: "SecureStrings as a Secrets Manager version per release referenced by version id (`secretsmanager`, the default: rolls back with the revision, only references in the task definition, needs an executionRoleArn), inline `environment` values (readable by anyone allowed ecs:DescribeTaskDefinition: warned about), or `secrets` references to the SSM parameters (the latest value at task start)" });
const ALLOW_EMPTY_ENV = /* @__PURE__ */ defineFlag({ name: "allow-empty-env", type: "boolean", description: "allow an SSM path with no parameters" });
/** The environment a release records and renders from (release and verify: verify checks the revision release would render from). */
const ENVIRONMENT = /* @__PURE__ */ defineFlag({
  name: "environment",
  type: "string",
  placeholder: "NAME",
  description: "the environment the new revisions are recorded for (default: the cluster's name); rollback, prune and the next release choose among its revisions",
  // Recorded as an ECS tag value (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html).
  form: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, rule: "an environment is named with up to 128 letters, digits, dots, hyphens and underscores, starting with a letter or digit" },
});
/**
 * The pre-flight checks to skip (src/core/preflight.ts): for a job role that may not read IAM roles,
 * CloudWatch Logs groups, parameter metadata or ECR images.
 */
export const SKIP_CHECK = /* @__PURE__ */ defineFlag({
  name: "skip-check",
  type: "list",
  placeholder: "CHECK",
  description: "pre-flight check not to run before anything is written: execution-role, log-groups, secrets, images, or all; repeatable",
  form: { pattern: /^(execution-role|log-groups|secrets|images|all)$/, rule: "the checks are execution-role, log-groups, secrets, images (or all)" },
});

/** The flags of `ecs-release release` (the orb's release parameters are built from them: src/orb/parameters.ts). */
export const RELEASE_FLAGS = /* @__PURE__ */ defineFlags([
  CLUSTER,
  SERVICES,
  SSM_PATH,
  ENVIRONMENT,
  REPOSITORY,
  IMAGE,
  SHA,
  TEMPLATE,
  APP_CONTAINERS,
  ENV,
  SECURE_STRINGS,
  ALLOW_EMPTY_ENV,
  DRY_RUN,
  NO_WAIT,
  TIMEOUT,
  POLL_INTERVAL,
  { name: "force", type: "boolean", description: "release even when a deployment is already in progress" },
  { name: "until-paused", type: "boolean", description: "stop waiting (exit 0) where a BLUE_GREEN, LINEAR or CANARY deployment waits at a PAUSE lifecycle hook; go on with ecs-release continue" },
  { name: "pre-deploy-command", type: "string", placeholder: "COMMAND", description: "run this one-off task (e.g. a migration) from the new revision, like the first --service, before updating any service; split like a shell, nothing expanded" },
  { name: "pre-deploy-container", type: "string", placeholder: "NAME", description: "container that runs --pre-deploy-command (default: the application container)" },
  { name: "pre-deploy-timeout", type: "duration", default: "30m", description: "how long to wait for the pre-deploy task to stop" },
  { name: "plan-file", type: "string", placeholder: "FILE", description: "with --dry-run: save the plan to FILE (JSON, keyed digests only), with a Markdown copy for the approver (.md) and the digest key (.key) beside it; without: release only if it still matches FILE (else exit 2, nothing written); a missing FILE, or one of another pipeline, is exit 2 unless --allow-missing-plan" },
  { name: "allow-missing-plan", type: "boolean", description: "with --plan-file: release even when FILE is missing or was planned in another pipeline (a re-run after the workspace expired), unchecked against an approved plan (said in the output)" },
  { name: "plan-key", type: "string", placeholder: "KMS_KEY", description: "with --plan-file: the KMS HMAC key (ARN or alias) that signs the plan in the dry run (kms:GenerateMac) and verifies it in the release (kms:VerifyMac); the release then refuses a plan that is unsigned or changed" },
  { name: "accept-drift", type: "boolean", description: "with --plan-file: release even when SSM, the image, the template or the running revisions changed since the plan (the changes are listed)" },
  UPDATE_SCHEDULES,
  { name: "adopt", type: "boolean", description: "render from a revision ecs-release did not register, removing what a dry run lists" },
  { name: "pre-deploy-launch-type", type: "string", placeholder: "TYPE", description: "run the pre-deploy task on this launch type instead of the service's capacity (default: the service's, without FARGATE_SPOT)" },
  { name: "pre-deploy-capacity-provider-strategy", type: "string", placeholder: "P[:W[:B]],…", description: "run the pre-deploy task on this capacity provider strategy, e.g. FARGATE:1" },
  { name: "pre-deploy-enable-execute-command", type: "boolean", description: "turn ECS Exec on for the pre-deploy task, whatever the service says" },
  SKIP_CHECK,
]);

// --- verify

/** The flags of `ecs-release verify`: what release reads and renders from, and the checks to skip. */
export const VERIFY_FLAGS = /* @__PURE__ */ defineFlags([CLUSTER, SERVICES, SSM_PATH, ENVIRONMENT, REPOSITORY, IMAGE, SHA, TEMPLATE, APP_CONTAINERS, ENV, SECURE_STRINGS, ALLOW_EMPTY_ENV, SKIP_CHECK]);

// --- rollback

/** The flags of `ecs-release rollback` (the orb's rollback parameters are built from them: src/orb/parameters.ts). */
export const ROLLBACK_FLAGS = /* @__PURE__ */ defineFlags([
  CLUSTER,
  SERVICES,
  { name: "to", type: "string", placeholder: "TARGET", default: "previous", description: "previous | REVISION | FAMILY:REVISION | ARN | sha:SHA" },
  { name: "keep-bad", type: "boolean", description: "do not deregister the revisions rolled back from" },
  UPDATE_SCHEDULES,
  DRY_RUN,
  NO_WAIT,
  TIMEOUT,
  POLL_INTERVAL,
]);

// --- continue

/** The flags of `ecs-release continue` (the orb's continue parameters are built from them: src/orb/parameters.ts). */
export const CONTINUE_FLAGS = defineFlags([
  CLUSTER,
  SERVICES,
  { name: "action", type: "string", placeholder: "ACTION", choices: ["continue", "rollback"], default: "continue", description: "continue the paused deployment to its next stage, or roll it back to the previous revision" },
  NO_WAIT,
  TIMEOUT,
  POLL_INTERVAL,
]);

// --- run-task

/** The flags of `ecs-release run-task`. */
export const RUN_TASK_FLAGS = /* @__PURE__ */ defineFlags([
  CLUSTER,
  { name: "task-definition", type: "string", placeholder: "FAMILY[:REV]", required: true, description: "task definition to run: family (latest ACTIVE revision), family:revision or ARN" },
  { name: "container", type: "string", placeholder: "NAME", description: "container that gets --command and whose exit code decides (default: the only essential container)" },
  { name: "command", type: "string", placeholder: "COMMAND", description: "command to run in the container: split like a shell (quotes, backslashes), nothing expanded, no shell" },
  { name: "like-service", type: "string", placeholder: "SERVICE", description: "copy this service's network configuration, capacity (without FARGATE_SPOT), platform version, placement, tags and ECS Exec setting" },
  { name: "launch-type", type: "string", placeholder: "TYPE", description: "run on this launch type (FARGATE, EC2, EXTERNAL) instead of the service's capacity" },
  { name: "capacity-provider-strategy", type: "string", placeholder: "P[:W[:B]],…", description: "run on this capacity provider strategy, e.g. FARGATE:1 (FARGATE_SPOT only when named here)" },
  { name: "enable-execute-command", type: "boolean", description: "turn ECS Exec on for the task (aws ecs execute-command into a hung migration), whatever the service says" },
  /* @__PURE__ */ withFields(TIMEOUT, { description: "how long to wait for the task to stop" }),
  /* @__PURE__ */ withFields(POLL_INTERVAL, { description: "time between DescribeTasks polls" }),
]);

// --- history

/** The flags of `ecs-release history`. */
export const HISTORY_FLAGS = /* @__PURE__ */ defineFlags([
  /* @__PURE__ */ optional(CLUSTER),
  { name: "service", type: "string", placeholder: "SERVICE", description: "service whose family to list (with --cluster)" },
  { name: "family", type: "string", placeholder: "FAMILY", description: "task definition family to list" },
  { name: "limit", type: "integer", default: "20", description: "how many revisions to show" },
  { name: "all-environments", type: "boolean", description: "with --service: show every environment's revisions, not only the service's" },
]);

// --- status

/** The flags of `ecs-release status`. */
export const STATUS_FLAGS = /* @__PURE__ */ defineFlags([
  CLUSTER,
  SERVICES,
  { name: "stopped-tasks", type: "boolean", description: "also show a few recently stopped tasks of each service: why they stopped and the last lines of their awslogs log" },
]);

// --- prune

/** The flags of `ecs-release prune`. */
export const PRUNE_FLAGS = /* @__PURE__ */ defineFlags([
  { name: "family", type: "list", placeholder: "FAMILY", description: "task definition family; repeatable" },
  /* @__PURE__ */ optional(CLUSTER),
  /* @__PURE__ */ optional(SERVICES),
  { name: "keep", type: "integer", default: "20", description: "how many of the newest revisions to keep" },
  DRY_RUN,
]);
