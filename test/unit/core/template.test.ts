import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { parseTemplate, READ_ONLY_FIELDS, templateFromRevision } from "../../../src/core/template.js";

const minimal = { family: "web", containerDefinitions: [{ name: "app", image: "x" }] };

describe("parseTemplate", () => {
  it("reads the RegisterTaskDefinition input shape in JSON, tags apart", () => {
    const t = parseTemplate(JSON.stringify({ ...minimal, tags: [{ key: "team", value: "a" }] }), "t.json");
    expect(t.input).toEqual(minimal);
    expect(t.tags).toEqual({ team: "a" });
  });

  it("reads YAML, turning task-level cpu/memory and env values into strings", () => {
    const t = parseTemplate("family: web\ncpu: 256\nmemory: 512\ncontainerDefinitions:\n  - name: app\n    memory: 128\n    environment:\n      - {name: PORT, value: 8080}\n", "t.yaml");
    expect(t.input).toEqual({ family: "web", cpu: "256", memory: "512", containerDefinitions: [{ name: "app", memory: 128, environment: [{ name: "PORT", value: "8080" }] }] });
  });

  it("unwraps describe-task-definition output, drops read-only fields, ecs-release tags and AWS-reserved aws: tags, keeps unknown fields and empty strings", () => {
    const described = {
      taskDefinition: {
        ...minimal,
        taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/web:3",
        revision: 3,
        status: "ACTIVE",
        requiresAttributes: [{ name: "x" }],
        compatibilities: ["EC2"],
        registeredAt: 1700000000,
        registeredBy: "me",
        deregisteredAt: 1700000001,
        someFieldFrom2030: { nested: true },
        pidMode: "",
      },
      tags: [
        { key: "owner", value: "me" },
        { key: "ecs-release:outcome", value: "stable" },
        { key: "aws:cloudformation:stack-name", value: "platform" },
        { key: "AWS:reserved", value: "x" },
      ],
    };
    const t = parseTemplate(JSON.stringify(described), "pasted.json");
    for (const field of READ_ONLY_FIELDS) expect(t.input).not.toHaveProperty(field);
    expect(t.input).toMatchObject({ someFieldFrom2030: { nested: true }, pidMode: "" });
    expect(t.tags).toEqual({ owner: "me" });
  });

  it.each([
    ["[]", /not an object/],
    ['{"services": []}', /no "family"/],
    ['{"family": "web"}', /no "containerDefinitions"/],
    ['{"family": "web", "containerDefinitions": []}', /no "containerDefinitions"/],
    ['{"family": "web", "containerDefinitions": [{"image": "x"}]}', /has no "name"/],
    ["family: [unclosed", /neither valid JSON nor YAML/],
  ])("refuses %s", (text, message) => {
    expect(() => parseTemplate(text, "f")).toThrow(ValidationError);
    expect(() => parseTemplate(text, "f")).toThrow(message);
  });
});

describe("templateFromRevision", () => {
  it("does not share objects with the revision", () => {
    const revision = { ...minimal, containerDefinitions: [{ name: "app", image: "x" }] };
    const t = templateFromRevision(revision, [], "arn");
    t.input.containerDefinitions[0]!.image = "changed";
    expect(revision.containerDefinitions[0]!.image).toBe("x");
  });
});
