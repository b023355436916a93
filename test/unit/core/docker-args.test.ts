import { describe, expect, it } from "vitest";
import {
  buildBuildArgs,
  buildLoginArgs,
  buildOciLabels,
  buildPushArgs,
  cacheToProblem,
  decodeAuthorizationToken,
  isRegistryHost,
  isTagImmutable,
  parseEcrHost,
  imageTags,
  normalizeSourceUrl,
  parseBuildxMetadata,
  parseCliFlavor,
  parseDigestFile,
  parsePushDigest,
  registryCacheRef,
  registryHost,
  validatePushInput,
  type BuildRequest,
  type DockerCapabilities,
} from "../../../src/core/docker-args.js";

const BUILDX: DockerCapabilities = { flavor: "docker", buildx: true };
const PLAIN: DockerCapabilities = { flavor: "docker", buildx: false };
const PODMAN: DockerCapabilities = { flavor: "podman", buildx: false };
const SHA = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const REF = `r.example/app:${SHA}`;

const minimal: BuildRequest = { context: ".", refs: [REF], labels: [], buildArgs: [], cacheFrom: [] };
const full: BuildRequest = {
  context: "app",
  dockerfile: "app/Dockerfile.prod",
  refs: [REF, "r.example/app:latest"],
  labels: [["org.opencontainers.image.revision", SHA]],
  platform: "linux/amd64,linux/arm64",
  buildArgs: ["NODE_ENV=production", "TOKEN"],
  target: "runtime",
  cacheFrom: ["type=registry,ref=r.example/app:cache"],
  cacheTo: "type=registry,ref=r.example/app:cache,mode=max",
};

describe("buildBuildArgs", () => {
  it.each<[string, BuildRequest, DockerCapabilities, string[], boolean, number]>([
    ["plain minimal", minimal, PLAIN, ["build", "--tag", REF, "."], false, 0],
    ["buildx minimal pushes and writes metadata", minimal, BUILDX, ["buildx", "build", "--tag", REF, "--push", "--metadata-file", "/m.json", "."], true, 0],
    [
      "buildx passes every option as buildx expects",
      full,
      BUILDX,
      [
        "buildx", "build", "--file", "app/Dockerfile.prod", "--tag", REF, "--tag", "r.example/app:latest",
        "--label", `org.opencontainers.image.revision=${SHA}`, "--platform", "linux/amd64,linux/arm64",
        "--build-arg", "NODE_ENV", "--build-arg", "TOKEN", "--target", "runtime",
        "--cache-from", "type=registry,ref=r.example/app:cache", "--cache-to", "type=registry,ref=r.example/app:cache,mode=max",
        "--push", "--metadata-file", "/m.json", "app",
      ],
      true,
      0,
    ],
    [
      "plain docker: registry cache becomes an image ref, cache-to is dropped with a warning",
      full,
      PLAIN,
      [
        "build", "--file", "app/Dockerfile.prod", "--tag", REF, "--tag", "r.example/app:latest",
        "--label", `org.opencontainers.image.revision=${SHA}`, "--platform", "linux/amd64,linux/arm64",
        "--build-arg", "NODE_ENV", "--build-arg", "TOKEN", "--target", "runtime",
        "--cache-from", "r.example/app:cache", "app",
      ],
      false,
      1,
    ],
    [
      "podman takes a registry cache-to as a repository",
      full,
      PODMAN,
      [
        "build", "--file", "app/Dockerfile.prod", "--tag", REF, "--tag", "r.example/app:latest",
        "--label", `org.opencontainers.image.revision=${SHA}`, "--platform", "linux/amd64,linux/arm64",
        "--build-arg", "NODE_ENV", "--build-arg", "TOKEN", "--target", "runtime",
        "--cache-from", "r.example/app:cache", "--cache-to", "r.example/app:cache", "app",
      ],
      false,
      0,
    ],
    [
      "a non-registry cache is dropped without buildx",
      { ...minimal, cacheFrom: ["type=local,src=/tmp/cache"] },
      PODMAN,
      ["build", "--tag", REF, "."],
      false,
      1,
    ],
  ])("%s", (_name, request, capabilities, argv, pushes, warnings) => {
    const plan = buildBuildArgs(request, capabilities, "/m.json");
    expect(plan.argv).toEqual(argv);
    expect(plan.pushes).toBe(pushes);
    expect(plan.warnings).toHaveLength(warnings);
  });

  it.each([BUILDX, PLAIN, PODMAN])("a build argument's value goes to the environment, never argv (%j)", (capabilities) => {
    const plan = buildBuildArgs({ ...minimal, buildArgs: ["NPM_TOKEN=s3cr3t=x", "FROM_ENV"] }, capabilities);
    expect(plan.argv.join(" ")).not.toContain("s3cr3t");
    expect(plan.argv.join(" ")).toContain("--build-arg NPM_TOKEN --build-arg FROM_ENV");
    expect(plan.env).toEqual({ NPM_TOKEN: "s3cr3t=x" });
  });

  it.each<[DockerCapabilities, string[]]>([
    [PODMAN, ["--timestamp", "1700000000"]],
    [BUILDX, ["--build-arg", "SOURCE_DATE_EPOCH"]],
    [PLAIN, []],
  ])("the commit time makes timestamps reproducible (%j)", (capabilities, flags) => {
    const plan = buildBuildArgs({ ...minimal, sourceDateEpoch: 1700000000 }, capabilities);
    expect(plan.env).toEqual({ SOURCE_DATE_EPOCH: "1700000000" });
    const base = capabilities.buildx ? 2 : 1;
    expect(plan.argv.slice(base + 2, base + 2 + flags.length)).toEqual(flags);
  });
});

