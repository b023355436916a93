import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../src/core/errors.js";
import { canonicalJson, comparePlan, newPlanKey, parsePlan, planMarkdown, savePlan, type PlanSubject } from "../../../src/core/release-plan-file.js";

function subject(overrides: { password?: string; image?: string; running?: string; cpu?: string } = {}): PlanSubject {
  return {
    cluster: "prod",
    ssmPath: "/app/prod",
    image: overrides.image ?? "repo:abc",
    families: [
      {
        family: "web",
        input: {
          family: "web",
          cpu: overrides.cpu ?? "256",
          containerDefinitions: [{ name: "app", environment: [{ name: "PASSWORD", value: overrides.password ?? "hunter2" }, { name: "MODE", value: "prod" }], secrets: [{ name: "TOKEN", valueFrom: "arn:aws:ssm:us-east-1:1:parameter/app/prod/TOKEN" }] }],
        },
        running: { web: overrides.running ?? "arn:aws:ecs:us-east-1:1:task-definition/web:3" },
      },
    ],
  };
}

describe("saved release plans", () => {
  it("keeps no value: digests are HMACs under the plan's key, different for another key", () => {
    const key = newPlanKey();
    const plan = savePlan(subject(), key, "2026-01-01T00:00:00.000Z");
    const text = JSON.stringify(plan);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(key);
    const other = savePlan(subject(), newPlanKey(), plan.createdAt);
    expect(other.families[0]!.environment["app/PASSWORD"]).not.toBe(plan.families[0]!.environment["app/PASSWORD"]);
    expect(other.families[0]!.template).toBe(plan.families[0]!.template); // the template digest holds no value
  });

  it("finds nothing when nothing changed, and names each change without its value", () => {
    const key = newPlanKey();
    const saved = savePlan(subject(), key, "t");
    expect(comparePlan(saved, savePlan(subject(), key, "t"))).toEqual([]);
    const changes = comparePlan(saved, savePlan(subject({ password: "s3cret", image: "repo:def", running: "arn:aws:ecs:us-east-1:1:task-definition/web:4", cpu: "512" }), key, "t"));
    expect(changes).toEqual([
      "image: planned repo:abc, now repo:def",
      "service web: ran web:3 at plan time, runs web:4 now",
      "family web: app/PASSWORD changed since the plan (value not shown)",
      "family web: the task definition (template) changed since the plan",
    ]);
    expect(changes.join("\n")).not.toContain("s3cret");
  });

  // Every branch of comparePlan, one change at a time against the same saved plan: each row is a
  // release that must be refused (the plan check is what stops an unapproved release).
  describe("comparePlan, one difference at a time", () => {
    const key = "00".repeat(32);
    const family = (name: string, running: Record<string, string>, environment: Array<{ name: string; value: string }> = [{ name: "MODE", value: "prod" }]): PlanSubject["families"][number] => ({
      family: name,
      input: { family: name, cpu: "256", containerDefinitions: [{ name: "app", environment }] },
      running,
    });
    const base: PlanSubject = { cluster: "prod", ssmPath: "/app/prod", image: "repo:abc", families: [family("web", { web: "arn:aws:ecs:us-east-1:1:task-definition/web:3" })] };
    // Computed inside each test, not while the file is collected: code run at collection counts as
    // "static" for Stryker, which then reports its mutants wrongly.
    const saved = () => savePlan(base, key, "t");
    const cases: Array<[string, PlanSubject, string[]]> = [
      ["another cluster", { ...base, cluster: "staging" }, ["cluster: planned prod, now staging"]],
      ["another SSM path", { ...base, ssmPath: "/app/staging" }, ["SSM path: planned /app/prod, now /app/staging"]],
      ["another image", { ...base, image: "repo:def" }, ["image: planned repo:abc, now repo:def"]],
      [
        "a family the plan does not have",
        { ...base, families: [...base.families, family("worker", { worker: "arn:aws:ecs:us-east-1:1:task-definition/worker:7" })] },
        ["family worker: not in the plan"],
      ],
      ["a planned family missing now", { ...base, families: [] }, ["family web: planned, but not released now"]],
      ["a variable removed", { ...base, families: [family("web", base.families[0]!.running, [])] }, ["family web: app/MODE removed since the plan", "family web: the task definition (template) changed since the plan"]],
      [
        "a variable added",
        { ...base, families: [family("web", base.families[0]!.running, [{ name: "MODE", value: "prod" }, { name: "EXTRA", value: "x" }])] },
        ["family web: app/EXTRA added since the plan", "family web: the task definition (template) changed since the plan"],
      ],
      [
        "a release for more services than the plan",
        { ...base, families: [family("web", { ...base.families[0]!.running, "web-canary": "arn:aws:ecs:us-east-1:1:task-definition/web:3" })] },
        ["service web-canary: ran nothing at plan time, runs web:3 now"],
      ],
      ["a planned service left out", { ...base, families: [family("web", {})] }, ["service web: ran web:3 at plan time, runs nothing now"]],
    ];
    it.each(cases)("%s", (_name, now, expected) => {
      expect(comparePlan(saved(), savePlan(now, key, "t"))).toEqual(expected);
    });
    it("the same subject (families in another order) matches", () => {
      const two: PlanSubject = { ...base, families: [family("web", { web: "w:1" }), family("api", { api: "a:1" })] };
      expect(comparePlan(savePlan(two, key, "t"), savePlan({ ...two, families: [...two.families].reverse() }, key, "t"))).toEqual([]);
    });
  });

  it("canonical JSON sorts keys; parsePlan refuses what is not a plan", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(() => parsePlan("{", "p.json")).toThrow(/not JSON/);
    expect(() => parsePlan('{"version": 9}', "p.json")).toThrow(/not an ecs-release plan/);
  });
});

