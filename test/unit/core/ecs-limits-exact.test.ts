/** ECS's limits at their edges, each refusal word for word. */
import { describe, expect, it } from "vitest";
import { checkAwsNames, checkTaskDefinitionLimits, imageProblem } from "../../../src/core/ecs-limits.js";
import type { TaskDefinitionInput } from "../../../src/core/template.js";

const input = (containers: number, over: object = {}): TaskDefinitionInput =>
  ({ family: "web", containerDefinitions: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: "repo:tag", ...over })) }) as unknown as TaskDefinitionInput;
const tags = (n: number, prefix = "k") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));

describe("checkTaskDefinitionLimits", () => {
  it("10 containers fit, 11 do not", () => {
    expect(checkTaskDefinitionLimits(input(10), {})).toEqual([]);
    expect(checkTaskDefinitionLimits(input(11), {})).toEqual(["family web: 11 containers, over ECS's limit of 10"]);
  });
  it("47 tags fit, 48 do not; empty values and aws: keys (any case) are not counted", () => {
    expect(checkTaskDefinitionLimits(input(1), { ...tags(47), e: "", ...tags(3, "AWS:x"), ...tags(2, "aws:y") })).toEqual([]);
    expect(checkTaskDefinitionLimits(input(1), tags(48))).toEqual(["family web: 48 tags, over the 47 that leave room for the 3 ecs-release adds later (ECS allows 50 per revision; remove some from the template)"]);
    expect(checkTaskDefinitionLimits(input(1), { ...tags(47), "xaws:z": "v" })).toHaveLength(1);
  });
  it("a key of 128 characters fits, 129 do not (an empty value is not checked)", () => {
    const k128 = "k".repeat(128);
    const k129 = "k".repeat(129);
    const k130 = "j".repeat(130);
    expect(checkTaskDefinitionLimits(input(1), { [k128]: "v", [`${k130}x`]: "" })).toEqual([]);
    expect(checkTaskDefinitionLimits(input(1), { [k129]: "v", [k130]: "w" })).toEqual([`family web: tag keys longer than 128 characters: ${k129}, ${k130}`]);
  });
  it("over 64 KiB: the size and what the environment takes", () => {
    const environment = [{ name: "BIG", value: "x".repeat(70_000) }];
    const [problem] = checkTaskDefinitionLimits(input(1, { environment }), {});
    expect(problem).toMatch(/^family web: the task definition is \d+ bytes, over ECS's limit of 65536 bytes \(64 KiB; the environment takes 68\.4 KiB: move large values out of SSM or use --secure-strings secrets\)$/);
  });
});

describe("imageProblem", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  it.each([
    ["repo:tag", undefined],
    [`repo@${digest}`, undefined],
    [`${"r".repeat(255)}`, undefined],
    [`${"r".repeat(256)}`, `image "${"r".repeat(80)}…" is 256 characters long, over ECS's 255`],
    [`${"r".repeat(80)}`, undefined],
    ["", `image "" is empty`],
    [`@${digest}`, `image "@${digest}" is empty`],
    ["repo tag", `image "repo tag" has characters ECS does not allow (letters, digits, - _ : . / # only)`],
    [`repo@x${digest}`, `image "repo@x${digest}" has a digest that is not sha256: and 64 hex digits`],
    [`repo@${digest}0`, `image "repo@${digest}0" has a digest that is not sha256: and 64 hex digits`],
  ])("%s → %s", (image, expected) => {
    expect(imageProblem(image)).toBe(expected);
  });
  it("an image of 81 characters is cut in the message, one of 80 is not", () => {
    expect(imageProblem(`${"r".repeat(80)} `)).toBe(`image "${"r".repeat(80)}…" has characters ECS does not allow (letters, digits, - _ : . / # only)`);
    expect(imageProblem(`${"r".repeat(79)} `)).toBe(`image "${"r".repeat(79)} " has characters ECS does not allow (letters, digits, - _ : . / # only)`);
  });
});

describe("checkAwsNames", () => {
  it("a container without a name or image, bad variable names, bad tags, each word for word", () => {
    const bad = { family: "web", containerDefinitions: [{ environment: [{ name: "OK", value: "1" }, { value: "x" }, { name: "A=B" }, { name: "C\u0001" }, { name: "D\u007f" }] }] } as unknown as TaskDefinitionInput;
    expect(checkAwsNames(bad, { "bad key!": "v", good: "bad value!", "skipped key!": "", long: "v".repeat(257), fits: "v".repeat(256) })).toEqual([
      'family "web": container name "" is not valid (up to 255 letters, digits, - and _)',
      'family "web", container "": image "" is empty',
      'family "web", container "": environment variable names "", "A=B", "C\\u0001", "D\u007f" are not valid',
      'family "web": tag key "bad key!" has characters ECS does not allow (letters, digits, spaces and _ . : / = + - @)',
      'family "web": the value of tag "good" has characters ECS does not allow (letters, digits, spaces and _ . : / = + - @)',
      `family "web": the value of tag "long" is 257 characters, over ECS's 256`,
    ]);
  });
});