describe("cacheToProblem", () => {
  const ECR_REF = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cache:main";
  it.each<[string, DockerCapabilities & { cacheExport?: boolean }, RegExp | undefined]>([
    [`type=registry,ref=${ECR_REF},mode=max,image-manifest=true,oci-mediatypes=true`, { ...BUILDX, cacheExport: true }, undefined],
    [`type=registry,ref=${ECR_REF},mode=max`, { ...BUILDX, cacheExport: true }, /ECR stores a BuildKit cache only as an image manifest; use type=registry,ref=123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/cache:main,mode=max,image-manifest=true,oci-mediatypes=true/],
    [`type=registry,ref=${ECR_REF},image-manifest=true`, BUILDX, /oci-mediatypes=true/],
    ["type=registry,ref=r.example/cache:main,mode=max", BUILDX, undefined],
    ["type=gha", { ...BUILDX, cacheExport: false }, /"docker" driver, which cannot export a build cache/],
    ["type=registry,ref=r.example/cache:main", PLAIN, /docker without buildx cannot export a build cache/],
    ["type=registry,ref=r.example/cache:main", PODMAN, undefined],
    ["type=local,dest=/tmp/c", PODMAN, /podman exports a build cache only to a registry/],
  ])("%s with %j", (cacheTo, capabilities, problem) => {
    const found = cacheToProblem(cacheTo, capabilities);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe("registry hosts", () => {
  it.each([
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com", { account: "123456789012", region: "us-east-1" }],
    ["123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", { account: "123456789012", region: "us-gov-west-1" }],
    ["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", { account: "123456789012", region: "cn-north-1" }],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example", undefined],
    ["evil.example/123456789012.dkr.ecr.us-east-1.amazonaws.com", undefined],
    ["127.0.0.1:5000", undefined],
  ])("parseEcrHost(%s)", (host, parsed) => {
    expect(parseEcrHost(host)).toEqual(parsed);
  });
  it.each([
    ["127.0.0.1:5000", true],
    ["registry.local", true],
    ["[::1]:5000", true],
    ["http://127.0.0.1:5000", false],
    ["127.0.0.1:5000/path", false],
    ["a b", false],
    ["", false],
  ])("isRegistryHost(%s) → %s", (host, ok) => {
    expect(isRegistryHost(host)).toBe(ok);
  });
});

describe("isTagImmutable", () => {
  it.each<[string | undefined, string[], string, boolean]>([
    ["IMMUTABLE", [], "latest", true],
    ["MUTABLE", [], "latest", false],
    [undefined, [], "latest", false],
    ["IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "latest", false],
    ["IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "dev-42", false],
    ["IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "v1.2", true],
    ["IMMUTABLE_WITH_EXCLUSION", ["v1.*"], "v1x2", true],
    ["MUTABLE_WITH_EXCLUSION", ["release-*"], "release-1", true],
    ["MUTABLE_WITH_EXCLUSION", ["release-*"], "latest", false],
  ])("%s %j: %s → %s", (mutability, exclusionFilters, tag, immutable) => {
    expect(isTagImmutable({ mutability, exclusionFilters }, tag)).toBe(immutable);
  });
});

describe("registryCacheRef", () => {
  it.each([
    ["r.example/app:cache", "r.example/app:cache"],
    ["type=registry,ref=r.example/app:cache", "r.example/app:cache"],
    ["ref=r.example/app:cache,mode=max", "r.example/app:cache"],
    ["type=gha", undefined],
    ["type=local,dest=/tmp/c", undefined],
    ["type=registry", undefined],
  ])("%s → %s", (option, ref) => {
    expect(registryCacheRef(option)).toBe(ref);
  });
});

describe("login and push", () => {
  it("login reads the password from stdin and never carries it", () => {
    expect(buildLoginArgs("1.dkr.ecr.us-east-1.amazonaws.com", "AWS")).toEqual(["login", "--username", "AWS", "--password-stdin", "1.dkr.ecr.us-east-1.amazonaws.com"]);
  });
  it.each<[DockerCapabilities, string | undefined, string[]]>([
    [PLAIN, "/d", ["push", REF]],
    [BUILDX, "/d", ["push", REF]],
    [PODMAN, "/d", ["push", "--digestfile", "/d", REF]],
    [PODMAN, undefined, ["push", REF]],
  ])("push with %j and digest file %s", (capabilities, file, argv) => {
    expect(buildPushArgs(REF, capabilities, file)).toEqual(argv);
  });
});

describe("digests", () => {
  it.each([
    [`The push refers to repository [r.example/app]\n5f70bf18a086: Pushed\n${SHA}: digest: ${DIGEST} size: 528\n`, DIGEST],
    [`a: digest: sha256:${"00".repeat(32)} size: 1\nb: digest: ${DIGEST} size: 2`, DIGEST],
    ["Writing manifest to image destination\n", undefined],
    [`digest: sha256:short size: 1`, undefined],
  ])("parsePushDigest(%j)", (output, digest) => {
    expect(parsePushDigest(output)).toBe(digest);
  });
  it.each([
    [DIGEST, DIGEST],
    [`${DIGEST}\n`, DIGEST],
    ["", undefined],
    [`${DIGEST} extra`, undefined],
  ])("parseDigestFile(%j)", (text, digest) => {
    expect(parseDigestFile(text)).toBe(digest);
  });
  it.each([
    [JSON.stringify({ "containerimage.digest": DIGEST, "image.name": REF }), DIGEST],
    [JSON.stringify({ "buildx.build.ref": "x" }), undefined],
    ["not json", undefined],
    ["null", undefined],
  ])("parseBuildxMetadata(%s)", (text, digest) => {
    expect(parseBuildxMetadata(text)).toBe(digest);
  });
});

describe("parseCliFlavor", () => {
  it.each([
    ["Docker version 28.2.2, build e6534b4", "docker"],
    ["podman version 4.3.1", "podman"],
    ["nerdctl version 1.7.0", "docker"],
    ['time="2026-12-01T23:58:09Z" level=warning msg="The cgroupv2 manager is set to systemd but there is no systemd user session available"\npodman version 4.3.1', "podman"],
    ["WARN[0000] Using cgroups-v1 which is deprecated in favor of cgroups-v2\npodman version 4.3.1", "podman"],
  ])("%s → %s", (output, flavor) => {
    expect(parseCliFlavor(output)).toBe(flavor);
  });
});

describe("labels and tags", () => {
  it("OCI labels: revision, source, created in order", () => {
    expect(buildOciLabels(SHA, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), "git@github.com:acme/shop.git")).toEqual([
      ["org.opencontainers.image.revision", SHA],
      ["org.opencontainers.image.source", "https://github.com/acme/shop"],
      ["org.opencontainers.image.created", "2026-01-02T03:04:05.000Z"],
    ]);
    expect(buildOciLabels(SHA, new Date(0)).map(([key]) => key)).toEqual(["org.opencontainers.image.revision", "org.opencontainers.image.created"]);
  });
  it.each([
    ["git@github.com:acme/shop.git", "https://github.com/acme/shop"],
    ["ssh://git@bitbucket.org/acme/shop.git", "https://bitbucket.org/acme/shop"],
    ["https://github.com/acme/shop.git", "https://github.com/acme/shop"],
    ["https://github.com/acme/shop", "https://github.com/acme/shop"],
  ])("normalizeSourceUrl(%s)", (url, normalized) => {
    expect(normalizeSourceUrl(url)).toBe(normalized);
  });
  it("tags: SHA first, extra tags after, no duplicates", () => {
    expect(imageTags(SHA, ["latest", SHA, "main", "latest"])).toEqual([SHA, "latest", "main"]);
  });
});

describe("validatePushInput", () => {
  it("accepts a full SHA with good tags, build args and labels", () => {
    expect(validatePushInput({ sha: SHA, extraTags: ["latest", "v1.2.3"], buildArgs: ["A=1", "B"], labels: ["team=web"] })).toEqual([]);
  });
  it("lists every offender at once", () => {
    const problems = validatePushInput({ sha: "abc123", extraTags: ["ok", "bad tag", "-x"], buildArgs: ["=1"], labels: ["novalue"] });
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/--sha "abc123"/);
    expect(problems.join(" ")).toMatch(/"bad tag".*"-x".*"=…".*"novalue"/);
  });
  it("lets ordinary build arguments through (NODE_ENV, GOPROXY, HTTP_PROXY)", () => {
    expect(validatePushInput({ sha: SHA, extraTags: [], buildArgs: ["NODE_ENV=production", "GOPROXY=https://proxy.golang.org", "HTTP_PROXY=http://proxy:3128"], labels: [] })).toEqual([]);
  });
  it("names a bad build argument without its value", () => {
    expect(validatePushInput({ sha: SHA, extraTags: [], buildArgs: ["9LIVES=hunter2"], labels: [] })).toEqual([`--build-arg "9LIVES=…" must be NAME=VALUE`]);
  });
  it.each(["PATH=/evil", "DOCKER_HOST=tcp://evil:2375", "docker_config=/tmp", "LD_PRELOAD=/x.so", "AWS_ACCESS_KEY_ID=x", "SOURCE_DATE_EPOCH=1", "CONTAINERS_REGISTRIES_CONF=/x", "HOME"])(
    "refuses a build argument the CLI reads from its own environment: %s",
    (arg) => {
      const [problem] = validatePushInput({ sha: SHA, extraTags: [], buildArgs: [arg], labels: [] });
      expect(problem).toMatch(/docker and podman read that variable themselves/);
      expect(problem).not.toContain("=");
    },
  );
});

describe("ECR authorization data", () => {
  it.each([
    ["https://123456789012.dkr.ecr.us-east-1.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
    ["https://123456789012.dkr.ecr.us-east-1.amazonaws.com/", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
    ["127.0.0.1:5000", "127.0.0.1:5000"],
  ])("registryHost(%s)", (endpoint, host) => {
    expect(registryHost(endpoint)).toBe(host);
  });
  it("decodes AWS:<password>, keeping colons in the password", () => {
    expect(decodeAuthorizationToken(Buffer.from("AWS:pa:ss").toString("base64"))).toEqual({ username: "AWS", password: "pa:ss" });
    expect(decodeAuthorizationToken(Buffer.from("nocolon").toString("base64"))).toBeUndefined();
  });
});
