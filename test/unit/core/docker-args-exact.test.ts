/**
 * docker-args.ts at its edges: the exact warnings of a plain build, build arguments without a value
 * or with an empty name, the reserved names one by one, and the parsers' anchors (a digest, a SHA, a
 * source URL, an endpoint, a podman version line).
 */
import { describe, expect, it } from "vitest";
import {
  buildBuildArgs,
  buildOciLabels,
  cacheToProblem,
  isReservedBuildArg,
  normalizeSourceUrl,
  parseBuildxMetadata,
  parseCliFlavor,
  parseDigestFile,
  parseEcrHost,
  parsePushDigest,
  registryCacheRef,
  registryHost,
  validatePushInput,
  decodeAuthorizationToken,
  type BuildRequest,
} from "../../../src/core/docker-args.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const request = (extra: Partial<BuildRequest> = {}): BuildRequest => ({ context: ".", refs: ["r:1"], labels: [], buildArgs: [], cacheFrom: [], ...extra });

describe("parseCliFlavor: a podman version line, at the start of a line", () => {
  it.each<[string, "docker" | "podman"]>([
    ["podman version 4.9.3", "podman"],
    ["WARN[0000] cgroupv2 manager\n  podman version 4.9.3", "podman"],
    ["Docker version 24.0.7 (not podman version 4)", "docker"],
    ["xpodman version 4", "docker"],
    ["podman versions", "docker"],
  ])("%j → %s", (output, flavor) => expect(parseCliFlavor(output)).toBe(flavor));
});

describe("buildBuildArgs: the edges", () => {
  it("a build argument without a value passes the caller's own; one with an empty value sets it empty; an empty name is still a name", () => {
    const plan = buildBuildArgs(request({ buildArgs: ["FROM_ENV", "EMPTY=", "=x"] }), { flavor: "docker", buildx: false });
    expect(plan.argv).toStrictEqual(["build", "--tag", "r:1", "--build-arg", "FROM_ENV", "--build-arg", "EMPTY", "--build-arg", "", "."]);
    expect(plan.env).toStrictEqual({ EMPTY: "", "": "x" });
  });

  it("SOURCE_DATE_EPOCH with docker without buildx: only the environment", () => {
    const plan = buildBuildArgs(request({ sourceDateEpoch: 1700000000 }), { flavor: "docker", buildx: false });
    expect(plan.argv).toStrictEqual(["build", "--tag", "r:1", "."]);
    expect(plan.env).toStrictEqual({ SOURCE_DATE_EPOCH: "1700000000" });
  });

  it("buildx without a metadata file: no --metadata-file", () => {
    expect(buildBuildArgs(request(), { flavor: "docker", buildx: true }).argv).toStrictEqual(["buildx", "build", "--tag", "r:1", "--push", "."]);
  });

  it.each<["docker" | "podman", string[], string[]]>([
    [
      "docker",
      ["build", "--tag", "r:1", "--cache-from", "r:cache", "."],
      ["--cache-from type=local,src=/tmp ignored: docker without buildx only reads image references (type=registry)", "--cache-to type=registry,ref=r:cache ignored: docker without buildx cannot export that cache (install buildx)"],
    ],
    [
      "podman",
      ["build", "--tag", "r:1", "--cache-from", "r:cache", "--cache-to", "r:cache", "."],
      ["--cache-from type=local,src=/tmp ignored: podman only reads image references (type=registry)"],
    ],
  ])("caches without buildx (%s): the exact warnings", (flavor, argv, warnings) => {
    const plan = buildBuildArgs(request({ cacheFrom: ["type=registry,ref=r:cache", "type=local,src=/tmp"], cacheTo: "type=registry,ref=r:cache" }), { flavor, buildx: false });
    expect(plan.argv).toStrictEqual(argv);
    expect(plan.warnings).toStrictEqual(warnings);
  });

  it("podman cannot export a local cache either", () => {
    expect(buildBuildArgs(request({ cacheTo: "type=local,dest=/tmp" }), { flavor: "podman", buildx: false }).warnings).toStrictEqual(["--cache-to type=local,dest=/tmp ignored: podman cannot export that cache"]);
  });
});

