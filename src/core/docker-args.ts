/**
 * Argument vectors for a docker-compatible CLI (docker with or without buildx, podman), built as
 * plain data so they can be table-tested. Nothing here runs a process: src/docker/docker.ts does.
 * Values never appear in these vectors: `login` reads the password from stdin, and a build
 * argument's value travels in the child's environment (`--build-arg K`, which docker and podman read
 * from their environment: https://docs.docker.com/reference/cli/docker/buildx/build/#build-arg),
 * because any process's argv is readable by every user of the machine (/proc/PID/cmdline).
 */

/** Which CLI answers to `--docker`, and whether it has buildx. */
export interface DockerCapabilities {
  readonly flavor: "docker" | "podman";
  /** `docker buildx version` works: build with `buildx build --push`. */
  readonly buildx: boolean;
}

/** What to build, independent of the CLI. */
export interface BuildRequest {
  readonly context: string;
  readonly dockerfile?: string;
  /** Full image references (`host/repository:tag`); the first is the commit's SHA tag. */
  readonly refs: readonly string[];
  /** Labels in order, as [key, value]. */
  readonly labels: readonly (readonly [string, string])[];
  readonly platform?: string;
  /** `K=V` (or `K`, which docker reads from its own environment). */
  readonly buildArgs: readonly string[];
  readonly target?: string;
  /** buildx cache sources (`type=registry,ref=…`, or a bare image reference). */
  readonly cacheFrom: readonly string[];
  /** A buildx cache destination. */
  readonly cacheTo?: string;
  /**
   * The commit time (Unix seconds) for reproducible timestamps: podman `--timestamp`, buildx and
   * BuildKit `SOURCE_DATE_EPOCH` (https://docs.docker.com/build/ci/github-actions/reproducible-builds/).
   */
  readonly sourceDateEpoch?: number;
}

/** The build command line and what it does beyond building. */
export interface BuildPlan {
  readonly argv: readonly string[];
  /** True when the build also pushes every ref (buildx `--push`); else push each ref after. */
  readonly pushes: boolean;
  /** Options dropped because this CLI cannot take them, one sentence each. */
  readonly warnings: readonly string[];
  /** Variables for the child's environment: the build arguments' values (never in argv). */
  readonly env: Readonly<Record<string, string>>;
}

/** OCI annotation keys written as image labels. */
export const OCI_LABEL = {
  revision: "org.opencontainers.image.revision",
  source: "org.opencontainers.image.source",
  created: "org.opencontainers.image.created",
} as const;

/**
 * Tells docker from podman by `<cli> --version`: a line `podman version X` (podman may print warnings
 * before it, e.g. about cgroups or its storage, on a busy or unusual machine); anything else counts as
 * docker-compatible.
 */
export function parseCliFlavor(versionOutput: string): DockerCapabilities["flavor"] {
  return /^\s*podman version\b/im.test(versionOutput) ? "podman" : "docker";
}

/**
 * The build command. With buildx: `buildx build … --push --metadata-file FILE` (multi-platform and
 * registry caches work; the digest comes from the metadata file). Otherwise plain `build` with every
 * tag; the caller pushes each ref. Cache options a plain build cannot use are dropped with a warning.
 */
export function buildBuildArgs(request: BuildRequest, capabilities: DockerCapabilities, metadataFile?: string): BuildPlan {
  const warnings: string[] = [];
  const env: Record<string, string> = {};
  const argv: string[] = capabilities.buildx ? ["buildx", "build"] : ["build"];
  if (request.dockerfile !== undefined) argv.push("--file", request.dockerfile);
  for (const ref of request.refs) argv.push("--tag", ref);
  for (const [key, value] of request.labels) argv.push("--label", `${key}=${value}`);
  if (request.platform !== undefined) argv.push("--platform", request.platform);
  for (const arg of request.buildArgs) {
    const at = arg.indexOf("=");
    const name = at < 0 ? arg : arg.slice(0, at);
    if (at >= 0) env[name] = arg.slice(at + 1);
    argv.push("--build-arg", name);
  }
  if (request.target !== undefined) argv.push("--target", request.target);
  if (request.sourceDateEpoch !== undefined) {
    // podman 4 has --timestamp (created time of the image and its files); BuildKit reads the
    // SOURCE_DATE_EPOCH build argument, and buildx passes the variable on from its environment.
    env["SOURCE_DATE_EPOCH"] = String(request.sourceDateEpoch);
    if (capabilities.flavor === "podman") argv.push("--timestamp", String(request.sourceDateEpoch));
    else if (capabilities.buildx) argv.push("--build-arg", "SOURCE_DATE_EPOCH");
  }

  if (capabilities.buildx) {
    for (const source of request.cacheFrom) argv.push("--cache-from", source);
    if (request.cacheTo !== undefined) argv.push("--cache-to", request.cacheTo);
    argv.push("--push");
    if (metadataFile !== undefined) argv.push("--metadata-file", metadataFile);
  } else {
    const without = capabilities.flavor === "podman" ? "podman" : "docker without buildx";
    for (const source of request.cacheFrom) {
      const ref = registryCacheRef(source);
      if (ref === undefined) warnings.push(`--cache-from ${source} ignored: ${without} only reads image references (type=registry)`);
      else argv.push("--cache-from", ref);
    }
    if (request.cacheTo !== undefined) {
      const ref = capabilities.flavor === "podman" ? registryCacheRef(request.cacheTo) : undefined;
      if (ref === undefined) warnings.push(`--cache-to ${request.cacheTo} ignored: ${without} cannot export that cache${capabilities.flavor === "podman" ? "" : " (install buildx)"}`);
      else argv.push("--cache-to", ref);
    }
  }
  argv.push(request.context);
  return { argv, pushes: capabilities.buildx, warnings, env };
}

