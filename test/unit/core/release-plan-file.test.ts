import { describe, expect, it } from "vitest";
import { canonicalJson, comparePlan, movedTag, newPlanKey, parsePlan, savePlan, type PlanSubject } from "../../../src/core/release-plan-file.js";

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

  it("names a tag that moved to another digest since the plan, with both digests", () => {
    const [a, b] = [`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`];
    const planned = { image: `repo@${a}`, imageTag: "repo:abc" };
    expect(movedTag(planned, planned)).toBeUndefined();
    expect(movedTag(planned, { image: `repo@${b}`, imageTag: "repo:def" })).toBeUndefined(); // another tag: ordinary drift
    expect(movedTag({ image: "repo:abc" }, { image: "repo:abc" })).toBeUndefined();
    const moved = movedTag(planned, { image: `repo@${b}`, imageTag: "repo:abc" });
    expect(moved).toBe(`the image tag repo:abc moved since the plan: it was ${a} (approved), it is ${b} now`);
    const key = newPlanKey();
    const changes = comparePlan(savePlan({ ...subject({ image: `repo@${a}` }), imageTag: "repo:abc" }, key, "t"), savePlan({ ...subject({ image: `repo@${b}` }), imageTag: "repo:abc" }, key, "t"));
    expect(changes).toEqual([moved]);
  });

  it("canonical JSON sorts keys; parsePlan refuses what is not a plan", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(() => parsePlan("{", "p.json")).toThrow(/not JSON/);
    expect(() => parsePlan('{"version": 9}', "p.json")).toThrow(/not an ecs-release plan/);
  });
});
