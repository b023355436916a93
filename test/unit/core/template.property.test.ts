/**
 * Property tests: arbitrary JSON and YAML fed to template parsing, and every template that parses fed
 * on through container selection, rendering, the ECS limits and the dry-run diff. The only failure
 * allowed anywhere is a ValidationError with a one-line message; never a TypeError or any other crash.
 *
 * Hostile input mostly stops at parsing, so the properties of rendering (the image set, every
 * variable rendered, no secret in the diff) would never run on it: the first test draws mostly valid
 * templates, and each test counts how many cases reached rendering and asserts that enough did.
 * A failure prints its seed and how to replay it (test/helpers/property.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffTaskDefinitions, formatTaskDefinitionDiff } from "../../../src/core/diff.js";
import { checkTaskDefinitionLimits } from "../../../src/core/ecs-limits.js";
import { ValidationError } from "../../../src/core/errors.js";
import { needsExecutionRole, renderTaskDefinition } from "../../../src/core/render-task-definition.js";
import { selectContainers } from "../../../src/core/select-containers.js";
import { buildEnvironment } from "../../../src/core/ssm-environment.js";
import { parseTemplate, templateFromRevision } from "../../../src/core/template.js";
import { assertProperty } from "../../helpers/property.js";

const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:2222222222222222222222222222222222222222";
const REPOSITORY = { uri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform", name: "platform" };
const ENVIRONMENT = buildEnvironment({
  path: "/app/prod",
  parameters: [
    { name: "/app/prod/LOG_LEVEL", value: "info", type: "String" },
    { name: "/app/prod/db/PASSWORD", value: "MARKER-secret", type: "SecureString", arn: "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/db/PASSWORD" },
  ],
  literals: ["EXTRA=1"],
});
const SECRETS_MODE = buildEnvironment({
  path: "/app/prod",
  parameters: [{ name: "/app/prod/db/PASSWORD", value: "MARKER-secret", type: "SecureString", arn: "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/db/PASSWORD" }],
  mode: "secrets",
});

/** Any JSON value, biased towards the shapes the code looks into. */
const anyJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, anyJson);
const envEntry = maybe(fc.record({ name: maybe(fc.string()), value: anyJson }, { requiredKeys: [] }));
const secretEntry = maybe(fc.record({ name: maybe(fc.string()), valueFrom: maybe(fc.constantFrom("/app/prod/X", "arn:aws:ssm:us-east-1:1:parameter/app/prod/Y", "arn:aws:secretsmanager:x")) }, { requiredKeys: [] }));
const container = maybe(
  fc.record(
    {
      name: maybe(fc.constantFrom("app", "log-router", "", "web")),
      image: maybe(fc.constantFrom(IMAGE, "nginx:latest", "", "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform:old")),
      environment: maybe(fc.array(envEntry, { maxLength: 4 })),
      secrets: maybe(fc.array(secretEntry, { maxLength: 3 })),
      essential: anyJson,
    },
    { requiredKeys: [] },
  ),
);
const taskDefinition = fc.record(
  {
    family: maybe(fc.constantFrom("web", "", "worker")),
    containerDefinitions: maybe(fc.array(container, { maxLength: 4 })),
    cpu: anyJson,
    memory: anyJson,
    executionRoleArn: maybe(fc.constant("arn:aws:iam::123456789012:role/exec")),
    tags: maybe(fc.array(maybe(fc.record({ key: anyJson, value: anyJson }, { requiredKeys: [] })), { maxLength: 3 })),
    taskDefinitionArn: anyJson,
    revision: anyJson,
  },
  { requiredKeys: [] },
);
const document = fc.oneof(anyJson, taskDefinition, fc.record({ taskDefinition, tags: anyJson }, { requiredKeys: [] }));

/** Mostly valid templates: an application container from the repository, sidecars, variables, secrets, tags. */
const variableName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const validEnvironment = fc.array(fc.record({ name: variableName, value: fc.string({ maxLength: 12 }) }), { maxLength: 4 });
const validSecrets = fc.array(
  fc.record({ name: variableName, valueFrom: fc.constantFrom("/app/prod/X", "arn:aws:ssm:us-east-1:123456789012:parameter/app/prod/Y", "arn:aws:ssm:us-east-1:123456789012:parameter/other/Z", "arn:aws:secretsmanager:us-east-1:123456789012:secret:z") }),
  { maxLength: 2 },
);
const validContainer = (name: fc.Arbitrary<string>, image: fc.Arbitrary<string>) =>
  fc.record(
    { name, image, essential: optional(fc.boolean()), memory: optional(fc.integer({ min: 64, max: 1024 })), environment: optional(validEnvironment), secrets: optional(validSecrets) },
    { requiredKeys: ["name", "image"] },
  );