/**
 * Why this builder cannot honour `--cache-to`, or undefined when it can. Docker without buildx exports
 * no cache; podman only to a registry (an image reference); buildx's `docker` driver only with the
 * containerd image store (https://docs.docker.com/build/cache/backends/). ECR takes a BuildKit registry
 * cache only as one image manifest with OCI media types (`image-manifest=true,oci-mediatypes=true`,
 * https://aws.amazon.com/blogs/containers/announcing-remote-cache-support-in-amazon-ecr-for-buildkit-clients/).
 */
export function cacheToProblem(cacheTo: string, capabilities: DockerCapabilities & { readonly cacheExport?: boolean }): string | undefined {
  if (capabilities.flavor === "podman") {
    return registryCacheRef(cacheTo) === undefined ? `--cache-to ${cacheTo}: podman exports a build cache only to a registry (type=registry,ref=IMAGE or an image reference)` : undefined;
  }
  if (!capabilities.buildx) return `--cache-to ${cacheTo}: docker without buildx cannot export a build cache; install the buildx plugin, or drop --cache-to`;
  if (capabilities.cacheExport === false) {
    return `--cache-to ${cacheTo}: the current buildx builder uses the "docker" driver, which cannot export a build cache; create one that can (docker buildx create --use --driver docker-container), or drop --cache-to`;
  }
  const fields = cacheFields(cacheTo);
  const ref = registryCacheRef(cacheTo);
  if (ref !== undefined && parseEcrHost(ref.split("/")[0] ?? "") !== undefined && (fields.get("image-manifest") !== "true" || fields.get("oci-mediatypes") !== "true")) {
    return `--cache-to ${cacheTo}: ECR stores a BuildKit cache only as an image manifest; use type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`;
  }
  return undefined;
}

function cacheFields(option: string): Map<string, string> {
  return new Map(
    option.split(",").map((field) => {
      const at = field.indexOf("=");
      return at < 0 ? ([field.trim(), ""] as const) : ([field.slice(0, at).trim(), field.slice(at + 1).trim()] as const);
    }),
  );
}

/** An ECR registry host (`ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`) → account and region; anything else → undefined. */
export function parseEcrHost(host: string): { account: string; region: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(host.toLowerCase());
  return match ? { account: match[1] as string, region: match[2] as string } : undefined;
}

/** A registry host for a test registry: `name[:port]` or `[v6]:port`, nothing else (no scheme, no path). */
export function isRegistryHost(host: string): boolean {
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host);
}

/** A repository's tag mutability as DescribeRepositories reports it. */
export interface TagMutability {
  readonly mutability: string | undefined;
  /** The WILDCARD exclusion filters (`*` = any run of characters). */
  readonly exclusionFilters: readonly string[];
}

/**
 * Whether ECR refuses to move `tag` once it exists: IMMUTABLE, IMMUTABLE_WITH_EXCLUSION unless an
 * exclusion filter matches, MUTABLE_WITH_EXCLUSION when one does
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
 */
export function isTagImmutable(repository: TagMutability, tag: string): boolean {
  const excluded = repository.exclusionFilters.some((filter) => new RegExp(`^${filter.split("*").map(escapeRegExp).join(".*")}$`).test(tag));
  switch (repository.mutability) {
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
    default:
      return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The image reference of a cache option: `type=registry,ref=X[,…]` → X, a bare reference → itself,
 * any other type (local, gha, s3, inline…) → undefined.
 */
export function registryCacheRef(option: string): string | undefined {
  if (!option.includes("=")) return option;
  const fields = cacheFields(option);
  if ((fields.get("type") ?? "registry") !== "registry") return undefined;
  return fields.get("ref") || undefined;
}

/** `login --username USER --password-stdin HOST`: the password goes to stdin, never into argv. */
export function buildLoginArgs(host: string, username: string): string[] {
  return ["login", "--username", username, "--password-stdin", host];
}

/** `push REF`; podman writes the pushed manifest's digest to `digestFile` (docker prints it instead). */
export function buildPushArgs(ref: string, capabilities: DockerCapabilities, digestFile?: string): string[] {
  return capabilities.flavor === "podman" && digestFile !== undefined ? ["push", "--digestfile", digestFile, ref] : ["push", ref];
}

const DIGEST = /sha256:[0-9a-f]{64}/;

/** The digest `docker push` prints (`abc: digest: sha256:… size: 528`), the last one when several. */
export function parsePushDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/digest:\s*(sha256:[0-9a-f]{64})\s+size:/g)];
  return matches.at(-1)?.[1];
}

