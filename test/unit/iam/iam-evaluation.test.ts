import { describe, expect, it } from "vitest";
import { RELEASE_POLICY, ROLLBACK_POLICY, TASK_EXECUTION_SECRETS_POLICY, type JobPolicy } from "../../../src/iam/policies.js";
import type { CallLogEntry } from "../../emulator/index.js";
import { environmentFamilies, evaluateCalls, evaluateCliRuns, expectAllowedByPolicy, iamRequestsFor, resourceArn, withCliKey } from "../../helpers/iam-check.js";

// The evaluator must deny what real IAM denies, or every IAM check of the integration tests passes
// silently. Calls are written as the emulator logs them (test/emulator/proxy.ts).
const call = (service: string, operation: string, request: unknown, response?: unknown): CallLogEntry => ({ service, operation, status: 200, start: 0, end: 0, request, ...(response === undefined ? {} : { response }) });
const ACCOUNT = "123456789012";
/** The rollback policy as it was before prune's region-wide reads: ListServices only in the cluster. */
const CLUSTER_SCOPED: JobPolicy = {
  ...ROLLBACK_POLICY,
  statements: [
    { why: "", statement: { Sid: "EcsServices", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: "arn:aws:ecs:${Region}:${Account}:service/${Cluster}/*" } },
    { why: "", statement: { Sid: "EcsClusterServices", Effect: "Allow", Action: ["ecs:ListServices"], Resource: "*", Condition: { ArnEquals: { "ecs:cluster": "arn:aws:ecs:${Region}:${Account}:cluster/${Cluster}" } } } },
  ],
};
const values = { Cluster: "prod", Family: "web", Repository: "platform", SsmPath: "platform/prod", TaskRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-task`, ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-execution`, KmsKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } as const;

