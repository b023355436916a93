/**
 * Every orb parameter, defined once. Commands and jobs pick theirs from here by name, so a parameter's
 * type, default and description are the same wherever it appears.
 *
 * A parameter that feeds a CLI flag is built from the flag's own definition with {@link fromFlag}: its
 * type and default are the flag's (only the wording is the orb's). Its name is the flag in snake_case
 * (exceptions: {@link exposedName}) and it reaches the CLI only as the environment variable
 * `ECS_RELEASE_<FLAG_IN_UPPER_SNAKE>` (never in shell text). A repeatable flag takes a comma-separated
 * string, or one item per line.
 */

import { CLUSTER, CONTINUE_FLAGS, DEBUG, DRY_RUN, NO_WAIT, POLL_INTERVAL, PUSH_FLAGS, REGION, RELEASE_FLAGS, ROLLBACK_FLAGS, SERVICES, SHA, TIMEOUT, UPDATE_SCHEDULES } from "../cli/flag-definitions.js";
import { byName, type FlagSpec } from "../cli/flag-spec.js";
import { CLI_BUILDS } from "./cli-builds.js";

/** The parameter types CircleCI knows. */
export type OrbParameterType = "string" | "boolean" | "integer" | "enum" | "steps" | "executor" | "env_var_name";

/** One orb parameter. No `default` means the user must pass it. */
export interface OrbParameter {
  readonly type: OrbParameterType;
  readonly description: string;
  readonly default?: string | boolean | number;
  readonly enum?: readonly string[];
  /** The kebab-case CLI flag this parameter feeds, when it feeds one. */
  readonly flag?: string;
}

const LIST = "Comma-separated, or one per line";

/**
 * The orb parameter that feeds `flag`, typed and defaulted by the flag's definition: boolean → boolean
 * (default false), integer → integer, choices → enum of the same values, string, list and duration →
 * string. The default is the flag's; for an optional flag without one, "" (the CLI treats an empty
 * `ECS_RELEASE_*` variable as unset); a required flag's parameter has none (the user must pass it).
 * Only the description is the orb's own.
 */
export function fromFlag(flag: FlagSpec, orb: { readonly description: string }): OrbParameter {
  const { description } = orb;
  if (flag.type === "boolean") return { type: "boolean", flag: flag.name, default: false, description };
  const needsDefault = !flag.required;
  if (flag.type === "integer") {
    if (needsDefault && flag.default === undefined) throw new Error(`--${flag.name}: an optional integer flag needs a default to become an orb parameter (CircleCI's integer takes no "")`);
    return { type: "integer", flag: flag.name, ...(needsDefault ? { default: Number(flag.default) } : {}), description };
  }
  if (flag.choices !== undefined) {
    if (needsDefault && flag.default === undefined) throw new Error(`--${flag.name}: an optional flag with choices needs a default to become an orb enum`);
    return { type: "enum", flag: flag.name, enum: flag.choices, ...(needsDefault ? { default: flag.default ?? "" } : {}), description };
  }
  return { type: "string", flag: flag.name, ...(needsDefault ? { default: flag.default ?? "" } : {}), description };
}

const push = byName(PUSH_FLAGS);
const release = byName(RELEASE_FLAGS);
const rollback = byName(ROLLBACK_FLAGS);
const continueFlags = byName(CONTINUE_FLAGS);