/** The digest in podman's `--digestfile` (the bare digest, possibly with a newline). */
export function parseDigestFile(text: string): string | undefined {
  const match = DIGEST.exec(text.trim());
  return match && text.trim() === match[0] ? match[0] : undefined;
}

/** The pushed digest from buildx's `--metadata-file` JSON (`containerimage.digest`). */
export function parseBuildxMetadata(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const digest = (parsed as Record<string, unknown>)["containerimage.digest"];
  return typeof digest === "string" && DIGEST.test(digest) ? digest : undefined;
}

/** The OCI labels for a commit: revision, source (when known) and created, in that order. */
export function buildOciLabels(revision: string, created: Date, source?: string): Array<[string, string]> {
  const labels: Array<[string, string]> = [[OCI_LABEL.revision, revision]];
  if (source !== undefined && source !== "") labels.push([OCI_LABEL.source, normalizeSourceUrl(source)]);
  labels.push([OCI_LABEL.created, created.toISOString()]);
  return labels;
}

/**
 * A repository URL fit for `org.opencontainers.image.source`: CircleCI's SSH form
 * (`git@github.com:org/repo.git`) becomes `https://github.com/org/repo`; a trailing `.git` goes.
 */
export function normalizeSourceUrl(url: string): string {
  const trimmed = url.trim();
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(?:\.git)?\/?$/.exec(trimmed);
  if (ssh) return `https://${ssh[1]}/${ssh[2]}`;
  return trimmed.replace(/\.git\/?$/, "");
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** What `push` was asked for, checked before anything runs. */
export interface PushInput {
  readonly sha: string;
  readonly extraTags: readonly string[];
  readonly buildArgs: readonly string[];
  readonly labels: readonly string[];
}

/** Every problem with the input, one phrase each (empty when fine). */
export function validatePushInput(input: PushInput): string[] {
  const problems: string[] = [];
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(input.sha)) {
    problems.push(`--sha "${input.sha}" is not a full commit SHA (40 lowercase hex characters)`);
  }
  for (const tag of input.extraTags) {
    if (!TAG.test(tag)) problems.push(`--extra-tag "${tag}" is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`);
  }
  for (const arg of input.buildArgs) {
    const name = /^[A-Za-z_][A-Za-z0-9_]*(?==|$)/.exec(arg)?.[0];
    if (name === undefined) problems.push(`--build-arg "${arg.split("=")[0]}=…" must be NAME=VALUE`);
    else if (isReservedBuildArg(name)) {
      problems.push(`--build-arg ${name}: docker and podman read that variable themselves, and build arguments reach them through their environment; choose another name${name === "SOURCE_DATE_EPOCH" ? " (set SOURCE_DATE_EPOCH in the environment instead)" : ""}`);
    }
  }
  for (const label of input.labels) {
    if (!/^[^=\s]+=/.test(label)) problems.push(`--label "${label}" must be KEY=VALUE`);
  }
  return problems;
}

/**
 * Names a build argument cannot have, because its value goes into the CLI's own environment: what
 * docker, buildx, podman, buildah and their credential helpers read there (and SOURCE_DATE_EPOCH,
 * which push sets from the commit time).
 */
export function isReservedBuildArg(name: string): boolean {
  const upper = name.toUpperCase();
  return (
    ["PATH", "HOME", "USER", "SHELL", "TMPDIR", "SOURCE_DATE_EPOCH", "REGISTRY_AUTH_FILE", "IFS", "GODEBUG", "GOTRACEBACK", "GOGC", "GOMAXPROCS", "GOMEMLIMIT"].includes(upper) ||
    /^(DOCKER|BUILDX|BUILDKIT|CONTAINERS|CONTAINER|BUILDAH|PODMAN|STORAGE|XDG|LD|AWS|SSL)_/.test(upper)
  );
}

/** `--label K=V` → ["K", "V"] (validated by validatePushInput first). */
export function splitLabel(label: string): [string, string] {
  const at = label.indexOf("=");
  return [label.slice(0, at), label.slice(at + 1)];
}

/** The image tags of a push: the SHA first, then the extra tags, without duplicates. */
export function imageTags(sha: string, extraTags: readonly string[]): string[] {
  return [...new Set([sha, ...extraTags])];
}

/** The registry host of ECR's proxyEndpoint (`https://123.dkr.ecr.us-east-1.amazonaws.com` → host). */
export function registryHost(endpoint: string): string {
  return endpoint.replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
}

/** Splits ECR's base64 authorization token (`AWS:<password>`) into user and password. */
export function decodeAuthorizationToken(token: string): { username: string; password: string } | undefined {
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const at = decoded.indexOf(":");
  if (at <= 0) return undefined;
  return { username: decoded.slice(0, at), password: decoded.slice(at + 1) };
}
