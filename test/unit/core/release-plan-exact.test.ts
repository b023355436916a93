/**
 * release-plan.ts to the letter: the warnings and refusals a release prints, with several names (the
 * separators), with what an ECS answer leaves out, and at the edges of each check.
 * `toStrictEqual`: a tag set to `undefined` is not a tag left out.
 */
import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  checkDeploymentsInProgress,
  checkDescribedServices,
  checkReleaseRequest,
  groupServicesByFamily,
  inlineSecretsWarning,
  matchTemplates,
  planFamilies,
  planFamily,
  releaseEnvironment,
  releaseTagMap,
  resolveReleaseImage,
  servicesOfTarget,
  shortSecureStringWarning,
  type PlanFamiliesInput,
  type ReleaseRequestInput,
} from "../../../src/core/release-plan.js";
import { buildEnvironment } from "../../../src/core/ssm-environment.js";
import { TAG } from "../../../src/core/tags.js";
import type { TaskDefinitionTemplate } from "../../../src/core/template.js";

const REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const IMAGE = `${REGISTRY}/platform:abc123`;
const arn = (revision: string): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${revision}`;
const service = (name: string, revision: string, extra: Partial<Service> = {}): Service => ({ serviceName: name, status: "ACTIVE", taskDefinition: arn(revision), ...extra });
const template = (family: string, source: string, containers: Array<{ name: string; image: string }> = [{ name: "app", image: `${REGISTRY}/platform:old` }], extra: object = {}): TaskDefinitionTemplate => ({
  source,
  tags: {},
  input: { family, containerDefinitions: containers.map((c) => ({ ...c })), ...extra },
});
const request = (extra: Partial<ReleaseRequestInput> = {}): ReleaseRequestInput => ({ services: ["web"], ssmPath: "/platform/prod", repository: "platform", sha: "abc1234", ...extra });
const TEMPLATE_JSON = (family: string): string => JSON.stringify({ family, containerDefinitions: [{ name: "app", image: "x" }] });
const PARAMETERS = [
  { name: "/platform/prod/A", value: "1", type: "String" },
  { name: "/platform/prod/TOKEN", value: "s3cret-long-enough", type: "SecureString", arn: "arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/TOKEN" },
];
const planInput = (extra: Partial<PlanFamiliesInput> = {}): PlanFamiliesInput => ({
  byFamily: new Map([["web", [service("web", "web:3")]]]),
  fileTemplates: new Map(),
  latest: new Map([["web", template("web", arn("web:3"))]]),
  containers: [],
  repository: { uri: `${REGISTRY}/platform`, name: "platform" },
  image: IMAGE,
  environment: buildEnvironment({ path: "/platform/prod", parameters: PARAMETERS, mode: "environment" }),
  ssmPath: "/platform/prod",
  mode: "environment",
  releaseTags: { [TAG.image]: IMAGE },
  ...extra,
});
const thrown = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return "(nothing thrown)";
};

describe("checkReleaseRequest: what it accepts", () => {
  it("a SHA of 60 characters is quoted whole (over 60 it is cut)", () => {
    expect(thrown(() => checkReleaseRequest(request({ sha: "g".repeat(60) })))).toBe(`--sha "${"g".repeat(60)}" is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)`);
  });

  it.each(["environment", "secrets", "secretsmanager"] as const)("--secure-strings %s", (mode) => {
    expect(checkReleaseRequest(request({ secureStrings: mode })).mode).toBe(mode);
  });

  it("one unkeyed template, or several keyed ones", () => {
    expect(checkReleaseRequest(request({ templates: [{ source: "a.json", text: TEMPLATE_JSON("web") }] })).templates.map((t) => t.family)).toStrictEqual([undefined]);
    const keyed = [
      { family: "web", source: "a.json", text: TEMPLATE_JSON("web") },
      { family: "worker", source: "b.json", text: TEMPLATE_JSON("worker") },
    ];
    expect(checkReleaseRequest(request({ templates: keyed })).templates.map((t) => t.family)).toStrictEqual(["web", "worker"]);
  });
});

describe("checkDescribedServices: names it cannot read", () => {
  it.each<[string, Service[], string]>([
    ["an inactive service without name or status", [{}], "service not found in cluster prod: ? (?) (check --service and --cluster)"],
    [
      "two services on other controllers",
      [service("web", "web:1", { deploymentController: { type: "CODE_DEPLOY" } }), service("api", "api:1", { deploymentController: { type: "EXTERNAL" } })],
      "web uses the CODE_DEPLOY deployment controller, api uses the EXTERNAL deployment controller: ecs-release deploys services with the ECS (rolling update) controller only",
    ],
    ["one without a name", [{ status: "ACTIVE", deploymentController: { type: "EXTERNAL" } }], "? uses the EXTERNAL deployment controller: ecs-release deploys services with the ECS (rolling update) controller only"],
  ])("%s", (_what, services, message) => expect(thrown(() => checkDescribedServices("prod", services, []))).toBe(message));
});

describe("resolveReleaseImage: the edges", () => {
  it("no SHA given: the lookup names the repository alone", () => {
    expect(thrown(() => resolveReleaseImage({ repository: "platform" }, undefined))).toMatch(/^image platform: is not in ECR:/);
  });
  it("neither: an empty image", () => {
    expect(resolveReleaseImage({}, undefined).image).toBe("");
  });
});

describe("shortSecureStringWarning (names, never values)", () => {
  const p = (name: string, value: string, type = "SecureString") => ({ name, value, type });
  it.each<[string, Array<ReturnType<typeof p>>, string | undefined]>([
    ["none", [], undefined],
    ["long ones only", [p("/a/TOKEN", "long-enough-value")], undefined],
    ["a short String is not a secret", [p("/a/REGION", "eu", "String")], undefined],
    [
      "one short",
      [p("/a/PIN", "1234"), p("/a/TOKEN", "long-enough-value")],
      "SecureString /a/PIN is shorter than 8 characters: easy to guess, and masked in every output line with the whole word around it; use longer values",
    ],
    [
      "two short",
      [p("/a/PIN", "1234"), p("/a/REGION", "eu", "String"), p("/a/KEY", "abc")],
      "SecureStrings /a/PIN, /a/KEY are shorter than 8 characters: easy to guess, and masked in every output line with the whole word around them; use longer values",
    ],
  ])("%s", (_what, parameters, expected) => {
    const warning = shortSecureStringWarning(parameters);
    expect(warning).toBe(expected);
    for (const { value, type } of parameters) if (type === "SecureString" && warning !== undefined) expect(warning).not.toContain(value);
  });
});

describe("inlineSecretsWarning", () => {
  it.each<[string, "environment" | "secrets" | "secretsmanager", string[], string | undefined]>([
    ["secretsmanager", "secretsmanager", ["TOKEN"], undefined],
    ["secrets", "secrets", ["TOKEN"], undefined],
    ["environment without SecureStrings", "environment", [], undefined],
    [
      "environment with one",
      "environment",
      ["TOKEN"],
      "--secure-strings environment writes 1 SecureString (TOKEN) into the task definition in plain text: anyone allowed ecs:DescribeTaskDefinition in the account (which IAM cannot limit to a family) can read it, in every revision, deregistered ones included; --secure-strings secretsmanager keeps only references there",
    ],
    [
      "environment with two",
      "environment",
      ["TOKEN", "KEY"],
      "--secure-strings environment writes 2 SecureStrings (TOKEN, KEY) into the task definition in plain text: anyone allowed ecs:DescribeTaskDefinition in the account (which IAM cannot limit to a family) can read them, in every revision, deregistered ones included; --secure-strings secretsmanager keeps only references there",
    ],
  ])("%s", (_what, mode, names, expected) => expect(inlineSecretsWarning(mode, names)).toBe(expected));
});

describe("releaseEnvironment and the cluster's name", () => {
  it.each<[string | undefined, string, string]>([
    ["staging", "prod", "staging"],
    [undefined, "prod", "prod"],
    [undefined, "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "prod"],
  ])("--environment %s, cluster %s → %s", (environment, cluster, expected) => expect(releaseEnvironment(environment, cluster)).toBe(expected));

  it("releaseTagMap records the place (the cluster by name), and no tag for an empty SHA or metadata", () => {
    const place = { environment: "prod", cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/main", ssmPath: "/platform/prod" };
    expect(releaseTagMap({ sha: "", metadata: { version: "1.0.0", releasedBy: "", pipeline: "", jobUrl: "" }, place }, IMAGE, "2024-01-01T00:00:00.000Z")).toStrictEqual({
      [TAG.image]: IMAGE,
      [TAG.releasedAt]: "2024-01-01T00:00:00.000Z",
      [TAG.version]: "1.0.0",
      [TAG.environment]: "prod",
      [TAG.cluster]: "main",
      [TAG.ssmPath]: "/platform/prod",
    });
    expect(releaseTagMap({ metadata: { version: "1.0.0" } }, IMAGE, "2024-01-01T00:00:00.000Z")).toStrictEqual({ [TAG.image]: IMAGE, [TAG.releasedAt]: "2024-01-01T00:00:00.000Z", [TAG.version]: "1.0.0" });
  });
});

describe("groupServicesByFamily and matchTemplates: the edges", () => {
  it("a service without a revision is grouped under the family \"\"", () => {
    expect([...groupServicesByFamily([{ serviceName: "odd" }, service("web", "web:1")]).keys()]).toStrictEqual(["", "web"]);
  });

  it("two unknown families are both named", () => {
    const keyed = (family: string) => ({ family, template: template(family, `${family}.json`) });
    expect(thrown(() => matchTemplates([keyed("a"), keyed("b")], ["web", "worker"]))).toBe("--template a, b=…: no service given runs that family (they run web, worker)");
  });

  it("an unkeyed template of the services' own family applies; keyed templates apply to their families", () => {
    const own = template("web", "web.json");
    expect(matchTemplates([{ family: undefined, template: own }], ["web"])).toStrictEqual(new Map([["web", own]]));
    const worker = template("worker", "worker.json");
    expect(matchTemplates([{ family: "worker", template: worker }], ["web", "worker"])).toStrictEqual(new Map([["worker", worker]]));
  });
});

describe("planFamilies and planFamily: the edges", () => {
  it("--container names the application container, even one the repository would not choose", () => {
    const sidecar = template("web", arn("web:3"), [
      { name: "app", image: `${REGISTRY}/platform:old` },
      { name: "proxy", image: "envoy:1" },
    ]);
    const { plans } = planFamilies(planInput({ latest: new Map([["web", sidecar]]), containers: ["proxy"] }));
    expect(plans[0]?.containers).toStrictEqual(["proxy"]);
    expect(plans[0]?.rendered.input.containerDefinitions.map((c) => c.image)).toStrictEqual([`${REGISTRY}/platform:old`, IMAGE]);
  });

  it("--container unknown to several families names them all", () => {
    const input = planInput({
      byFamily: new Map([
        ["web", [service("web", "web:3")]],
        ["worker", [service("worker", "worker:1")]],
      ]),
      latest: new Map([
        ["web", template("web", arn("web:3"))],
        ["worker", template("worker", arn("worker:1"))],
      ]),
      containers: ["app", "nope"],
    });
    expect(thrown(() => planFamilies(input))).toBe("--container nope: no such container in web, worker");
  });

  it("secretsmanager: a revision that references the snapshot needs an execution role", () => {
    const environment = buildEnvironment({ path: "/platform/prod", parameters: PARAMETERS, mode: "secretsmanager" });
    const source = { sourceFamily: "web", services: [service("web", "web:3")], template: template("web", arn("web:3")), fromFile: false };
    expect(planFamily(source, planInput({ mode: "secretsmanager", environment })).problems).toStrictEqual([
      "family web gets SecureStrings from Secrets Manager (--secure-strings secretsmanager) but has no executionRoleArn: ECS reads the secret at task start with the execution role (docs/iam.md: task-execution-secrets)",
    ]);
    const withRole = { ...source, template: template("web", arn("web:3"), undefined, { executionRoleArn: "arn:aws:iam::123456789012:role/exec" }) };
    expect(planFamily(withRole, planInput({ mode: "secretsmanager", environment })).problems).toStrictEqual([]);
    const noSecure = buildEnvironment({ path: "/platform/prod", parameters: PARAMETERS.slice(0, 1), mode: "secretsmanager" });
    expect(planFamily(source, planInput({ mode: "secretsmanager", environment: noSecure })).problems).toStrictEqual([]);
  });

  it("servicesOfTarget: only the plans of that target family, a service without a name as \"\"", () => {
    const planOf = (family: string, services: Service[]) => planFamily({ sourceFamily: family, services, template: template(family, `${family}.json`), fromFile: true }, planInput()).plan;
    const plans = [planOf("web", [service("web", "web:1"), { taskDefinition: arn("web:1") }]), planOf("worker", [service("worker", "worker:1")])];
    expect(servicesOfTarget(plans, "web")).toStrictEqual(["web", ""]);
    expect(servicesOfTarget(plans, "worker")).toStrictEqual(["worker"]);
  });
});

describe("checkDeploymentsInProgress: several services, fields missing", () => {
  const busy = (name: string) =>
    service(name, `${name}:3`, {
      deployments: [
        { status: "PRIMARY", taskDefinition: arn(`${name}:3`), rolloutState: "IN_PROGRESS" },
        { status: "ACTIVE", taskDefinition: arn(`${name}:2`) },
      ],
    });
  const failedLeft = (name: string, extra: Partial<Service> = {}) =>
    service(name, `${name}:3`, {
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      deployments: [{ status: "PRIMARY", taskDefinition: arn(`${name}:3`), rolloutState: "FAILED" }],
      ...extra,
    });

  it("two busy services, a deployment without rolloutState (no trailing space)", () => {
    expect(thrown(() => checkDeploymentsInProgress([busy("web"), busy("api")], false))).toBe(
      "a deployment is already in progress on web (PRIMARY web:3 IN_PROGRESS, ACTIVE web:2); api (PRIMARY api:3 IN_PROGRESS, ACTIVE api:2): wait for it (ecs-release status) or pass --force to release over it",
    );
    expect(checkDeploymentsInProgress([failedLeft("old"), busy("web"), busy("api")], true)).toBe(
      "old (old:3): the last deployment FAILED and was left in place (circuit breaker without rollback); releasing over it; releasing over a deployment in progress (--force): web (PRIMARY web:3 IN_PROGRESS, ACTIVE web:2); api (PRIMARY api:3 IN_PROGRESS, ACTIVE api:2)",
    );
  });

  it("a busy service without name, its deployments without fields", () => {
    expect(thrown(() => checkDeploymentsInProgress([{ status: "ACTIVE", deployments: [{}, {}] }], false))).toBe(
      "a deployment is already in progress on ? (?, ?): wait for it (ecs-release status) or pass --force to release over it",
    );
  });

  it("two FAILED deployments left in place, one service without name or revision", () => {
    expect(checkDeploymentsInProgress([failedLeft("web"), failedLeft("x", { serviceName: undefined, taskDefinition: undefined })], false)).toBe(
      "web (web:3), ? (): the last deployment FAILED and was left in place (circuit breaker without rollback); releasing over it",
    );
  });
});

it("ValidationError is what they throw", () => {
  expect(() => checkDescribedServices("prod", [{}], [])).toThrow(ValidationError);
});