describe("the plan's digests", () => {
  const key = "11".repeat(32);
  const plan = (containerDefinitions: PlanSubject["families"][number]["input"]["containerDefinitions"], name = "web"): PlanSubject => ({
    cluster: "prod",
    ssmPath: "/app/prod",
    image: "repo:abc",
    families: [{ family: name, input: { family: name, cpu: "256", containerDefinitions }, running: {} }],
  });
  const only = (subject: PlanSubject) => savePlan(subject, key, "t").families[0]!;

  it("families are saved sorted by name, whatever order the release found them in", () => {
    const families = ["web", "api", "worker"].map((family) => ({ family, input: { family, containerDefinitions: [] }, running: {} }));
    const saved = savePlan({ cluster: "prod", ssmPath: "/p", image: "i", families }, key, "t");
    expect(saved.families.map((f) => f.family)).toEqual(["api", "web", "worker"]);
    expect(savePlan({ cluster: "prod", ssmPath: "/p", image: "i", families: [...families].reverse() }, key, "t")).toEqual(saved);
  });

  it("digests are HMAC-SHA256 under the plan's 256-bit key (hex-decoded) of the kind, the name and the value", () => {
    const hmac = (text: string): string => createHmac("sha256", Buffer.from(key, "hex")).update(text).digest("hex");
    const digests = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }], secrets: [{ name: "S", valueFrom: "/p/S" }] }])).environment;
    expect(digests).toEqual({ "app/A": hmac("value\0A\x001"), "app/S": hmac("secret\0S\0/p/S") });
  });

  it("keys each variable as container/NAME; a value and a secret reference of the same text digest differently", () => {
    const value = only(plan([{ name: "app", environment: [{ name: "X", value: "same" }] }]));
    const secret = only(plan([{ name: "app", secrets: [{ name: "X", valueFrom: "same" }] }]));
    expect(Object.keys(value.environment)).toEqual(["app/X"]);
    expect(Object.keys(secret.environment)).toEqual(["app/X"]);
    expect(Object.keys(only(plan([{ name: "app" }])).environment)).toEqual([]);
    expect(value.environment["app/X"]).toMatch(/^[0-9a-f]{64}$/);
    expect(secret.environment["app/X"]).not.toBe(value.environment["app/X"]);
    // The name is part of the digest: the same value under another name is another digest.
    expect(only(plan([{ name: "app", environment: [{ name: "Y", value: "same" }] }])).environment["app/Y"]).not.toBe(value.environment["app/X"]);
    expect(only(plan([{ name: "app", secrets: [{ name: "Y", valueFrom: "same" }] }])).environment["app/Y"]).not.toBe(secret.environment["app/X"]);
    // Nameless containers and variables still get a key (as ECS may return them).
    expect(Object.keys(only(plan([{ environment: [{ value: "v" }], secrets: [{}] }])).environment)).toEqual(["/"]);
    expect(only(plan([{ environment: [{ name: "A" }] }])).environment["/A"]).toMatch(/^[0-9a-f]{64}$/);
    // What is missing counts as empty: a value or reference left out digests as the empty one.
    const same = (a: PlanSubject, b: PlanSubject): void => expect(only(a)).toEqual(only(b));
    same(plan([{ name: "app", environment: [{ name: "A" }] }]), plan([{ name: "app", environment: [{ name: "A", value: "" }] }]));
    same(plan([{ name: "app", environment: [{ value: "v" }] }]), plan([{ name: "app", environment: [{ name: "", value: "v" }] }]));
    same(plan([{ name: "app", secrets: [{ name: "S" }] }]), plan([{ name: "app", secrets: [{ name: "S", valueFrom: "" }] }]));
    same(plan([{ name: "app", secrets: [{ valueFrom: "/p/S" }] }]), plan([{ name: "app", secrets: [{ name: "", valueFrom: "/p/S" }] }]));
    expect(only(plan([{ environment: [{ name: "A", value: "1" }] }])).environment).toEqual(only(plan([{ name: "", environment: [{ name: "A", value: "1" }] }])).environment);
  });

  it("the template digest covers the variable and secret names (sorted), not their values or references", () => {
    const base = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }], secrets: [{ name: "S", valueFrom: "/p/S" }, { name: "T", valueFrom: "/p/T" }] }]));
    expect(base.template).toMatch(/^[0-9a-f]{64}$/);
    const reordered = only(plan([{ name: "app", environment: [{ name: "B", value: "2" }, { name: "A", value: "1" }], secrets: [{ name: "T", valueFrom: "/p/T" }, { name: "S", valueFrom: "/p/S" }] }]));
    expect(reordered.template).toBe(base.template);
    const otherValues = only(plan([{ name: "app", environment: [{ name: "A", value: "9" }, { name: "B", value: "8" }], secrets: [{ name: "S", valueFrom: "/q/S" }, { name: "T", valueFrom: "/q/T" }] }]));
    expect(otherValues.template).toBe(base.template);
    const secretRemoved = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }], secrets: [{ name: "S", valueFrom: "/p/S" }] }]));
    expect(secretRemoved.template).not.toBe(base.template);
    const secretAsVariable = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }, { name: "T", value: "/p/T" }], secrets: [{ name: "S", valueFrom: "/p/S" }] }]));
    expect(secretAsVariable.template).not.toBe(base.template);
    const noSecrets = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }]));
    const emptySecrets = only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }], secrets: [] }]));
    expect(emptySecrets.template).toBe(noSecrets.template);
    expect(only(plan([{ name: "app", environment: [{}] }])).template).not.toBe(only(plan([{ name: "app", environment: [] }])).template);
    // A renamed variable or secret changes the template; a missing list is an empty one.
    expect(only(plan([{ name: "app", environment: [{ name: "C", value: "1" }, { name: "B", value: "2" }], secrets: [{ name: "S", valueFrom: "/p/S" }, { name: "T", valueFrom: "/p/T" }] }])).template).not.toBe(base.template);
    expect(only(plan([{ name: "app", environment: [{ name: "A", value: "1" }, { name: "B", value: "2" }], secrets: [{ name: "S", valueFrom: "/p/S" }, { name: "U", valueFrom: "/p/T" }] }])).template).not.toBe(base.template);
    expect(only(plan([{ name: "app" }])).template).toBe(only(plan([{ name: "app", environment: [], secrets: [] }])).template);
    expect(only(plan([{ name: "app", secrets: [{}] }])).template).not.toBe(only(plan([{ name: "app", secrets: [] }])).template);
  });

  it("canonical JSON: keys sorted at every depth, undefined dropped, scalars as JSON", () => {
    expect(canonicalJson({ d: 1, c: 2, b: 3, a: 4 })).toBe('{"a":4,"b":3,"c":2,"d":1}');
    expect(canonicalJson({ b: 1, d: 2, a: 3, c: 4 })).toBe('{"a":3,"b":1,"c":4,"d":2}');
    expect(canonicalJson({ b: { z: [1, { y: null, x: "s" }], a: true }, a: undefined })).toBe('{"b":{"a":true,"z":[1,{"x":"s","y":null}]}}');
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson("text")).toBe('"text"');
    expect(canonicalJson(12)).toBe("12");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
  });
});