/** Every parameter of every orb command and job, by name. */
export const PARAMETERS = {
  // --- shared by the CLI commands
  region: fromFlag(REGION, { description: "AWS region. Empty: AWS_REGION or AWS_DEFAULT_REGION from the environment (e.g. a context)." }),
  debug: fromFlag(DEBUG, { description: "Log more detail, and the cause chain of errors." }),
  cluster: fromFlag(CLUSTER, { description: "ECS cluster name or ARN." }),
  service: fromFlag(SERVICES, { description: `ECS services to update, e.g. "web,worker". ${LIST}.` }),
  dry_run: fromFlag(DRY_RUN, { description: "Show what would change and write nothing." }),
  no_wait: fromFlag(NO_WAIT, { description: "Return after updating the services, without waiting for the rollout to finish." }),
  timeout: fromFlag(TIMEOUT, {
    description: "How long to wait for the rollout, with a unit (90s, 15m, 1h). The job fails with exit code 4 at the deadline. Raise no_output_timeout with it: it must cover this wait (plus pre_deploy_timeout in a release).",
  }),
  poll_interval: fromFlag(POLL_INTERVAL, { description: "Time between DescribeServices polls while waiting." }),
  sha: fromFlag(SHA, { description: "Commit SHA, full or a unique prefix of 7 or more hex digits (resolved to the full-SHA tag). Empty: the pipeline's commit (CIRCLE_SHA1)." }),
  repository: fromFlag(push.repository, { description: "ECR repository name (not the URI)." }),

  // --- push
  build_context: fromFlag(push.context, { description: "Build context directory (--context; named build_context because a job's context is the CircleCI context)." }),
  dockerfile: fromFlag(push.dockerfile, { description: "Dockerfile path. Empty: Dockerfile in the build context." }),
  build_arg: fromFlag(push["build-arg"], { description: `Build arguments as K=V. One per line, or comma-separated when no value has a comma.` }),
  target: fromFlag(push.target, { description: "Build stage to target. Empty: the last stage." }),
  platform: fromFlag(push.platform, { description: "Target platform, e.g. linux/amd64 or linux/arm64. Empty: the builder's platform." }),
  extra_tag: fromFlag(push["extra-tag"], { description: `Additional tags to push besides the commit SHA. ${LIST}.` }),
  docker: fromFlag(push.docker, { description: "Docker-compatible CLI that builds and pushes (docker, podman)." }),
  registry: fromFlag(push.registry, { description: "Registry host to push to instead of the one ECR's authorization data names: this account's ECR host in the region (e.g. a FIPS endpoint), or a local test registry with insecure_test_registry." }),
  insecure_test_registry: fromFlag(push["insecure-test-registry"], { description: "Allow registry to be a host that is not ECR (a local test registry): ECR's credentials are then sent to it. Never for production." }),
  create_repository: fromFlag(push["create-repository"], { description: "Create the ECR repository when it does not exist (scan on push, immutable tags)." }),
  cache_from: fromFlag(push["cache-from"], { description: "Build cache source, e.g. type=registry,ref=IMAGE (buildx), or an image reference." }),
  cache_to: fromFlag(push["cache-to"], { description: "Build cache destination, e.g. type=registry,ref=IMAGE,mode=max (buildx or podman)." }),
  label: fromFlag(push.label, { description: "Extra image labels as K=V after the OCI ones, one per line (or comma-separated when no value has a comma)." }),
  source: fromFlag(push.source, { description: "Repository URL for the org.opencontainers.image.source label. Empty: the project's repository (CIRCLE_REPOSITORY_URL)." }),
  force_push: fromFlag(push.force, { description: "Build and push even when the commit's tag already exists in ECR." }),

  // --- release
  ssm_path: fromFlag(release["ssm-path"], { description: "SSM Parameter Store path whose parameters become the containers' environment, e.g. /myapp/prod." }),
  environment: fromFlag(release["environment"], {
    description: "The environment the new revisions are recorded for (default: the cluster's name). Rollback, prune and the next release choose among its revisions only: set it when two environments share a cluster.",
  }),
  image: fromFlag(release.image, { description: "Full image URI to release instead of repository + sha." }),
  // Release's --repository is optional (it or --image), push's required: each parameter follows its own command's flag.
  release_repository: fromFlag(release.repository, { description: "ECR repository name of the image to release (tag: the commit SHA). Give this or image." }),
  template: fromFlag(release.template, { description: `Task definition templates (JSON or YAML file, or FAMILY=FILE). ${LIST}. The release job has no checkout: add pre-steps: [checkout] for files in the repository. Empty: each family's latest ACTIVE revision.` }),
  container: fromFlag(release.container, { description: `Application containers that get the image and environment. ${LIST}. Empty: the containers from the release repository, else the only container.` }),
  env: fromFlag(release.env, { description: "Literal environment variables as K=V, one per line (or comma-separated when no value has a comma). SSM wins on a clash." }),
  secure_strings: fromFlag(release["secure-strings"], { description: "SecureString parameters as a Secrets Manager version per release that the revision references by version id (secretsmanager, the default: a rollback restores them, the task definition holds only references; the task definition needs an executionRoleArn), inline environment values (readable by anyone allowed ecs:DescribeTaskDefinition), or secrets referenced by SSM ARN (ECS reads the latest value at task start)." }),
  allow_empty_env: fromFlag(release["allow-empty-env"], { description: "Allow an SSM path without parameters." }),
  force_release: fromFlag(release.force, { description: "Release even when a service already has a deployment in progress." }),
  pre_deploy_command: fromFlag(release["pre-deploy-command"], {
    description: "Command to run as a one-off task of the new revision, like the first service, before any service is updated (e.g. bin/migrate). Split like a shell, nothing expanded. A failure stops the release with nothing rolled out.",
  }),
  pre_deploy_container: fromFlag(release["pre-deploy-container"], { description: "Container that runs pre_deploy_command. Empty: the application container." }),
  pre_deploy_timeout: fromFlag(release["pre-deploy-timeout"], {
    description: "How long to wait for the pre-deploy task to stop. Raise no_output_timeout with it: it must cover pre_deploy_timeout + timeout.",
  }),
  pre_deploy_launch_type: fromFlag(release["pre-deploy-launch-type"], { description: "Launch type of the pre-deploy task (FARGATE, EC2, EXTERNAL). Empty: the first service's capacity, without FARGATE_SPOT (a migration must not be interrupted)." }),
  pre_deploy_capacity_provider_strategy: fromFlag(release["pre-deploy-capacity-provider-strategy"], { description: "Capacity provider strategy of the pre-deploy task, e.g. FARGATE:1 (PROVIDER[:WEIGHT[:BASE]], comma-separated). Empty: as pre_deploy_launch_type says." }),
  pre_deploy_enable_execute_command: fromFlag(release["pre-deploy-enable-execute-command"], { description: "Turn ECS Exec on for the pre-deploy task (to inspect a hung migration with aws ecs execute-command), whatever the service says." }),
  plan_file: fromFlag(release["plan-file"], {
    description:
      "Saved plan (JSON). With dry_run: write the plan there, with a Markdown copy for the approver (.md: store it as an artifact) and the digest key (.key: keep it in the workspace only). " +
      "Without: release only what that plan shows (exit 2, nothing written, when SSM, the image, the template or the running revisions changed, or when there is no plan of this pipeline there: see allow_missing_plan). Empty: no plan.",
  }),
  plan_key: fromFlag(release["plan-key"], {
    description:
      "With plan_file: the KMS HMAC key (ARN or alias; key spec HMAC_256) that signs the plan in the plan job (kms:GenerateMac, only the plan job's role) and verifies it in the release job (kms:VerifyMac). " +
      "The release then refuses a plan that is missing, unsigned, or changed since the plan job, whoever can write the workspace. Empty: the plan is not signed (a warning says so).",
  }),
  accept_drift: fromFlag(release["accept-drift"], { description: "With plan_file: release even when something changed since the plan (the changes are listed)." }),
  allow_missing_plan: fromFlag(release["allow-missing-plan"], {
    description: "With plan_file: release even when there is no plan of this pipeline at plan_file (a re-run after the workspace expired), unchecked against an approved plan. Prefer re-running the workflow from the start: a fresh plan and approval.",
  }),
  adopt: fromFlag(release.adopt, {
    description: "Release from a revision ecs-release did not register (the first release over a revision written by hand, Terraform or CDK, or one registered after the running one), removing the variables the dry run lists. A release with an approved plan_file needs no adopt.",
  }),

  update_schedules: fromFlag(UPDATE_SCHEDULES, {
    description: "Once the services are stable, point the EventBridge rule targets and EventBridge Scheduler schedules that run a revision of the family (scheduled tasks: cron jobs, celery beat) at the new revision; rollback points them at its target. The job's role needs the schedule statements of its policy.",
  }),
  skip_check: fromFlag(release["skip-check"], {
    description: `Pre-flight checks not to run before anything is written: execution-role, log-groups, secrets, images, or all. ${LIST}. For a job role that may not read IAM roles, CloudWatch Logs groups, parameter metadata or ECR images. Empty: every check runs.`,
  }),

  // --- rollback
  to: fromFlag(rollback.to, { description: "Rollback target: previous (the newest older revision recorded as stable), REVISION, FAMILY:REVISION, ARN, or sha:SHA." }),
  keep_bad: fromFlag(rollback["keep-bad"], { description: "Keep the revisions rolled back from instead of deregistering them." }),

  // --- pause hooks (BLUE_GREEN, LINEAR, CANARY)
  until_paused: fromFlag(release["until-paused"], { description: "Stop waiting (the job succeeds) where the deployment waits at a PAUSE lifecycle hook, e.g. at PRE_PRODUCTION_TRAFFIC_SHIFT with test traffic on the new revision; a continue job goes on after an approval." }),
  action: fromFlag(continueFlags.action, { description: "continue: the paused deployment goes on to its next stage (production traffic); rollback: back to the previous revision." }),

  // --- AWS credentials from CircleCI's OIDC token
  role_arn: { type: "string", default: "", description: "IAM role to assume with the job's OIDC token. Empty: AWS_ROLE_ARN from the environment (set it in the context the job uses)." },
  role_session_name: { type: "string", default: "", description: "Session name for the assumed role (shows in CloudTrail). Empty: circleci-<project>-<build number>." },

  // --- not flags
  no_output_timeout: {
    type: "string",
    default: "65m",
    description:
      "CircleCI's no_output_timeout for the CLI step (a decimal with a unit: 65m, 1.5h). Keep it above the step's longest wait: " +
      "pre_deploy_timeout + timeout + 5m for release (default 65m = 30m + 30m + 5m), timeout + 5m for rollback (default 35m). " +
      "The CLI prints a progress line at least once a minute while it waits, so this only ends a step that hangs.",
  },
  cli: {
    type: "enum",
    enum: CLI_BUILDS,
    default: "full",
    description:
      "Which build of the CLI to install: full (every command), or push, release or rollback (only that command: what the orb's own jobs install, to keep each job small in the compiled config).",
  },
  resource_class: {
    type: "string",
    default: "small",
    description:
      "Docker resource class of the job's container: small, medium, medium+, large, xlarge, 2xlarge, 2xlarge+, or an Arm class " +
      "(arm.medium, arm.large, arm.xlarge, arm.2xlarge; cimg/node images are multi-arch) — any Docker class CircleCI offers " +
      "(https://circleci.com/docs/configuration-reference/#resourceclass); CircleCI checks the name.",
  },
  node_version: {
    type: "string",
    default: "22.14",
    description: "Tag of the cimg/node image the job runs on (default 22.14: Node.js 22). The CLI runs on Node.js 20 or later, so a 20.x tag works too.",
  },
  docker_layer_caching: {
    type: "boolean",
    default: false,
    description: "Reuse image layers between builds on the remote Docker engine (Docker layer caching: available on every plan, charged in credits per job that uses it).",
  },
  remote_docker_version: {
    type: "string",
    default: "",
    description: "Version of the remote Docker engine (setup_remote_docker's version). Empty: CircleCI's default engine, and no version key at all, which CircleCI Server needs (it refuses one).",
  },
  test_results: { type: "string", default: "test-results", description: "Directory of JUnit XML results to store (shown in the Tests tab). Missing: nothing stored." },
  executor: { type: "executor", default: "node", description: "Executor for the tests: the orb's node executor, or one of your own." },
  test_steps: { type: "steps", description: "Steps that install dependencies and run the tests, writing JUnit XML to test_results." },
  auth: { type: "steps", description: "Steps that make AWS credentials available. Default: configure_aws_oidc (the job's CircleCI OIDC token and AWS_ROLE_ARN from its context). Replace it to use static keys from a context." },
} as const satisfies Record<string, OrbParameter>;