describe("cacheToProblem and registryCacheRef: the edges", () => {
  const buildx = { flavor: "docker" as const, buildx: true };
  const ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/cache:web";
  it.each<[string, string | undefined]>([
    [`type=registry,ref=${ecr},mode=max,image-manifest=true,oci-mediatypes=true`, undefined],
    [`type=registry, ref=${ecr} ,image-manifest=true,oci-mediatypes=true`, undefined],
    [`type=registry,ref=${ecr},image-manifest=true`, `--cache-to type=registry,ref=${ecr},image-manifest=true: ECR stores a BuildKit cache only as an image manifest; use type=registry,ref=${ecr},mode=max,image-manifest=true,oci-mediatypes=true`],
    [`type=registry,ref=${ecr},oci-mediatypes=true`, `--cache-to type=registry,ref=${ecr},oci-mediatypes=true: ECR stores a BuildKit cache only as an image manifest; use type=registry,ref=${ecr},mode=max,image-manifest=true,oci-mediatypes=true`],
    ["type=registry,ref=ghcr.io/acme/cache", undefined],
    ["type=local,dest=/tmp", undefined],
  ])("buildx: %s", (cacheTo, expected) => expect(cacheToProblem(cacheTo, buildx)).toBe(expected));

  it.each<[string, string | undefined]>([
    ["r:cache", "r:cache"],
    ["ref=r:cache", "r:cache"],
    ["type=registry,ref=", undefined],
    ["type=gha", undefined],
    ["type,ref=r:cache", undefined],
  ])("registryCacheRef(%j) → %s", (option, expected) => expect(registryCacheRef(option)).toBe(expected));
});

describe("the parsers' anchors", () => {
  it.each<[string, { account: string; region: string } | undefined]>([
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com", { account: "123456789012", region: "us-east-1" }],
    ["123456789012.dkr.ecr.ap-southeast-12.amazonaws.com", { account: "123456789012", region: "ap-southeast-12" }],
    ["123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com.cn", { account: "123456789012", region: "us-gov-west-1" }],
    ["x123456789012.dkr.ecr.us-east-1.amazonaws.com", undefined],
  ])("parseEcrHost(%s)", (host, expected) => expect(parseEcrHost(host)).toStrictEqual(expected));

  it("parsePushDigest: the last digest; spaces around it may be any", () => {
    expect(parsePushDigest(`latest: digest:${DIGEST}  size: 528`)).toBe(DIGEST);
    expect(parsePushDigest(`a: digest: sha256:${"b".repeat(64)} size: 1\nb: digest:  ${DIGEST}\tsize: 2`)).toBe(DIGEST);
    expect(parsePushDigest(`digest: ${DIGEST}size: 1`)).toBeUndefined();
  });

  it("parseDigestFile: the bare digest, a newline allowed, nothing else", () => {
    expect(parseDigestFile(`${DIGEST}\n`)).toBe(DIGEST);
    expect(parseDigestFile(`  ${DIGEST}`)).toBe(DIGEST);
    expect(parseDigestFile(`x${DIGEST}`)).toBeUndefined();
  });

  it.each<[string, string | undefined]>([
    [JSON.stringify({ "containerimage.digest": DIGEST }), DIGEST],
    [JSON.stringify({ "containerimage.digest": "sha256:short" }), undefined],
    [JSON.stringify({ "containerimage.digest": 7 }), undefined],
    ["null", undefined],
    ['"a string"', undefined],
    ["{", undefined],
  ])("parseBuildxMetadata(%s)", (text, expected) => expect(parseBuildxMetadata(text)).toBe(expected));

  it.each<[string, string]>([
    ["git@github.com:acme/web.git", "https://github.com/acme/web"],
    ["  ssh://git@github.com/acme/web/  ", "https://github.com/acme/web"],
    ["git@github.com:acme/web", "https://github.com/acme/web"],
    ["xgit@github.com:acme/web", "xgit@github.com:acme/web"],
    ["https://github.com/acme/web.git/", "https://github.com/acme/web"],
    ["https://github.com/acme/web.github.io", "https://github.com/acme/web.github.io"],
  ])("normalizeSourceUrl(%j) → %s", (url, expected) => expect(normalizeSourceUrl(url)).toBe(expected));

  it("buildOciLabels: an empty source is no source", () => {
    expect(buildOciLabels("abc", new Date(0), "").map(([key]) => key)).toStrictEqual(["org.opencontainers.image.revision", "org.opencontainers.image.created"]);
    expect(buildOciLabels("abc", new Date(0), " git@github.com:acme/web.git ")[1]).toStrictEqual(["org.opencontainers.image.source", "https://github.com/acme/web"]);
  });

  it.each<[string, string]>([
    ["https://123.dkr.ecr.us-east-1.amazonaws.com", "123.dkr.ecr.us-east-1.amazonaws.com"],
    ["HTTPS://host//", "host"],
    ["host/path/", "host/path"],
    ["1https://host", "1https://host"],
  ])("registryHost(%s) → %s", (endpoint, expected) => expect(registryHost(endpoint)).toBe(expected));

  it("decodeAuthorizationToken: a user before the first colon, none → undefined", () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    expect(decodeAuthorizationToken(b64("AWS:pa:ss"))).toStrictEqual({ username: "AWS", password: "pa:ss" });
    expect(decodeAuthorizationToken(b64(":password"))).toBeUndefined();
    expect(decodeAuthorizationToken(b64("A:"))).toStrictEqual({ username: "A", password: "" });
  });
});

