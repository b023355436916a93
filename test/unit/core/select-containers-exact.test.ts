import { describe, expect, it } from "vitest";
import { isFromRepository, selectContainers } from "../../../src/core/select-containers.js";

const URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app";

describe("isFromRepository, exact", () => {
  it.each<[string, string, { uri?: string; name?: string }, boolean]>([
    ["known by URI only", `${URI}:1`, { uri: URI }, true],
    ["known by name, the image with its registry host and a namespace", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1", { name: "app" }, true],
    ["another repository ending alike", "123456789012.dkr.ecr.us-east-1.amazonaws.com/myapp:1", { name: "app" }, false],
  ])("%s", (_name, image, repository, expected) => expect(isFromRepository(image, repository)).toBe(expected));
});

describe("selectContainers, exact refusals", () => {
  const containers = [
    { name: "a", image: "nginx:1" },
    { name: "b", image: "redis:7" },
  ];
  it.each<[string, { names?: string[]; repository: { uri?: string; name?: string } }, string]>([
    ["two absent names", { names: ["x", "y"], repository: { name: "app" } }, 'web:3 has no container "x", "y": --container must name one of "a", "b"'],
    ["a repository known by URI only", { repository: { uri: URI } }, `web:3 has 2 containers ("a", "b") and none runs an image from ${URI}: pass --container NAME to say which one gets the new image`],
    ["a repository known by neither", { repository: {} }, 'web:3 has 2 containers ("a", "b") and none runs an image from the release repository: pass --container NAME to say which one gets the new image'],
  ])("%s", (_name, options, message) => {
    expect(() => selectContainers(containers, { ...options, source: "web:3" })).toThrow(message);
  });
});
