import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import {
  checkDeploymentsInProgress,
  checkDescribedServices,
  checkParametersFound,
  checkReleaseRequest,
  environmentClashWarning,
  groupServicesByFamily,
  matchTemplates,
  planFamilies,
  planFamily,
  releaseTagMap,
  resolveReleaseImage,
  servicesOfTarget,
  targetFamilies,
  unknownContainerNames,
  verifiedSummary,
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

const template = (family: string, source: string, containers = [{ name: "app", image: `${REGISTRY}/platform:old` }, { name: "log-router", image: "fluent-bit:2" }]): TaskDefinitionTemplate => ({
  source,
  tags: {},
  input: { family, containerDefinitions: containers.map((c) => ({ ...c })) },
});

const request = (extra: Partial<ReleaseRequestInput> = {}): ReleaseRequestInput => ({ services: ["web"], ssmPath: "/platform/prod", repository: "platform", sha: "abc1234", ...extra });

const TEMPLATE_JSON = (family: string): string => JSON.stringify({ family, containerDefinitions: [{ name: "app", image: "x" }] });

describe("checkReleaseRequest", () => {
  it.each<[string, Partial<ReleaseRequestInput>, string]>([
    ["neither --repository nor --image", { repository: undefined as unknown as string }, "pass exactly one of --repository (the image is REPOSITORY:SHA, looked up in ECR) or --image URI"],
    ["both --repository and --image", { image: "nginx:1" }, "pass exactly one of --repository (the image is REPOSITORY:SHA, looked up in ECR) or --image URI"],
    ["--repository without a SHA", { sha: "" }, "no commit SHA: pass --sha, or set CIRCLE_SHA1, or run inside a git checkout"],
    ["no service", { services: [] }, "pass at least one --service"],
    // Issue 14.7: a SHA is 7 to 40 hex digits; an --image is what ContainerDefinition.image allows.
    ["a 6-digit SHA", { sha: "abc123" }, '--sha "abc123" is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)'],
    ["a 41-digit SHA", { sha: "a".repeat(41) }, `--sha "${"a".repeat(41)}" is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)`],
    ["a 300-character SHA", { sha: "a".repeat(300) }, `--sha "${"a".repeat(60)}…" is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)`],
    ["a SHA that is not hex", { sha: "main; rm -rf /" }, '--sha "main; rm -rf /" is not a commit SHA: 7 to 40 hex digits (pass --sha, or set CIRCLE_SHA1)'],
    ["an image with a newline", { repository: undefined as unknown as string, image: "nginx:1\nx" }, '--image: image "nginx:1\\nx" has characters ECS does not allow (letters, digits, - _ : . / # only)'],
    ["an image of 256 characters", { repository: undefined as unknown as string, image: `r/${"x".repeat(254)}` }, `--image: image "r/${"x".repeat(78)}…" is 256 characters long, over ECS's 255`],
    ["an image with a bad digest", { repository: undefined as unknown as string, image: "nginx@sha256:abc" }, '--image: image "nginx@sha256:abc" has a digest that is not sha256: and 64 hex digits'],
    ["an unknown SecureString mode", { secureStrings: "plain" as "secrets" }, `--secure-strings must be "secretsmanager", "environment" or "secrets", not "plain"`],
    [
      "an unkeyed template among several",
      { templates: [{ source: "a.json", text: TEMPLATE_JSON("web") }, { family: "worker", source: "b.json", text: TEMPLATE_JSON("worker") }] },
      "--template FILE applies to every family, so give it once; for several families use --template FAMILY=FILE for each",
    ],
  ])("refuses %s", (_what, extra, message) => {
    const input = { ...request(), ...extra };
    if (input.repository === undefined) delete (input as { repository?: string }).repository;
    expect(() => checkReleaseRequest(input)).toThrow(new ValidationError(message));
  });

  it("refuses a malformed --env item and an unparsable template (their own messages)", () => {
    expect(() => checkReleaseRequest(request({ env: ["no-equals"] }))).toThrow(ValidationError);
    expect(() => checkReleaseRequest(request({ templates: [{ source: "t.json", text: "{}" }] }))).toThrow(/t\.json/);
  });

  it("normalises the path, defaults the mode, parses templates and drops duplicate services", () => {
    const checked = checkReleaseRequest(request({ services: ["web", "worker", "web"], ssmPath: "/platform/prod/", templates: [{ family: "web", source: "web.json", text: TEMPLATE_JSON("web") }] }));
    expect(checked.ssmPath).toBe("/platform/prod");
    expect(checked.mode).toBe("secretsmanager");
    expect(checked.services).toEqual(["web", "worker"]);
    expect(checked.templates.map((t) => [t.family, t.template.input.family, t.template.source])).toEqual([["web", "web", "web.json"]]);
  });

  it("takes --image without a SHA", () => {
    const { repository: _r, sha: _s, ...rest } = request();
    expect(checkReleaseRequest({ ...rest, image: "nginx:1" }).services).toEqual(["web"]);
  });
});

describe("checkDescribedServices", () => {
  it.each<[string, Service[], string[], string | undefined]>([
    ["all found and ACTIVE", [service("web", "web:1")], [], undefined],
    ["one missing", [], ["web"], "service not found in cluster prod: web (check --service and --cluster)"],
    ["missing and inactive", [service("worker", "worker:1", { status: "DRAINING" })], ["web"], "services not found in cluster prod: web, worker (DRAINING) (check --service and --cluster)"],
    [
      "a CODE_DEPLOY service",
      [service("web", "web:1", { deploymentController: { type: "CODE_DEPLOY" } })],
      [],
      "web uses the CODE_DEPLOY deployment controller: ecs-release deploys services with the ECS (rolling update) controller only",
    ],
  ])("%s", (_what, services, missing, message) => {
    const check = (): void => checkDescribedServices("prod", services, missing);
    if (message === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(new ValidationError(message));
  });
});

describe("resolveReleaseImage", () => {
  const DIGEST = `sha256:${"a".repeat(64)}`;
  it("pins the ECR image found for the SHA by its digest (the tag kept for people), identified by URI and name", () => {
    expect(resolveReleaseImage({ repository: "platform", sha: "abc123" }, { uri: IMAGE, digest: DIGEST })).toEqual({
      image: `${REGISTRY}/platform@${DIGEST}`,
      imageTag: IMAGE,
      repository: { uri: `${REGISTRY}/platform`, name: "platform" },
    });
  });
  it("refuses a SHA with no image in ECR", () => {
    expect(() => resolveReleaseImage({ repository: "platform", sha: "abc123" }, undefined)).toThrow(
      new ValidationError(
        "image platform:abc123 is not in ECR: the build job may not have run for this commit, or a lifecycle policy expired the image (push it with ecs-release push, or check --repository, --sha and the region)",
      ),
    );
  });
  it("takes --image as given", () => {
    expect(resolveReleaseImage({ image: "ghcr.io/acme/web:1.2" }, undefined)).toEqual({ image: "ghcr.io/acme/web:1.2", repository: { uri: "ghcr.io/acme/web" } });
  });
});

describe("checkParametersFound", () => {
  it.each<[number, boolean, boolean]>([
    [1, false, false],
    [0, true, false],
    [0, false, true],
  ])("%i parameters, --allow-empty-env %s → throws %s", (count, allowEmpty, throws) => {
    const check = (): void => checkParametersFound(count, "/platform/prod", allowEmpty);
    if (throws) expect(check).toThrow(new ValidationError("no SSM parameters under /platform/prod (check --ssm-path and the region; pass --allow-empty-env to release with no SSM environment)"));
    else expect(check).not.toThrow();
  });
});

describe("groupServicesByFamily", () => {
  it("groups by the family each service runs, in the order given", () => {
    const grouped = groupServicesByFamily([service("web", "web:3"), service("worker", "worker:1"), service("web-canary", "web:2")]);
    expect([...grouped].map(([family, services]) => [family, services.map((s) => s.serviceName)])).toEqual([
      ["web", ["web", "web-canary"]],
      ["worker", ["worker"]],
    ]);
  });
});

describe("matchTemplates", () => {
  const web = template("web", "web.json");
  const worker = template("worker", "worker.json");
  it.each<[string, Array<{ family: string | undefined; template: TaskDefinitionTemplate }>, string[], Record<string, string> | string]>([
    ["no template", [], ["web", "worker"], {}],
    ["an unkeyed template, one family", [{ family: undefined, template: web }], ["web"], { web: "web.json" }],
    [
      "an unkeyed template, several families",
      [{ family: undefined, template: web }],
      ["web", "worker"],
      "the services run 2 families (web, worker): give a template per family with --template FAMILY=FILE, or none to use each family's latest revision",
    ],
    ["a keyed template for one of two families", [{ family: "worker", template: worker }], ["web", "worker"], { worker: "worker.json" }],
    // Issue 14.5: an unkeyed template of another family would silently move web onto worker.
    [
      "an unkeyed template of another family",
      [{ family: undefined, template: worker }],
      ["web"],
      "template worker.json registers family worker, but the services run web: to move them to worker, name their family explicitly with --template web=FILE",
    ],
    ["a keyed template of another family (explicit)", [{ family: "web", template: worker }], ["web"], { web: "worker.json" }],
    [
      "a template for a family no service runs",
      [{ family: "web", template: web }, { family: "batch", template: worker }, { family: "cron", template: worker }],
      ["web"],
      "--template batch, cron=…: no service given runs that family (they run web)",
    ],
  ])("%s", (_what, templates, families, expected) => {
    const match = (): Record<string, string> => Object.fromEntries([...matchTemplates(templates, families)].map(([f, t]) => [f, t.source]));
    if (typeof expected === "string") expect(match).toThrow(new ValidationError(expected));
    else expect(match()).toEqual(expected);
  });
});

describe("releaseTagMap", () => {
  it.each<[string, { sha?: string; metadata: { version: string; releasedBy?: string; pipeline?: string; jobUrl?: string } }, Record<string, string>]>([
    ["the minimum", { metadata: { version: "1.0.0" } }, { [TAG.image]: IMAGE, [TAG.releasedAt]: "2024-01-01T00:00:00.000Z", [TAG.version]: "1.0.0" }],
    [
      "everything known",
      { sha: "abc123", metadata: { version: "1.0.0", releasedBy: "ana", pipeline: "42", jobUrl: "https://ci/job/1" } },
      {
        [TAG.image]: IMAGE,
        [TAG.releasedAt]: "2024-01-01T00:00:00.000Z",
        [TAG.version]: "1.0.0",
        [TAG.sha]: "abc123",
        [TAG.releasedBy]: "ana",
        [TAG.pipeline]: "42",
        [TAG.jobUrl]: "https://ci/job/1",
      },
    ],
  ])("%s", (_what, input, expected) => expect(releaseTagMap(input, IMAGE, "2024-01-01T00:00:00.000Z")).toEqual(expected));
});

const environment = (mode: "environment" | "secrets" = "environment") =>
  buildEnvironment({
    path: "/platform/prod",
    parameters: [
      { name: "/platform/prod/A", value: "1", type: "String" },
      { name: "/platform/prod/TOKEN", value: "s3cret", type: "SecureString", arn: "arn:aws:ssm:us-east-1:123456789012:parameter/platform/prod/TOKEN" },
    ],
    mode,
  });

const planInput = (extra: Partial<PlanFamiliesInput> = {}): PlanFamiliesInput => ({
  byFamily: new Map([["web", [service("web", "web:3")]]]),
  fileTemplates: new Map(),
  latest: new Map([["web", template("web", arn("web:3"))]]),
  containers: [],
  repository: { uri: `${REGISTRY}/platform`, name: "platform" },
  image: IMAGE,
  environment: environment(),
  ssmPath: "/platform/prod",
  mode: "environment",
  releaseTags: { [TAG.image]: IMAGE },
  ...extra,
});

describe("planFamily", () => {
  const source = { sourceFamily: "web", services: [service("web", "web:3")], template: template("web", arn("web:3")), fromFile: false };

  it("selects the container from the repository and renders the image and environment into it only", () => {
    const { plan, problems } = planFamily(source, planInput());
    expect(problems).toEqual([]);
    expect(plan.containers).toEqual(["app"]);
    expect(plan.rendered.input.containerDefinitions.map((c) => c.image)).toEqual([IMAGE, "fluent-bit:2"]);
    expect(plan.rendered.input.containerDefinitions[0]?.environment?.map((e) => e.name)).toEqual(["A", "TOKEN"]);
    // Issue 14.1: the names (never values) that were SecureStrings are recorded on the revision.
    expect(plan.rendered.tags).toEqual({ [TAG.image]: IMAGE, [TAG.secureNames]: "TOKEN" });
  });

  it.each<[string, "environment" | "secrets", string]>([
    ["secrets mode", "secrets", " (--secure-strings secrets)"],
    ["a template that already has secrets", "environment", ""],
  ])("lists container secrets without an execution role (%s)", (_what, mode, suffix) => {
    const withSecret = template("web", arn("web:3"), [{ name: "app", image: "x", secrets: [{ name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" }] } as { name: string; image: string }]);
    const { problems } = planFamily({ ...source, template: withSecret }, planInput({ mode, environment: environment(mode) }));
    expect(problems).toEqual([`family web has container secrets but no executionRoleArn: ECS needs an execution role that may read the parameters${suffix}`]);
  });

  it("lists a broken ECS limit", () => {
    const many = template("web", arn("web:3"), Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: `${REGISTRY}/platform:old` })));
    expect(planFamily({ ...source, template: many }, planInput()).problems).toEqual(["family web: 11 containers, over ECS's limit of 10"]);
  });

  it.each<[string, boolean, RegExp]>([
    ["a revision", false, /^task definition web:3 has 2 containers/],
    ["a template file", true, /^template web\.json has 2 containers/],
  ])("names %s when no container can be chosen", (_what, fromFile, message) => {
    const ambiguous = template("web", fromFile ? "web.json" : arn("web:3"), [{ name: "a", image: "nginx" }, { name: "b", image: "redis" }]);
    expect(() => planFamily({ ...source, template: ambiguous, fromFile }, planInput())).toThrow(message);
  });
});

describe("planFamilies", () => {
  it("plans each family from its file template or its latest revision", () => {
    const { plans, targets } = planFamilies(
      planInput({
        byFamily: new Map([
          ["web", [service("web", "web:3")]],
          ["worker", [service("worker", "worker:1")]],
        ]),
        fileTemplates: new Map([["worker", template("worker", "worker.json")]]),
      }),
    );
    expect(plans.map((p) => [p.sourceFamily, p.template.source, p.fromFile])).toEqual([
      ["web", arn("web:3"), false],
      ["worker", "worker.json", true],
    ]);
    expect([...targets.keys()]).toEqual(["web", "worker"]);
  });

  it("refuses --container names no family has, before the other problems", () => {
    const input = planInput({ containers: ["app", "nope", "gone"], releaseTags: { [TAG.image]: "x".repeat(70_000) } });
    expect(() => planFamilies(input)).toThrow(new ValidationError("--container nope, gone: no such container in web"));
  });

  it("throws every problem of every family at once, two templates registering one family included", () => {
    const byFamily = new Map([
      ["web", [service("web", "web:3")]],
      ["web-old", [service("legacy", "web-old:7")]],
    ]);
    const fileTemplates = new Map([
      ["web", template("web", "a.json")],
      ["web-old", template("web", "b.json")],
    ]);
    const many = template("web", "a.json", Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: `${REGISTRY}/platform:old` })));
    const error = (() => {
      try {
        planFamilies(planInput({ byFamily, fileTemplates: new Map([...fileTemplates, ["web", many]]) }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual(["family web: 11 containers, over ECS's limit of 10", "two templates register family web (a.json, b.json)"]);
    expect((error as ValidationError).message).toBe("family web: 11 containers, over ECS's limit of 10; two templates register family web (a.json, b.json)");
  });

  it("refuses a family with neither a template nor a described revision (internal)", () => {
    expect(() => planFamilies(planInput({ latest: new Map() }))).toThrow(new ValidationError("internal: a family without a described revision"));
  });
});

describe("unknownContainerNames", () => {
  const plans = [{ template: template("web", "w") }, { template: template("worker", "k", [{ name: "worker", image: "x" }]) }];
  it.each<[string[], string[]]>([
    [[], []],
    [["app", "worker"], []],
    [["app", "nope"], ["nope"]],
  ])("%j → %j", (names, expected) => expect(unknownContainerNames(names, plans)).toEqual(expected));
});

describe("targetFamilies and servicesOfTarget", () => {
  const shared = template("web", "web.json");
  const planOf = (sourceFamily: string, serviceName: string, t: TaskDefinitionTemplate) => planFamily({ sourceFamily, services: [service(serviceName, `${sourceFamily}:1`)], template: t, fromFile: true }, planInput());

  it("one template for two source families registers one revision for both", () => {
    const plans = [planOf("web", "web", shared), planOf("web-old", "legacy", shared)].map((p) => p.plan);
    const { targets, problems } = targetFamilies(plans);
    expect(problems).toEqual([]);
    expect([...targets.keys()]).toEqual(["web"]);
    expect(servicesOfTarget(plans, "web")).toEqual(["web", "legacy"]);
  });

  it("two templates of one family are a problem", () => {
    const plans = [planOf("web", "web", shared), planOf("web-old", "legacy", template("web", "other.json"))].map((p) => p.plan);
    expect(targetFamilies(plans).problems).toEqual(["two templates register family web (web.json, other.json)"]);
  });
});

describe("checkDeploymentsInProgress", () => {
  const busy = service("web", "web:3", {
    deployments: [
      { status: "PRIMARY", taskDefinition: arn("web:3"), rolloutState: "IN_PROGRESS" },
      { status: "ACTIVE", taskDefinition: arn("web:2"), rolloutState: "COMPLETED" },
    ],
  });
  const idle = service("worker", "worker:1", { deployments: [{ status: "PRIMARY", taskDefinition: arn("worker:1"), rolloutState: "COMPLETED" }] });
  const failedLeft = service("web", "web:3", {
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    deployments: [
      { status: "PRIMARY", taskDefinition: arn("web:3"), rolloutState: "FAILED" },
      { status: "ACTIVE", taskDefinition: arn("web:2"), rolloutState: "COMPLETED" },
    ],
  });

  it.each<[string, Service[], boolean, string | undefined | Error]>([
    ["nothing in progress", [idle], false, undefined],
    ["nothing in progress, --force", [idle], true, undefined],
    [
      "a deployment in progress",
      [idle, busy],
      false,
      new ValidationError("a deployment is already in progress on web (PRIMARY web:3 IN_PROGRESS, ACTIVE web:2 COMPLETED): wait for it (ecs-release status) or pass --force to release over it"),
    ],
    ["a deployment in progress, --force", [busy], true, "releasing over a deployment in progress (--force): web (PRIMARY web:3 IN_PROGRESS, ACTIVE web:2 COMPLETED)"],
    // Issue 13 §3.5: a FAILED deployment left in place by a breaker without rollback is settled (deployment-circuit-breaker.html).
    ["a FAILED deployment left in place: one line, and go ahead", [idle, failedLeft], false, "web (web:3): the last deployment FAILED and was left in place (circuit breaker without rollback); releasing over it"],
  ])("%s", (_what, services, force, expected) => {
    if (expected instanceof Error) expect(() => checkDeploymentsInProgress(services, force)).toThrow(expected);
    else expect(checkDeploymentsInProgress(services, force)).toBe(expected);
  });
});

describe("environmentClashWarning", () => {
  it.each<[string[], string | undefined]>([
    [[], undefined],
    [["A"], "--env A is also in SSM under /platform/prod: the SSM value wins"],
    [["A", "B"], "--env A, B are also in SSM under /platform/prod: the SSM value wins"],
  ])("%j", (clashes, expected) => expect(environmentClashWarning(clashes, "/platform/prod")).toBe(expected));
});

describe("verifiedSummary", () => {
  const base = { cluster: "prod", services: ["web"], image: IMAGE, parameterCount: 1, ssmPath: "/platform/prod", secureCount: 0, mode: "environment" as const };
  it.each<[string, Partial<typeof base>, string]>([
    ["one of each", {}, `verified: cluster prod, 1 service (web), image ${IMAGE}, 1 parameter under /platform/prod`],
    [
      "several, with SecureStrings",
      { services: ["web", "worker"], parameterCount: 3, secureCount: 2, mode: "secrets" as "environment" },
      `verified: cluster prod, 2 services (web, worker), image ${IMAGE}, 3 parameters under /platform/prod (2 SecureStrings, as secrets)`,
    ],
    ["no parameters", { parameterCount: 0 }, `verified: cluster prod, 1 service (web), image ${IMAGE}, 0 parameters under /platform/prod`],
  ])("%s", (_what, extra, expected) => expect(verifiedSummary({ ...base, ...extra })).toBe(expected));
});
