import { describe, expect, it } from "vitest";
import { imageRepository, isFromRepository, selectContainers } from "../../../src/core/select-containers.js";
import type { ContainerDefinitionInput } from "../../../src/core/template.js";

const REPO = { uri: "1.dkr.ecr.us-east-1.amazonaws.com/platform", name: "platform" };
const app = { name: "app", image: "1.dkr.ecr.us-east-1.amazonaws.com/platform:abc" };
const sidecar = { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0" };

describe("imageRepository", () => {
  it.each([
    ["host:5000/a/b:tag", "host:5000/a/b"],
    ["host/a@sha256:abc", "host/a"],
    ["nginx", "nginx"],
    ["nginx:1.25", "nginx"],
  ])("%s → %s", (image, expected) => expect(imageRepository(image)).toBe(expected));
});

describe("isFromRepository", () => {
  it.each([
    ["1.dkr.ecr.us-east-1.amazonaws.com/platform:old", true],
    ["platform:placeholder", true],
    ["1.dkr.ecr.us-east-1.amazonaws.com/platform-admin:x", false],
    ["public.ecr.aws/x/y:1", false],
  ])("%s → %s", (image, expected) => expect(isFromRepository(image, REPO)).toBe(expected));
});

describe("selectContainers", () => {
  it.each<[string, ContainerDefinitionInput[], string[] | undefined, string[] | RegExp]>([
    ["the container from the repository", [app, sidecar], undefined, ["app"]],
    ["the only container", [sidecar], undefined, ["log-router"]],
    ["named ones", [app, sidecar], ["log-router"], ["log-router"]],
    ["named ones present here (several families)", [app, sidecar], ["app", "worker"], ["app"]],
    ["a missing name", [app, sidecar], ["nope"], /no container "nope": --container must name one of "app", "log-router"/],
    ["ambiguous", [sidecar, { name: "other", image: "nginx" }], undefined, /has 2 containers .* pass --container NAME/],
  ])("%s", (_what, containers, names, expected) => {
    const select = () => selectContainers(containers, { ...(names ? { names } : {}), repository: REPO, source: "task definition web:1" });
    if (expected instanceof RegExp) expect(select).toThrow(expected);
    else expect(select()).toEqual(expected);
  });
});