const validTaskDefinition = fc.record(
  {
    family: fc.constantFrom("web", "worker"),
    containerDefinitions: fc
      .tuple(validContainer(fc.constant("app"), fc.constantFrom(`${REPOSITORY.uri}:old`, IMAGE)), fc.uniqueArray(validContainer(fc.constantFrom("log-router", "proxy"), fc.constantFrom("nginx:latest", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0")), { selector: (c) => c.name, maxLength: 2 }))
      .map(([app, sidecars]) => [app, ...sidecars]),
    cpu: optional(fc.constantFrom("256", "512")),
    memory: optional(fc.constantFrom("512", "1024")),
    executionRoleArn: optional(fc.constant("arn:aws:iam::123456789012:role/exec")),
    tags: optional(fc.array(fc.record({ key: variableName, value: fc.string({ maxLength: 8 }) }), { maxLength: 3 })),
  },
  { requiredKeys: ["family", "containerDefinitions"] },
);
const mostlyValid = fc.oneof(
  { weight: 4, arbitrary: validTaskDefinition },
  { weight: 1, arbitrary: fc.record({ taskDefinition: validTaskDefinition, tags: fc.constant([]) }) },
  { weight: 1, arbitrary: document },
);

/** Runs `step`; a ValidationError with a one-line message is fine, anything else fails the property. */
function onlyValidationErrors(step: () => void): boolean {
  try {
    step();
    return true;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.message).not.toMatch(/\n/);
    expect(error.message.length).toBeGreaterThan(10);
    return false;
  }
}

/**
 * Everything release does with a template before registering it, and the properties of what it
 * renders. Returns how many environments reached those properties (0 when the template or its
 * containers were refused).
 */
function renderAll(text: string): number {
  const template = parseTemplate(text, "template.json");
  let reached = 0;
  for (const environment of [ENVIRONMENT, SECRETS_MODE]) {
    let containers: string[] = [];
    if (!onlyValidationErrors(() => (containers = selectContainers(template.input.containerDefinitions, { repository: REPOSITORY, source: "template template.json" })))) continue;
    const rendered = renderTaskDefinition({ template, fromFile: true, containers, image: IMAGE, environment, ssmPath: "/app/prod", releaseTags: { "ecs-release:sha": "2222" } });
    checkTaskDefinitionLimits(rendered.input, rendered.tags);
    needsExecutionRole(rendered.input);
    const diff = diffTaskDefinitions(template.input, rendered.input, (name) => name === "db_PASSWORD");
    const lines = formatTaskDefinitionDiff(diff, "dry run:");
    expect(lines.join("\n")).not.toContain("MARKER-secret");
    // The rendered application containers carry the image and every variable and secret of the
    // environment; the other containers are as the template has them.
    for (const name of containers) {
      const container = rendered.input.containerDefinitions.find((c) => c.name === name);
      expect(container?.image).toBe(IMAGE);
      for (const variable of environment.environment) expect(container?.environment).toContainEqual({ name: variable.name, value: variable.value });
      for (const secret of environment.secrets) expect(container?.secrets).toContainEqual({ name: secret.name, valueFrom: secret.valueFrom });
    }
    for (const container of rendered.input.containerDefinitions.filter((c) => !containers.includes(c.name ?? ""))) {
      expect(container).toEqual(template.input.containerDefinitions.find((c) => c.name === container.name));
    }
    expect(rendered.tags).toMatchObject({ "ecs-release:sha": "2222" });
    JSON.stringify(rendered.input);
    reached++;
  }
  return reached;
}

/** Counts the cases that reached rendering's properties. */
function counter(): { render(text: string): void; readonly reached: number; readonly cases: number } {
  let reached = 0;
  let cases = 0;
  return {
    render(text: string) {
      cases++;
      onlyValidationErrors(() => {
        if (renderAll(text) > 0) reached++;
      });
    },
    get reached() {
      return reached;
    },
    get cases() {
      return cases;
    },
  };
}

describe("template parsing and rendering never crash", () => {
  it("on mostly valid templates, most of which reach rendering and its properties", () => {
    const count = counter();
    assertProperty(fc.property(mostlyValid, (doc) => count.render(JSON.stringify(doc))), { numRuns: 1000 });
    // Shrinking re-runs cases: count at least the runs asked for, most of them rendered.
    expect(count.cases).toBeGreaterThanOrEqual(1000);
    expect(count.reached / count.cases).toBeGreaterThan(0.6);
  });

  it("on arbitrary task-definition-like JSON documents", () => {
    // Hostile documents almost never parse as a task definition (the test above is the one that
    // reaches rendering): this one only proves that nothing but a ValidationError comes out.
    assertProperty(fc.property(document, (doc) => void onlyValidationErrors(() => renderAll(JSON.stringify(doc)))), { numRuns: 1000 });
  });

  it("on arbitrary text (JSON or YAML or neither)", () => {
    assertProperty(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json().map((j) => j.slice(0, Math.max(1, j.length - 1)))), (text) => {
        onlyValidationErrors(() => renderAll(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("on mostly valid documents rendered as YAML", async () => {
    const { stringify } = await import("yaml");
    const count = counter();
    assertProperty(fc.property(mostlyValid, (doc) => count.render(stringify(doc))), { numRuns: 300 });
    expect(count.reached / count.cases).toBeGreaterThan(0.6);
  });

  it("on arbitrary revisions as DescribeTaskDefinition returns them", () => {
    assertProperty(
      fc.property(taskDefinition, anyJson, (revision, tags) => {
        onlyValidationErrors(() => {
          templateFromRevision(revision as Record<string, unknown>, tags, "web:1");
        });
      }),
      { numRuns: 1000 },
    );
  });
});
