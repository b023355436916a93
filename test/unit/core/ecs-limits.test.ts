import { describe, expect, it } from "vitest";
import { checkTaskDefinitionLimits, ECS_LIMITS, TAGS_ADDED_LATER, taskDefinitionSize } from "../../../src/core/ecs-limits.js";

const withEnv = (bytes: number) => ({ family: "web", containerDefinitions: [{ name: "app", environment: [{ name: "BIG", value: "x".repeat(bytes) }] }] });

describe("checkTaskDefinitionLimits", () => {
  it("accepts a task definition just under 64 KiB", () => {
    const input = withEnv(0);
    const room = ECS_LIMITS.taskDefinitionBytes - taskDefinitionSize(input);
    expect(checkTaskDefinitionLimits(withEnv(room), {})).toEqual([]);
    expect(checkTaskDefinitionLimits(withEnv(room + 1), {})).toEqual([expect.stringMatching(/is 65537 bytes, over ECS's limit of 65536 bytes \(64 KiB; the environment takes 63\.\d KiB/)]);
  });

  it("counts UTF-8 bytes, and tags", () => {
    expect(taskDefinitionSize(withEnv(0), { k: "é" })).toBe(taskDefinitionSize(withEnv(0)) + JSON.stringify({ tags: [{ key: "k", value: "é" }] }).length - 1 + 1);
  });

  it("limits containers and tags", () => {
    const input = { family: "web", containerDefinitions: Array.from({ length: 11 }, (_, i) => ({ name: `c${i}` })) };
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
    expect(checkTaskDefinitionLimits(input, tags)).toEqual([expect.stringContaining("11 containers"), expect.stringContaining("51 tags")]);
  });

  it("keeps room for the outcome tags added after registration, and does not count aws: tags", () => {
    const tags = (count: number, prefix = "k") => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "v"]));
    const fits = ECS_LIMITS.tagsPerResource - TAGS_ADDED_LATER;
    expect(checkTaskDefinitionLimits(withEnv(0), tags(fits))).toEqual([]);
    // 48 tags would register, but the outcome tag (and a rollback's time and run) could then never be added.
    expect(checkTaskDefinitionLimits(withEnv(0), tags(fits + 1))).toEqual([expect.stringMatching(/48 tags, over the 47 that leave room for the 3 ecs-release adds later/)]);
    expect(checkTaskDefinitionLimits(withEnv(0), { ...tags(fits), ...tags(5, "aws:cloudformation:") })).toEqual([]);
  });
});
