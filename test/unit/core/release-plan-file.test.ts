import { describe, expect, it } from "vitest";
import { canonicalJson, comparePlan, newPlanKey, parsePlan, savePlan, type PlanSubject } from "../../../src/core/release-plan-file.js";

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
    const saved = savePlan(base, key, "t");
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
      expect(comparePlan(saved, savePlan(now, key, "t"))).toEqual(expected);
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