/** The name of a parameter in {@link PARAMETERS}. */
export type ParameterName = keyof typeof PARAMETERS;

/**
 * Parameters whose orb name is not simply the flag in snake_case, because two commands give one flag
 * different meanings (`--force`), one is required in one place and optional in another
 * (`--repository`), or the plain name is taken (`steps`). Commands expose them under the flag's own name; see {@link exposedName}.
 */
const EXPOSED_AS: Partial<Record<ParameterName, string>> = {
  force_push: "force",
  force_release: "force",
  release_repository: "repository",
  test_steps: "steps",
};

/** The name users see for a parameter (`force_push` → `force`). */
export function exposedName(name: ParameterName): string {
  return EXPOSED_AS[name] ?? name;
}

/** The parameters of each CLI-backed command, in the order users read them. */
export const VERB_PARAMETERS = {
  push: [
    "repository", "sha", "build_context", "dockerfile", "build_arg", "target", "platform", "extra_tag", "label", "source", "cache_from", "cache_to",
    "docker", "registry", "insecure_test_registry", "create_repository", "force_push", "region", "debug",
  ],
  release: [
    "cluster", "service", "ssm_path", "environment", "release_repository", "image", "sha", "template", "container", "env", "secure_strings",
    "allow_empty_env", "pre_deploy_command", "pre_deploy_container", "pre_deploy_timeout", "pre_deploy_launch_type", "pre_deploy_capacity_provider_strategy", "pre_deploy_enable_execute_command", "dry_run", "plan_file", "plan_key", "accept_drift", "allow_missing_plan", "adopt", "update_schedules", "skip_check", "no_wait", "until_paused", "timeout", "poll_interval", "force_release", "region", "debug",
  ],
  rollback: ["cluster", "service", "to", "keep_bad", "update_schedules", "dry_run", "no_wait", "timeout", "poll_interval", "region", "debug"],
  continue: ["cluster", "service", "action", "no_wait", "timeout", "poll_interval", "region", "debug"],
} as const satisfies Record<string, readonly ParameterName[]>;

/** Parameters of a CLI step that are CircleCI's, not the CLI's: the step's no_output_timeout. */
export const STEP_PARAMETERS = {
  push: [],
  release: ["no_output_timeout"],
  rollback: ["no_output_timeout"],
  continue: ["no_output_timeout"],
} as const satisfies Record<string, readonly ParameterName[]>;

/** Each CLI step's default no_output_timeout: its longest wait with the default timeouts, plus 5m. */
export const STEP_DEFAULTS: Record<Verb, Partial<Record<ParameterName, { default: string }>>> = {
  push: {},
  release: { no_output_timeout: { default: "65m" } },
  rollback: { no_output_timeout: { default: "35m" } },
  continue: { no_output_timeout: { default: "35m" } },
};

/** The CLI verbs the orb runs. */
export type Verb = keyof typeof VERB_PARAMETERS;

/** The parameters of the OIDC command. */
export const OIDC_PARAMETERS = ["role_arn", "role_session_name", "region"] as const satisfies readonly ParameterName[];
