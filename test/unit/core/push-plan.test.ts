/**
 * What push decides, as tables: which tags, whether the repository is described, skip or build,
 * what an immutable repository refuses (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html),
 * which registry gets the login, what is built.
 */
import { describe, expect, it } from "vitest";
import type { TagMutability } from "../../../src/core/docker-args.js";
import { ValidationError } from "../../../src/core/errors.js";
import {
  buildChoice,
  checkCacheTag,
  checkPushRequest,
  checkRepositoryFound,
  chooseRegistry,
  decideExistingImage,
  immutableExtraTags,
  mutableTagsWarning,
  registryProblems,
  repositoryMutability,
  retagLines,
  sameRepositoryTag,
  skippedImageUri,
  tagsToPush,
  type ExistingImage,
  type PushFacts,
  type PushRequest,
} from "../../../src/core/push-plan.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
const request: PushRequest = { repository: "platform", sha: SHA, extraTags: [], buildArgs: [], labels: [], force: false, createRepository: false };
const IMMUTABLE: TagMutability = { mutability: "IMMUTABLE", exclusionFilters: [] };
const MUTABLE: TagMutability = { mutability: "MUTABLE", exclusionFilters: [] };
const existing: ExistingImage = { uri: `${ECR}/platform:${SHA}`, digest: `sha256:${"ab".repeat(32)}`, tags: [SHA] };

const thrown = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
};

