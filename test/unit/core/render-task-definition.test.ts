import { describe, expect, it } from "vitest";
import { referencesPath, renderTaskDefinition } from "../../../src/core/render-task-definition.js";
import { buildEnvironment } from "../../../src/core/ssm-environment.js";
import type { TaskDefinitionTemplate } from "../../../src/core/template.js";

const template = (extra: Record<string, unknown> = {}): TaskDefinitionTemplate => ({
  source: "web:1",
  tags: { team: "web" },
  input: {
    family: "web",
    futureField: { kept: true },
    containerDefinitions: [
      {
        name: "app",
        image: "old",
        environment: [
          { name: "LITERAL", value: "from-template" },
          { name: "A", value: "old" },
        ],
        secrets: [
          { name: "FROM_PATH", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/app/FROM_PATH" },
          { name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
        ],
        ...extra,
      },
      { name: "sidecar", image: "side:1", environment: [{ name: "S", value: "1" }] },
    ],
  },
});

const env = buildEnvironment({ path: "/app", parameters: [{ name: "/app/A", value: "new", type: "String" }, { name: "/app/PASS", value: "p", type: "SecureString", arn: "arn:aws:ssm:us-east-1:1:parameter/app/PASS" }] });

describe("renderTaskDefinition", () => {
  it("from a previous revision: the app environment is SSM only (exclusive), sidecars untouched, unknown fields kept", () => {
    const rendered = renderTaskDefinition({ template: template(), fromFile: false, containers: ["app"], image: "new:sha", environment: env, ssmPath: "/app", releaseTags: { "ecs-release:sha": "sha" } });
    const [app, sidecar] = rendered.input.containerDefinitions;
    expect(app?.image).toBe("new:sha");
    expect(app?.environment).toEqual([
      { name: "A", value: "new" },
      { name: "PASS", value: "p" },
    ]);
    // The secret that referenced the SSM path is replaced; Secrets Manager's is kept.
    expect(app?.secrets).toEqual([{ name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" }]);
    expect(sidecar).toEqual({ name: "sidecar", image: "side:1", environment: [{ name: "S", value: "1" }] });
    expect(rendered.input["futureField"]).toEqual({ kept: true });
    expect(rendered.tags).toEqual({ team: "web", "ecs-release:sha": "sha" });
  });

  it("from a template file: its literal environment is the base, SSM overrides", () => {
    const rendered = renderTaskDefinition({ template: template(), fromFile: true, containers: ["app"], image: "i", environment: env, ssmPath: "/app", releaseTags: {} });
    expect(rendered.input.containerDefinitions[0]?.environment).toEqual([
      { name: "A", value: "new" },
      { name: "LITERAL", value: "from-template" },
      { name: "PASS", value: "p" },
    ]);
  });

  it("in secrets mode references SecureStrings and drops a same-named inline variable", () => {
    const secretsEnv = buildEnvironment({ path: "/app", parameters: [{ name: "/app/LITERAL", value: "p", type: "SecureString", arn: "arn:p" }], mode: "secrets" });
    const rendered = renderTaskDefinition({ template: template(), fromFile: true, containers: ["app"], image: "i", environment: secretsEnv, ssmPath: "/app", releaseTags: {} });
    const app = rendered.input.containerDefinitions[0];
    expect(app?.environment).toEqual([{ name: "A", value: "old" }]);
    expect(app?.secrets).toEqual([
      { name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
      { name: "LITERAL", valueFrom: "arn:p" },
    ]);
  });

  it("drops references under the path the template revision was released from (another environment's), keeps the rest", () => {
    const other = { ...template(), releasedFromSsmPath: "/staging" };
    other.input.containerDefinitions[0]!.secrets = [
      { name: "REPLICA", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/staging/REPLICA" },
      { name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
    ];
    const app = (fromFile: boolean) => renderTaskDefinition({ template: other, fromFile, containers: ["app"], image: "i", environment: env, ssmPath: "/app", releaseTags: {} }).input.containerDefinitions[0];
    expect(app(false)?.secrets?.map((s) => s.name)).toEqual(["SM"]);
    // A file's own references stay: the recorded path is a revision's, not a file's.
    expect(app(true)?.secrets?.map((s) => s.name)).toEqual(["REPLICA", "SM"]);
  });

  it("drops references to ecs-release's Secrets Manager snapshot of this path or the one the revision was released from (a SecureString deleted from SSM goes too), keeps other secrets", () => {
    const snapshot = (path: string, key: string) => `arn:aws:secretsmanager:us-east-1:1:secret:ecs-release${path}-AbCdEf:${key}::v1`;
    const previous = { ...template(), releasedFromSsmPath: "/staging" };
    previous.input.containerDefinitions[0]!.secrets = [
      { name: "DELETED", valueFrom: snapshot("/app", "DELETED") },
      { name: "STAGING", valueFrom: snapshot("/staging", "STAGING") },
      { name: "OTHER_APP", valueFrom: snapshot("/app-two", "OTHER_APP") },
      { name: "SM", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:x" },
    ];
    const app = renderTaskDefinition({ template: previous, fromFile: false, containers: ["app"], image: "i", environment: env, ssmPath: "/app", releaseTags: {} }).input.containerDefinitions[0];
    expect(app?.secrets?.map((s) => s.name)).toEqual(["OTHER_APP", "SM"]);
  });

  it("does not change the template", () => {
    const t = template();
    renderTaskDefinition({ template: t, fromFile: false, containers: ["app"], image: "i", environment: env, ssmPath: "/app", releaseTags: {} });
    expect(t.input.containerDefinitions[0]?.image).toBe("old");
  });
});

describe("referencesPath", () => {
  it.each([
    ["arn:aws:ssm:us-east-1:1:parameter/app/X", "/app", true],
    ["/app/deep/X", "/app", true],
    ["/application/X", "/app", false],
    ["arn:aws:secretsmanager:us-east-1:1:secret:x", "/app", false],
    ["/anything", "/", true],
  ])("%s under %s → %s", (valueFrom, path, expected) => expect(referencesPath(valueFrom, path)).toBe(expected));
});
