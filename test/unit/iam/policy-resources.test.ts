/**
 * Every statement's resources and conditions, exactly, one table per policy (src/iam/policies.ts).
 * The other policy tests check actions and flag `Resource: "*"`; a resource widened from one
 * cluster's tasks to all tasks (`task/${Cluster}/*` → `task/*`) or a dropped condition passes them
 * all. Here it fails: the tables are written out literally (never built from the module's own
 * constants), so a change to a policy's scope is a deliberate change to its table.
 *
 * To change a policy: change the statement in src/iam/policies.ts and its row here, and say in the
 * statement's `why` what the new scope allows.
 */
import { describe, expect, it } from "vitest";
import { placeholdersIn, POLICIES, type JobPolicy, type PolicyStatement } from "../../../src/iam/policies.js";

/** A statement's scope: its resources (always a list here) and its condition. */
interface Scope {
  readonly resources: readonly string[];
  readonly condition?: PolicyStatement["Condition"];
}

const ARN = "arn:aws:ecs:${Region}:${Account}";
const SERVICES_OF_CLUSTER = `${ARN}:service/\${Cluster}/*`;
const TASKS_OF_CLUSTER = `${ARN}:task/\${Cluster}/*`;
const CLUSTER = `${ARN}:cluster/\${Cluster}`;
const FAMILY_REVISIONS = `${ARN}:task-definition/\${Family}:*`;
const SERVICE_DEPLOYMENTS_OF_CLUSTER = `${ARN}:service-deployment/\${Cluster}/*`;
const REPOSITORY = "arn:aws:ecr:${Region}:${Account}:repository/${Repository}";
/** The containers' awslogs log group, and its streams (pre-flight; what the containers said). */
const LOG_GROUP = "arn:aws:logs:${Region}:${Account}:log-group:${LogGroup}";
const LOG_STREAMS = "arn:aws:logs:${Region}:${Account}:log-group:${LogGroup}:log-stream:*";
const SSM_PATH = ["arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}", "arn:aws:ssm:${Region}:${Account}:parameter/${SsmPath}/*"];
const IN_CLUSTER = { ArnEquals: { "ecs:cluster": CLUSTER } };
const KMS_VIA_SSM = { StringEquals: { "kms:ViaService": "ssm.${Region}.amazonaws.com" } };
/** --update-schedules: rules of the region and schedules of every group; the scheduled tasks' role, passed only to EventBridge and Scheduler. */
const RULES_AND_SCHEDULES = ["arn:aws:events:${Region}:${Account}:rule/*", "arn:aws:scheduler:${Region}:${Account}:schedule/*/*"];
const SCHEDULED_TASK_UPDATES: Record<string, Scope> = {
  ScheduledTasksList: { resources: ["*"] },
  ScheduledTasksUpdate: { resources: RULES_AND_SCHEDULES },
  PassScheduleRoles: { resources: ["${ScheduleRoleArn}"], condition: { StringEquals: { "iam:PassedToService": ["events.amazonaws.com", "scheduler.amazonaws.com"] } } },
};
/** UpdateService only to a revision of the environment's family (condition key ecs:task-definition). */
const TO_FAMILY = { ArnLike: { "ecs:task-definition": FAMILY_REVISIONS } };
const SNAPSHOT_SECRET = "arn:aws:secretsmanager:${Region}:${Account}:secret:ecs-release/${SsmPath}-??????";

/** The trust policies have a principal, not resources: test/unit/iam/trust-evaluation.test.ts evaluates them. */
type TrustPolicy = "trust" | "deploy-trust";

