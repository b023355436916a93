/**
 * Property tests (issue 7, hostile input): arbitrary JSON and YAML fed to template parsing, and
 * every template that parses fed on through container selection, rendering, the ECS limits and the
 * dry-run diff. The only failure allowed anywhere is a ValidationError with a one-line message;
 * never a TypeError or any other crash.
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

/** Everything release does with a template before registering it. */
function renderAll(text: string): void {
  const template = parseTemplate(text, "template.json");
  for (const environment of [ENVIRONMENT, SECRETS_MODE]) {
    let containers: string[] = [];
    if (!onlyValidationErrors(() => (containers = selectContainers(template.input.containerDefinitions, { repository: REPOSITORY, source: "template template.json" })))) continue;
    const rendered = renderTaskDefinition({ template, fromFile: true, containers, image: IMAGE, environment, ssmPath: "/app/prod", releaseTags: { "ecs-release:sha": "2222" } });
    checkTaskDefinitionLimits(rendered.input, rendered.tags);
    needsExecutionRole(rendered.input);
    const diff = diffTaskDefinitions(template.input, rendered.input, (name) => name === "db_PASSWORD");
    const lines = formatTaskDefinitionDiff(diff, "dry run:");
    expect(lines.join("\n")).not.toContain("MARKER-secret");
    // The rendered application containers carry the image; the template is not changed.
    for (const name of containers) expect(rendered.input.containerDefinitions.find((c) => c.name === name)?.image).toBe(IMAGE);
    JSON.stringify(rendered.input);
  }
}

describe("template parsing and rendering never crash", () => {
  it("on arbitrary task-definition-like JSON documents", () => {
    fc.assert(
      fc.property(document, (doc) => {
        onlyValidationErrors(() => renderAll(JSON.stringify(doc)));
      }),
      { numRuns: 2000 },
    );
  });

  it("on arbitrary text (JSON or YAML or neither)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.json().map((j) => j.slice(0, Math.max(1, j.length - 1)))), (text) => {
        onlyValidationErrors(() => renderAll(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("on documents rendered as YAML", async () => {
    const { stringify } = await import("yaml");
    fc.assert(
      fc.property(taskDefinition, (doc) => {
        onlyValidationErrors(() => renderAll(stringify(doc)));
      }),
      { numRuns: 500 },
    );
  });

  it("on arbitrary revisions as DescribeTaskDefinition returns them", () => {
    fc.assert(
      fc.property(taskDefinition, anyJson, (revision, tags) => {
        onlyValidationErrors(() => {
          templateFromRevision(revision as Record<string, unknown>, tags, "web:1");
        });
      }),
      { numRuns: 1000 },
    );
  });
});