describe("validatePushInput: the anchors and the reserved names", () => {
  it.each([`${"a".repeat(40)}`, `${"b".repeat(64)}`])("takes %s", (sha) => expect(validatePushInput({ sha, extraTags: [], buildArgs: [], labels: [] })).toStrictEqual([]));

  it.each([`x${"a".repeat(40)}`, `${"a".repeat(40)}x`, `x${"a".repeat(64)}`, `${"a".repeat(64)}x`, "a", "g".repeat(64)])("refuses the SHA %s", (sha) =>
    expect(validatePushInput({ sha, extraTags: [], buildArgs: [], labels: [] })).toStrictEqual([`--sha "${sha}" is not a full commit SHA (40 lowercase hex characters)`]),
  );

  it("the reserved build arguments, in words", () => {
    expect(validatePushInput({ sha: "a".repeat(40), extraTags: [], buildArgs: ["HOME=/x", "SOURCE_DATE_EPOCH=1"], labels: [" k=v", "k=v"] })).toStrictEqual([
      "--build-arg HOME: docker and podman read that variable themselves, and build arguments reach them through their environment; choose another name",
      "--build-arg SOURCE_DATE_EPOCH: docker and podman read that variable themselves, and build arguments reach them through their environment; choose another name (set SOURCE_DATE_EPOCH in the environment instead)",
      '--label " k=v" must be KEY=VALUE',
    ]);
  });

  it.each(["PATH", "home", "USER", "SHELL", "TMPDIR", "SOURCE_DATE_EPOCH", "REGISTRY_AUTH_FILE", "IFS", "GODEBUG", "GOTRACEBACK", "GOGC", "GOMAXPROCS", "GOMEMLIMIT", "DOCKER_HOST", "aws_profile", "SSL_CERT_FILE"])(
    "%s is reserved",
    (name) => expect(isReservedBuildArg(name)).toBe(true),
  );

  it.each(["APP_VERSION", "MY_DOCKER_HOST", "DOCKER", "PATHS", ""])("%j is not", (name) => expect(isReservedBuildArg(name)).toBe(false));
});