const EXPECTED: Record<Exclude<JobPolicy["name"], TrustPolicy>, Record<string, Scope>> = {
  build: {
    EcrLogin: { resources: ["*"] },
    EcrReadAndTag: { resources: [REPOSITORY] },
    DockerPush: { resources: [REPOSITORY] },
    EcrCreateRepository: { resources: [REPOSITORY] },
  },
  plan: {
    EcsReadServices: { resources: [SERVICES_OF_CLUSTER] },
    EcsReadTaskDefinitions: { resources: ["*"] },
    PreDeployTaskFind: { resources: ["*"], condition: IN_CLUSTER },
    PreDeployTaskWatch: { resources: [TASKS_OF_CLUSTER, CLUSTER] },
    SsmEnvironment: { resources: SSM_PATH },
    SecretsSnapshotRead: { resources: [SNAPSHOT_SECRET] },
    DecryptSecureStrings: { resources: ["${KmsKeyArn}"], condition: KMS_VIA_SSM },
    EcrImageLookup: { resources: [REPOSITORY] },
    ScheduledTasksRead: { resources: ["*"] },
    ScheduledTasksReadEach: { resources: RULES_AND_SCHEDULES },
    PreflightExecutionRole: { resources: ["${ExecutionRoleArn}"] },
    PreflightLogGroups: { resources: [LOG_GROUP] },
    PreflightSecretParameters: { resources: ["*"] },
    PreflightImages: { resources: ["arn:aws:ecr:${Region}:${Account}:repository/*"] },
  },
  release: {
    EcsServices: { resources: [SERVICES_OF_CLUSTER] },
    EcsUpdateServices: { resources: [SERVICES_OF_CLUSTER], condition: TO_FAMILY },
    EcsTaskDefinitions: { resources: ["*"] },
    EcsRegisterRevisions: { resources: [FAMILY_REVISIONS] },
    EcsTagRevisions: { resources: [FAMILY_REVISIONS] },
    PreDeployTask: { resources: [FAMILY_REVISIONS], condition: IN_CLUSTER },
    PreDeployTaskWatch: { resources: [TASKS_OF_CLUSTER, CLUSTER] },
    PreDeployTaskFind: { resources: ["*"], condition: IN_CLUSTER },
    PreDeployTaskTagOnCreate: { resources: [TASKS_OF_CLUSTER], condition: { StringEquals: { "ecs:CreateAction": "RunTask" } } },
    PassTaskRoles: { resources: ["${TaskRoleArn}", "${ExecutionRoleArn}"], condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
    SsmEnvironment: { resources: SSM_PATH },
    DecryptSecureStrings: { resources: ["${KmsKeyArn}"], condition: KMS_VIA_SSM },
    FailedDeploymentTasks: { resources: ["*"], condition: IN_CLUSTER },
    EcsServiceDeployments: { resources: [SERVICE_DEPLOYMENTS_OF_CLUSTER] },
    EcsServiceDeploymentList: { resources: [SERVICES_OF_CLUSTER] },
    EcsServiceRevisions: { resources: [`${ARN}:service-revision/\${Cluster}/*`] },
    EcrImageLookup: { resources: [REPOSITORY] },
    ...SCHEDULED_TASK_UPDATES,
    SecretsSnapshot: { resources: [SNAPSHOT_SECRET] },
    SecretsSnapshotMask: { resources: [SNAPSHOT_SECRET] },
    PlanMacVerify: { resources: ["${PlanKeyArn}"] },
    PreflightExecutionRole: { resources: ["${ExecutionRoleArn}"] },
    PreflightLogGroups: { resources: [LOG_GROUP] },
    PreflightSecretParameters: { resources: ["*"] },
    PreflightImages: { resources: ["arn:aws:ecr:${Region}:${Account}:repository/*"] },
    TaskLogs: { resources: [LOG_STREAMS] },
  },
  rollback: {
    EcsServices: { resources: [SERVICES_OF_CLUSTER], condition: TO_FAMILY },
    // Read-only, region-wide: a revision is in use when a service of any cluster runs it.
    EcsDescribeServicesInRegion: { resources: [`${ARN}:service/*`] },
    EcsListServicesInRegion: { resources: ["*"], condition: { ArnLike: { "ecs:cluster": `${ARN}:cluster/*` } } },
    EcsListClusters: { resources: ["*"] },
    EcsTaskDefinitions: { resources: ["*"] },
    FailedDeploymentTasks: { resources: ["*"], condition: IN_CLUSTER },
    FailedDeploymentTaskReasons: { resources: [TASKS_OF_CLUSTER] },
    EcsServiceDeployments: { resources: [SERVICE_DEPLOYMENTS_OF_CLUSTER] },
    EcsServiceDeploymentList: { resources: [SERVICES_OF_CLUSTER] },
    EcsServiceRevisions: { resources: [`${ARN}:service-revision/\${Cluster}/*`] },
    EcsTagRevisions: { resources: [FAMILY_REVISIONS] },
    // The tags of a deregistered revision ECS no longer describes: the family's revisions only.
    EcsReadRevisionTags: { resources: [FAMILY_REVISIONS] },
    SecretsSnapshotVersions: { resources: ["arn:aws:secretsmanager:${Region}:${Account}:secret:ecs-release/*"] },
    TaskLogs: { resources: [LOG_STREAMS] },
    EcrTargetImages: { resources: ["arn:aws:ecr:${Region}:${Account}:repository/*"] },
    // Read-only: scheduled tasks (EventBridge rules and Scheduler schedules) that run a revision.
    EventBridgeRules: { resources: ["*"] },
    EventBridgeRuleTargets: { resources: ["arn:aws:events:${Region}:${Account}:rule/*"] },
    SchedulerListSchedules: { resources: ["*"] },
    SchedulerGetSchedule: { resources: ["arn:aws:scheduler:${Region}:${Account}:schedule/*"] },
    ...SCHEDULED_TASK_UPDATES,
  },
  "task-execution-secrets": {
    ReadSecretParameters: { resources: SSM_PATH },
    ReadSecretsSnapshot: { resources: [SNAPSHOT_SECRET] },
    DecryptSecretParameters: { resources: ["${KmsKeyArn}"], condition: KMS_VIA_SSM },
  },
  "plan-signing": {
    PlanMacSign: { resources: ["${PlanKeyArn}"] },
  },
  "assume-deploy": {
    AssumeDeployRole: { resources: ["${DeployRoleArn}"] },
  },
};

function scopes(policy: JobPolicy): Record<string, Scope> {
  return Object.fromEntries(
    policy.statements.map(({ statement }) => [statement.Sid, { resources: [statement.Resource ?? []].flat(), ...(statement.Condition === undefined ? {} : { condition: statement.Condition }) }]),
  );
}

describe("each policy statement's resources and conditions, exactly", () => {
  it.each(Object.keys(EXPECTED) as Array<keyof typeof EXPECTED>)("%s", (name) => {
    expect(scopes(POLICIES[name])).toEqual(EXPECTED[name]);
  });

  it("the tables cover every policy but the trust policies (which have a principal, not resources)", () => {
    expect(Object.keys(POLICIES).filter((name) => !(name in EXPECTED)).sort()).toEqual(["deploy-trust", "trust"]);
  });
});

describe("policy names and placeholders", () => {
  it("each policy is named by its key (npm run iam -- <name> and the evaluator's role name use it)", () => {
    for (const [key, policy] of Object.entries(POLICIES)) expect(policy.name).toBe(key);
  });

  it("placeholdersIn names only the documented placeholders, not any ${…} in a document", () => {
    expect(placeholdersIn({ Resource: "arn:${Partition}:ecs:${Region}:${Account}:cluster/${Cluster}" }).sort()).toEqual(["Account", "Cluster", "Region"]);
  });
});