describe("parsePlan", () => {
  it("reads back a saved plan", () => {
    const saved = savePlan(subject(), newPlanKey(), "2026-01-01T00:00:00.000Z");
    expect(parsePlan(JSON.stringify(saved), "p.json")).toEqual(saved);
  });

  it.each([
    ["a number", "3"],
    ["null", "null"],
    ["another version", JSON.stringify({ version: 2, families: [], image: "i" })],
    ["no families", JSON.stringify({ version: 1, image: "i" })],
    ["families not a list", JSON.stringify({ version: 1, families: {}, image: "i" })],
    ["no image", JSON.stringify({ version: 1, families: [] })],
    ["an image that is not text", JSON.stringify({ version: 1, families: [], image: 7 })],
  ])("refuses %s, saying how to write one", (_what, text) => {
    expect(() => parsePlan(text, "p.json")).toThrow(new ValidationError("--plan-file p.json is not an ecs-release plan (version 1): write it with release --dry-run --plan-file p.json"));
  });

  it("refuses text that is not JSON, saying how to write a plan", () => {
    expect(() => parsePlan("{", "p.json")).toThrow(new ValidationError("--plan-file p.json is not JSON: write it with release --dry-run --plan-file p.json"));
  });
});

describe("revisions in the differences", () => {
  it("are shortened to family:revision whatever the account, and a service without one runs nothing", () => {
    const key = newPlanKey();
    const at = (running: Record<string, string>): PlanSubject => ({ cluster: "prod", ssmPath: "/p", image: "i", families: [{ family: "web", input: { family: "web", containerDefinitions: [] }, running }] });
    expect(comparePlan(savePlan(at({ web: "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12" }), key, "t"), savePlan(at({ web: "" }), key, "t"))).toEqual([
      "service web: ran web:12 at plan time, runs nothing now",
    ]);
    expect(comparePlan(savePlan(at({ web: "arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:3" }), key, "t"), savePlan(at({ web: "web:4" }), key, "t"))).toEqual([
      "service web: ran web:3 at plan time, runs web:4 now",
    ]);
  });
});