describe("checkPushRequest", () => {
  it.each<[string, Partial<PushRequest>, string[] | RegExp]>([
    ["the SHA tag alone", {}, [SHA]],
    ["the SHA first, extra tags after, no duplicates", { extraTags: ["latest", SHA, "latest"] }, [SHA, "latest"]],
    ["a short SHA", { sha: "0123456" }, /--sha "0123456" is not a full commit SHA/],
    ["every problem at once", { sha: "x", extraTags: ["-bad"] }, /--sha "x".*; --extra-tag "-bad"/],
    ["a registry from another region", { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, /is ECR in eu-west-1, not in us-east-1/],
  ])("%s", (_what, extra, expected) => {
    if (Array.isArray(expected)) expect(checkPushRequest({ ...request, ...extra }, "us-east-1")).toEqual(expected);
    else expect(thrown(() => checkPushRequest({ ...request, ...extra }, "us-east-1"))).toMatch(expected);
  });
});

describe("registryProblems", () => {
  it.each<[string, Pick<PushRequest, "registry" | "insecureTestRegistry">, RegExp | undefined]>([
    ["no --registry", {}, undefined],
    ["--insecure-test-registry without --registry", { insecureTestRegistry: true }, /pass --registry too/],
    ["not a host", { registry: "https://r.example/x" }, /is not a registry host/],
    ["a test registry, marked", { registry: "localhost:5000", insecureTestRegistry: true }, undefined],
    ["a test registry, not marked", { registry: "localhost:5000" }, /is not an ECR registry host \(ACCOUNT\.dkr\.ecr\.us-east-1\.amazonaws\.com\).*--insecure-test-registry/],
    ["ECR of this region", { registry: ECR }, undefined],
    ["ECR of another region", { registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, /eu-west-1, not in us-east-1/],
  ])("%s", (_what, input, expected) => {
    const problems = registryProblems(input, "us-east-1");
    if (expected === undefined) expect(problems).toEqual([]);
    else expect(problems.join("; ")).toMatch(expected);
  });
});

describe("mutableTagsWarning", () => {
  it.each<[string, TagMutability | undefined, boolean]>([
    ["MUTABLE", { mutability: "MUTABLE", exclusionFilters: [] }, true],
    ["MUTABLE_WITH_EXCLUSION", { mutability: "MUTABLE_WITH_EXCLUSION", exclusionFilters: ["release-*"] }, true],
    ["IMMUTABLE", { mutability: "IMMUTABLE", exclusionFilters: [] }, false],
    ["IMMUTABLE_WITH_EXCLUSION", { mutability: "IMMUTABLE_WITH_EXCLUSION", exclusionFilters: ["latest"] }, false],
    ["missing", undefined, false],
  ])("%s", (_what, found, warned) => {
    const warning = mutableTagsWarning("platform", found);
    if (!warned) expect(warning).toBeUndefined();
    else expect(warning).toContain("aws ecr put-image-tag-mutability --repository-name platform --image-tag-mutability IMMUTABLE");
  });
});

describe("checkRepositoryFound", () => {
  it.each<[string, boolean, TagMutability | undefined, boolean, boolean | RegExp]>([
    ["not described", false, undefined, false, false],
    ["found", true, MUTABLE, false, false],
    ["missing, --create-repository", true, undefined, true, true],
    ["missing", true, undefined, false, /ECR repository "platform" does not exist \(check --repository and the region, or pass --create-repository\)/],
  ])("%s", (_what, described, found, create, expected) => {
    const check = (): boolean => checkRepositoryFound({ ...request, createRepository: create }, described, found);
    if (typeof expected === "boolean") expect(check()).toBe(expected);
    else expect(thrown(check)).toMatch(expected);
  });
});

describe("decideExistingImage", () => {
  const facts = (extra: Partial<PushFacts>): PushFacts => ({ repository: undefined, missing: false, existing: undefined, ...extra });
  it.each<[string, Partial<PushRequest>, string[], PushFacts, unknown]>([
    ["no image under the SHA tag: build", {}, [SHA], facts({}), { kind: "build", rebuild: false }],
    ["the SHA tag exists: skip, nothing to add", {}, [SHA], facts({ existing }), { kind: "skip", image: existing, addTags: [] }],
    ["the SHA tag exists: skip, add the tags it lacks", {}, [SHA, "latest", "v1"], facts({ existing: { ...existing, tags: [SHA, "v1"] } }), { kind: "skip", image: existing && { ...existing, tags: [SHA, "v1"] }, addTags: ["latest"] }],
    ["--force over a mutable repository: build again", { force: true }, [SHA], facts({ existing, repository: MUTABLE }), { kind: "build", rebuild: true }],
    ["--force, repository not described: build again", { force: true }, [SHA], facts({ existing }), { kind: "build", rebuild: true }],
    ["--force over an immutable repository: refused", { force: true }, [SHA], facts({ existing, repository: IMMUTABLE }), /--force: platform:0123456789ab… already exists and the repository's tags are immutable \(IMMUTABLE\)/],
    ["--force, the SHA tag excluded from immutability: build again", { force: true }, [SHA], facts({ existing, repository: { mutability: "IMMUTABLE_WITH_EXCLUSION", exclusionFilters: ["0123*"] } }), { kind: "build", rebuild: true }],
  ])("%s", (_what, extra, tags, input, expected) => {
    const decide = (): unknown => decideExistingImage({ ...request, ...extra }, tags, input);
    if (expected instanceof RegExp) expect(thrown(decide)).toMatch(expected);
    else expect(decide()).toEqual(expected);
  });
});

describe("repositoryMutability", () => {
  it.each<[string, Pick<PushFacts, "repository" | "missing">, TagMutability]>([
    ["as described", { repository: IMMUTABLE, missing: false }, IMMUTABLE],
    ["one push creates is IMMUTABLE", { repository: undefined, missing: true }, IMMUTABLE],
    ["not described: unknown (mutable)", { repository: undefined, missing: false }, { mutability: undefined, exclusionFilters: [] }],
  ])("%s", (_what, facts, expected) => expect(repositoryMutability(facts)).toEqual(expected));
});

describe("skippedImageUri", () => {
  it.each<[string, string | undefined, string]>([
    ["ECR's URI", undefined, existing.uri],
    ["on --registry", "localhost:5000", `localhost:5000/platform:${SHA}`],
  ])("%s", (_what, registry, expected) => expect(skippedImageUri({ ...request, ...(registry ? { registry } : {}) }, existing)).toBe(expected));
});

describe("immutableExtraTags and tagsToPush", () => {
  it.each<[string, TagMutability | undefined, string[], string[]]>([
    ["not described: no lookup", undefined, [SHA, "latest"], []],
    ["mutable: no lookup", MUTABLE, [SHA, "latest"], []],
    ["immutable: every extra tag, never the SHA tag", IMMUTABLE, [SHA, "latest", "v1"], ["latest", "v1"]],
    ["immutable with exclusions: the excluded tags move freely", { mutability: "IMMUTABLE_WITH_EXCLUSION", exclusionFilters: ["lat*"] }, [SHA, "latest", "v1"], ["v1"]],
  ])("%s", (_what, repository, tags, expected) => expect(immutableExtraTags(repository, tags)).toEqual(expected));

  it.each<[string, string[], string[], { tags: string[]; warning: string | undefined }]>([
    ["none taken", [SHA, "v1"], [], { tags: [SHA, "v1"], warning: undefined }],
    [
      "taken tags are dropped, with a warning",
      [SHA, "v1", "latest"],
      ["v1"],
      { tags: [SHA, "latest"], warning: "not moving v1: already in platform, whose tags are immutable (ECR refuses to move them); they stay on the image they name" },
    ],
  ])("%s", (_what, tags, taken, expected) => expect(tagsToPush("platform", tags, taken)).toEqual(expected));
});

describe("checkCacheTag", () => {
  it.each<[string, string | undefined, TagMutability, RegExp | undefined]>([
    ["no --cache-to", undefined, IMMUTABLE, undefined],
    ["a cache in another repository", `type=registry,ref=${ECR}/platform-cache:main`, IMMUTABLE, undefined],
    ["a cache tag of a mutable repository", `type=registry,ref=${ECR}/platform:cache`, MUTABLE, undefined],
    ["a cache tag of an immutable repository", `type=registry,ref=${ECR}/platform:cache,mode=max`, IMMUTABLE, /the cache tag "cache" is rewritten by every build, and platform's tags are immutable/],
    ["a non-registry cache", "type=local,dest=/tmp/cache", IMMUTABLE, undefined],
  ])("%s", (_what, cacheTo, mutability, expected) => {
    const message = thrown(() => checkCacheTag({ ...request, ...(cacheTo ? { cacheTo } : {}) }, mutability));
    if (expected === undefined) expect(message).toBeUndefined();
    else expect(message).toMatch(expected);
  });

  it.each<[string, string, string | undefined]>([
    [`${ECR}/platform:cache`, "platform", "cache"],
    [`${ECR}/team/platform:cache`, "team/platform", "cache"],
    [`${ECR}/platform-cache:main`, "platform", undefined],
    [`${ECR}/platform@sha256:${"a".repeat(64)}`, "platform", undefined],
  ])("sameRepositoryTag(%s, %s) → %s", (ref, repository, expected) => expect(sameRepositoryTag(ref, repository)).toBe(expected));
});

describe("chooseRegistry", () => {
  it.each<[string, Pick<PushRequest, "registry" | "insecureTestRegistry">, string | RegExp]>([
    ["no --registry: the login's host", {}, ECR],
    ["--registry naming the login's registry", { registry: ECR }, ECR],
    ["--registry naming another account's ECR: refused", { registry: "999999999999.dkr.ecr.us-east-1.amazonaws.com" }, /is not this account's ECR registry \(123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\): ecs-release sends the ECR login only there/],
    ["a marked test registry", { registry: "localhost:5000", insecureTestRegistry: true }, "localhost:5000"],
  ])("%s", (_what, input, expected) => {
    if (typeof expected === "string") expect(chooseRegistry(input, ECR)).toBe(expected);
    else expect(thrown(() => chooseRegistry(input, ECR))).toMatch(expected);
  });
});

describe("buildChoice", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("references every tag on the host, the SHA first; created is the commit's time", () => {
    const choice = buildChoice({ ...request, sourceDateEpoch: 1_700_000_000, source: "https://github.com/o/r", labels: ["team=web"] }, "localhost:5000", [SHA, "latest"], now);
    expect(choice.refs).toEqual([`localhost:5000/platform:${SHA}`, "localhost:5000/platform:latest"]);
    expect(choice.imageUri).toBe(`localhost:5000/platform:${SHA}`);
    expect(choice.createdIsBuildTime).toBe(false);
    expect(choice.labels).toContainEqual(["org.opencontainers.image.created", new Date(1_700_000_000_000).toISOString()]);
    expect(choice.labels).toContainEqual(["org.opencontainers.image.revision", SHA]);
    expect(choice.labels.at(-1)).toEqual(["team", "web"]);
  });
  it("without a commit time, created is now", () => {
    const choice = buildChoice(request, ECR, [SHA], now);
    expect(choice.createdIsBuildTime).toBe(true);
    expect(choice.labels).toContainEqual(["org.opencontainers.image.created", new Date(now).toISOString()]);
  });
});

describe("retagLines", () => {
  it.each<[string, string[], string[], { info: string | undefined; warning: string | undefined }]>([
    ["all added", ["latest"], [], { info: "added tags latest to the existing image in ECR", warning: undefined }],
    ["some refused", ["latest", "v1"], ["v1"], { info: "added tags latest to the existing image in ECR", warning: "tags v1 already name another image and are immutable: left as they are" }],
    ["all refused", ["v1"], ["v1"], { info: undefined, warning: "tags v1 already name another image and are immutable: left as they are" }],
  ])("%s", (_what, addTags, refused, expected) => expect(retagLines(addTags, refused)).toEqual(expected));
});