describe("IAM evaluation of logged calls (iam-simulate against src/iam/policies.ts)", () => {
  it("allows a release's calls under the release policy", async () => {
    const calls = [
      call("ecs", "DescribeServices", { cluster: "prod", services: ["web", "worker"] }),
      call("ecr", "DescribeImages", { repositoryName: "platform", imageIds: [{ imageTag: "abc" }] }),
      call("ssm", "GetParametersByPath", { Path: "/platform/prod", Recursive: true, WithDecryption: true }, { Parameters: [{ Name: "/platform/prod/DB", Type: "SecureString", ARN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/platform/prod/DB` }] }),
      call("ecs", "RegisterTaskDefinition", { family: "web", taskRoleArn: values.TaskRoleArn, executionRoleArn: values.ExecutionRoleArn, containerDefinitions: [], tags: [{ key: "ecs-release:sha", value: "abc" }] }, { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` } }),
      call("ecs", "UpdateService", { cluster: "prod", service: "web", taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` }),
      call("ecs", "RunTask", { cluster: "prod", taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` }),
    ];
    expect(await evaluateCalls(calls, { policy: RELEASE_POLICY, values, secureStringKeyArn: values.KmsKeyArn })).toEqual([]);
  });

  it("denies ListServices and DescribeServices in a second cluster under a cluster-scoped policy, naming the condition", async () => {
    const calls = [call("ecs", "ListServices", { cluster: "prod" }), call("ecs", "ListServices", { cluster: "staging" }), call("ecs", "DescribeServices", { cluster: "staging", services: ["api"] })];
    expect(await evaluateCalls(calls, { policy: ROLLBACK_POLICY, values })).toEqual([]);
    const denials = await evaluateCalls(calls, { policy: CLUSTER_SCOPED, values });
    expect(denials.map((d) => `${d.action} ${d.resource}`)).toEqual(["ecs:ListServices *", `ecs:DescribeServices arn:aws:ecs:us-east-1:${ACCOUNT}:service/staging/api`]);
    expect(denials[0]?.call).toMatch(/^#1 ecs:ListServices \{"cluster":"staging"\}/);
    expect(denials[0]?.lacks).toMatch(/EcsClusterServices.*ecs:cluster.*cluster\/prod.*cluster\/staging/);
    expect(denials[1]?.lacks).toMatch(/allowed only on arn:aws:ecs:us-east-1:123456789012:service\/prod\/\*/);
  });

  // The reproduction: UpdateService takes the condition key ecs:task-definition (the ARN of the
  // revision the service is pointed at; Service Authorization Reference for ECS,
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
  it("a staging role cannot point a staging service at a prod-family revision, nor register or tag prod's revisions", async () => {
    const staging = { ...values, Cluster: "staging", Family: "staging-web" };
    const td = (family: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:7`;
    const own = [
      call("ecs", "UpdateService", { cluster: "staging", service: "web", taskDefinition: td("staging-web") }),
      call("ecs", "RegisterTaskDefinition", { family: "staging-web", containerDefinitions: [] }, { taskDefinition: { taskDefinitionArn: td("staging-web") } }),
      call("ecs", "TagResource", { resourceArn: td("staging-web"), tags: [{ key: "ecs-release:outcome", value: "stable" }] }),
    ];
    // Positive control: the same calls on the environment's own family are allowed, by both jobs' policies.
    expect(await evaluateCalls(own, { policy: RELEASE_POLICY, values: staging })).toEqual([]);
    expect(await evaluateCalls([own[0]!, own[2]!], { policy: ROLLBACK_POLICY, values: staging })).toEqual([]);
    const prod = [
      call("ecs", "UpdateService", { cluster: "staging", service: "web", taskDefinition: td("prod-web") }),
      call("ecs", "RegisterTaskDefinition", { family: "prod-web", containerDefinitions: [] }, { taskDefinition: { taskDefinitionArn: td("prod-web") } }),
      call("ecs", "TagResource", { resourceArn: td("prod-web"), tags: [{ key: "ecs-release:outcome", value: "stable" }] }),
    ];
    const denials = await evaluateCalls(prod, { policy: RELEASE_POLICY, values: staging });
    expect(denials.map((d) => `${d.action} ${d.resource}`)).toEqual([
      `ecs:UpdateService arn:aws:ecs:us-east-1:${ACCOUNT}:service/staging/web`,
      `ecs:RegisterTaskDefinition ${td("prod-web")}`,
      `ecs:TagResource ${td("prod-web")}`,
    ]);
    expect(denials[0]?.lacks).toMatch(/EcsUpdateServices.*ecs:task-definition.*staging-web:\*.*prod-web:7/);
    const rollbackDenials = await evaluateCalls([prod[0]!, prod[2]!], { policy: ROLLBACK_POLICY, values: staging });
    expect(rollbackDenials.map((d) => d.action)).toEqual(["ecs:UpdateService", "ecs:TagResource"]);
  });

  it("evaluates an environment of several families with the policy attached once per family", async () => {
    const update = (family: string) => call("ecs", "UpdateService", { cluster: "prod", service: family, taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:3` });
    const calls = [update("web"), update("worker"), update("other")];
    const denials = await evaluateCalls(calls, { policy: RELEASE_POLICY, values, families: ["web", "worker"] });
    expect(denials.map((d) => d.call)).toEqual([expect.stringMatching(/^#2 ecs:UpdateService/)]);
  });

  it("denies an action that no statement allows, and says so", async () => {
    const error = await expectAllowedByPolicy([call("ecs", "RunTask", { cluster: "prod", taskDefinition: "web:3" })], { policy: ROLLBACK_POLICY, values }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/denied by the rollback policy[\s\S]*#0 ecs:RunTask .*ImplicitlyDenied ecs:RunTask on arn:aws:ecs:us-east-1:123456789012:task-definition\/web:3 .*no statement allows the action ecs:RunTask/);
  });

  it("evaluates a RegisterTaskDefinition answered with an error (no new ARN) on the family's revisions", async () => {
    const failed = { ...call("ecs", "RegisterTaskDefinition", { family: "web", containerDefinitions: [], tags: [{ key: "ecs-release:sha", value: "abc" }] }), status: 503 };
    expect(await evaluateCalls([failed], { policy: RELEASE_POLICY, values })).toEqual([]);
    const denials = await evaluateCalls([failed], { policy: ROLLBACK_POLICY, values });
    expect(denials.map((d) => `${d.action} ${d.resource}`)).toEqual([`ecs:RegisterTaskDefinition arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:*`]);
  });

  it("denies RunTask of a bare family (ECS authorizes the ARN without revision, which family:* does not match)", async () => {
    const denials = await evaluateCalls([call("ecs", "RunTask", { cluster: "prod", taskDefinition: "web" })], { policy: RELEASE_POLICY, values });
    expect(denials.map((d) => d.resource)).toEqual([`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web`]);
  });

  it("denies passing another role, and RunTask outside the cluster", async () => {
    const calls = [
      call("ecs", "RegisterTaskDefinition", { family: "web", taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, containerDefinitions: [] }, { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` } }),
      call("ecs", "RunTask", { cluster: "other", taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` }),
    ];
    const denials = await evaluateCalls(calls, { policy: RELEASE_POLICY, values });
    expect(denials.map((d) => d.action)).toEqual(["iam:PassRole", "ecs:RunTask"]);
    expect(denials[0]?.lacks).toMatch(/iam:PassRole is allowed only on .*web-task.*web-execution/);
  });

  it("denies a KMS decryption the policy scopes to another key, and SSM reads outside the path", async () => {
    const calls = [
      call("ssm", "GetParametersByPath", { Path: "/platform/staging", Recursive: true, WithDecryption: true }, { Parameters: [{ Name: "/platform/staging/DB", Type: "SecureString" }] }),
    ];
    const denials = await evaluateCalls(calls, { policy: RELEASE_POLICY, values, secureStringKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/other` });
    expect(denials.map((d) => d.action)).toEqual(["ssm:GetParametersByPath", "kms:Decrypt"]);
    expect(denials[1]?.context).toMatchObject({ "kms:ViaService": "ssm.us-east-1.amazonaws.com" });
  });

  it("checks what ECS reads with the execution role for --secure-strings secrets", async () => {
    const register = (from: string) =>
      call("ecs", "RegisterTaskDefinition", { family: "web", containerDefinitions: [{ name: "app", secrets: [{ name: "DB", valueFrom: from }] }] }, { taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` } });
    const evaluation = { policy: RELEASE_POLICY, executionRolePolicy: TASK_EXECUTION_SECRETS_POLICY, values, secureStringKeyArn: values.KmsKeyArn };
    expect(await evaluateCalls([register(`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/platform/prod/DB`)], evaluation)).toEqual([]);
    const denials = await evaluateCalls([register(`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/other/DB`)], evaluation);
    expect(denials.map((d) => d.action)).toEqual(["ssm:GetParameters"]);
  });

  it("fails loudly for an operation without a mapping, and refuses an evaluation without calls", async () => {
    expect(() => iamRequestsFor(call("ecs", "Foo", {}), { region: "us-east-1", account: ACCOUNT })).toThrow(/no IAM mapping for ecs:Foo/);
    await expect(expectAllowedByPolicy([], { policy: RELEASE_POLICY, values })).rejects.toThrow(/vacuously/);
  });

  it("builds ARNs from the Service Authorization Reference's formats, and rejects a resource type it does not list", async () => {
    const context = { region: "us-east-1", account: ACCOUNT };
    expect(await resourceArn({ action: "ecs:UpdateService", resource: { type: "service", values: { ClusterName: "prod", ServiceName: "web" } } }, context)).toBe(`arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/web`);
    await expect(resourceArn({ action: "ecs:UpdateService", resource: { type: "cluster", values: { ClusterName: "prod" } } }, context)).rejects.toThrow(/names resource type cluster; the reference lists service/);
    await expect(resourceArn({ action: "ecs:UpdateService", resource: "*" }, context)).rejects.toThrow(/uses "\*", but the reference scopes it to service/);
  });
});

describe("every runCli against the emulator is evaluated after the test (useEmulator's afterEach)", () => {
  it("gives each run its own key and fails naming the command line and the denied call", async () => {
    const env = { AWS_ACCESS_KEY_ID: "testing", AWS_ENDPOINT_URL: "http://127.0.0.1:1" };
    const keyed = withCliKey(["rollback", "--cluster", "prod", "--service", "web"], env);
    expect(keyed["AWS_ACCESS_KEY_ID"]).toMatch(/^AKIACLIRUN\d+$/);
    expect(withCliKey(["--help"], env)).toBe(env);
    const oidc = { AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/deploy" };
    expect(withCliKey(["status"], oidc)).toBe(oidc);
    const log = [
      // The environment's family is the one its services run when first described (web), never "*".
      { ...call("ecs", "DescribeServices", { cluster: "prod", services: ["web"] }, { services: [{ serviceName: "web", taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/web:2` }] }), accessKeyId: keyed["AWS_ACCESS_KEY_ID"]! },
      { ...call("ecs", "UpdateService", { cluster: "prod", service: "web", taskDefinition: "web:1" }), accessKeyId: keyed["AWS_ACCESS_KEY_ID"]! },
      { ...call("ecs", "UpdateService", { cluster: "staging", service: "web", taskDefinition: "web:1" }), accessKeyId: keyed["AWS_ACCESS_KEY_ID"]! },
      { ...call("ecs", "UpdateService", { cluster: "elsewhere", service: "web" }), accessKeyId: "testing" },
    ];
    const error = await evaluateCliRuns(async () => log).catch((e: unknown) => e);
    expect(String(error)).toMatch(/ecs-release rollback --cluster prod --service web\n1 AWS call\(s\) denied by the rollback policy[^\n]*\n- #2 ecs:UpdateService .*service\/staging\/web/);
    expect(environmentFamilies(["rollback"], log)).toEqual(["web"]);
    expect(environmentFamilies(["prune", "--family", "api", "--family=jobs"], [])).toEqual(["api", "jobs"]);
    expect(environmentFamilies(["run-task", "--task-definition", "arn:aws:ecs:us-east-1:1:task-definition/mig:4"], [])).toEqual(["mig"]);
    // Evaluated once: the next test starts from nothing.
    await expect(evaluateCliRuns(async () => log)).resolves.toBeUndefined();
  });
});

describe("the CLI bundle leaves the evaluator out (AGPL-3.0: a test-time devDependency only)", () => {
  it("bundles no module of @cloud-copilot", async () => {
    const { build } = await import("esbuild");
    // The same entry and settings as scripts/build.ts, with a metafile listing every bundled input.
    const result = await build({ entryPoints: ["src/cli/bin.ts"], bundle: true, platform: "node", format: "cjs", target: "node20", write: false, metafile: true, logLevel: "silent" });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.startsWith("src/cli/"))).toBe(true);
    expect(inputs.filter((path) => path.includes("@cloud-copilot"))).toEqual([]);
  });
});