describe("planMarkdown", () => {
  it("shows the approver what will be released, the masked diff and what approving means", () => {
    const saved = savePlan(subject(), "22".repeat(32), "2026-01-01T00:00:00.000Z");
    const two = savePlan({ ...subject(), families: [{ ...subject().families[0]!, running: { web: "arn:aws:ecs:us-east-1:1:task-definition/web:3", "web-canary": "arn:aws:ecs:us-east-1:1:task-definition/web:2" } }] }, "22".repeat(32), "t");
    expect(planMarkdown(two, [], { services: ["web", "web-canary"], planFile: "p.json" })).toContain("- Family `web`: web runs web:3, web-canary runs web:2; 3 variables\n");
    const text = planMarkdown(saved, ["~ MODE: prod → staging"], { services: ["web", "web-canary"], planFile: "plan/release.json" });
    expect(text.split("\n")).toEqual([
      "# Release plan: web, web-canary on prod",
      "",
      "- Image: `repo:abc`",
      "- Environment: every parameter under `/app/prod` (SecureString values masked)",
      "- Planned at: 2026-01-01T00:00:00.000Z",
      "- Family `web`: web runs web:3; 3 variables",
      "",
      "## Changes against what runs now",
      "",
      "```diff",
      "~ MODE: prod → staging",
      "```",
      "",
      "## What approving means",
      "",
      "The release after the approval runs with `--plan-file plan/release.json`: it registers a revision only if the image, the task definition, every environment value (compared by keyed digest, never by value) and the revisions the services run are still what this plan shows. Otherwise it stops with exit code 2, writes nothing and lists what changed, unless the release job sets accept_drift.",
      "",
    ]);
    expect(planMarkdown(saved, [], { services: ["web"], planFile: "p.json" })).toContain("```diff\n(no changes)\n```");
  });
});
