import { describe, expect, it } from "vitest";
import { checkAwsNames, checkTaskDefinitionLimits, ECS_LIMITS, imageProblem, TAGS_ADDED_LATER, taskDefinitionSize } from "../../../src/core/ecs-limits.js";
import { toTagValue } from "../../../src/core/tags.js";

const withEnv = (bytes: number) => ({ family: "web", containerDefinitions: [{ name: "app", image: "nginx:1", environment: [{ name: "BIG", value: "x".repeat(bytes) }] }] });

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
    const input = { family: "web", containerDefinitions: Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: "nginx:1" })) };
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

// Issue 14.7: what ECS documents for RegisterTaskDefinition, ContainerDefinition and Tag, checked before any write.
describe("checkAwsNames", () => {
  const td = (family: string, container: Record<string, unknown> = {}) => ({ family, containerDefinitions: [{ name: "app", image: "nginx:1", ...container }] });
  it("accepts what ECS accepts", () => {
    expect(checkAwsNames(td("web-1_A"), { "ecs-release:sha": "a".repeat(40), team: "Équipe plateforme", "k/x": "a+b=c@d:e" })).toEqual([]);
    expect(checkAwsNames(td("w".repeat(255), { name: "c".repeat(255), image: `${"r".repeat(150)}@sha256:${"a".repeat(64)}` }), {})).toEqual([]);
  });
  it.each<[string, ReturnType<typeof td>, Record<string, string>, RegExp]>([
    ["a family with a slash, dots and a space", td("evil/../x y"), {}, /family "evil\/\.\.\/x y" is not a valid task definition family \(up to 255 letters, digits, - and _\)/],
    ["a family of 256 characters", td("f".repeat(256)), {}, /is not a valid task definition family/],
    ["a container name with a dot", td("web", { name: "app.v2" }), {}, /container name "app\.v2" is not valid/],
    ["an image with a newline", td("web", { image: "nginx:1\nrm" }), {}, /image "nginx:1\\nrm" has characters ECS does not allow/],
    ["an image with a space", td("web", { image: "nginx:1 latest" }), {}, /has characters ECS does not allow/],
    ["an image too long", td("web", { image: "x".repeat(256) }), {}, /256 characters long, over ECS's 255/],
    ["an environment name with =", td("web", { environment: [{ name: "A=B", value: "1" }] }), {}, /environment variable names "A=B" are not valid/],
    ["a tag key with a newline", td("web"), { "team\nx": "a" }, /tag key "team\\nx" has characters ECS does not allow/],
    ["a tag value with a semicolon", td("web"), { team: "a;b" }, /the value of tag "team" has characters ECS does not allow/],
    ["a tag value of 257 characters", td("web"), { team: "v".repeat(257) }, /the value of tag "team" is 257 characters, over ECS's 256/],
  ])("refuses %s", (_what, input, tags, message) => {
    expect(checkAwsNames(input, tags)).toEqual([expect.stringMatching(message)]);
    expect(checkTaskDefinitionLimits(input, tags)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
  it("imageProblem: digests", () => {
    expect(imageProblem(`nginx@sha256:${"A".repeat(64)}`)).toBeUndefined();
    expect(imageProblem("nginx@sha512:abc")).toMatch(/digest/);
  });
  it("toTagValue makes ecs-release's own metadata acceptable", () => {
    expect(toTagValue("https://ci.example/job/1?x=1&y=2")).toBe("https://ci.example/job/1_x=1_y=2");
    expect(toTagValue("ana\nreleased web:9")).toBe("ana_released web:9");
    expect(toTagValue("x".repeat(300))).toHaveLength(256);
  });
});
