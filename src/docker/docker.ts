import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildBuildArgs,
  buildLoginArgs,
  buildPushArgs,
  parseBuildxMetadata,
  parseCliFlavor,
  parseDigestFile,
  parsePushDigest,
  type BuildRequest,
  type DockerCapabilities,
} from "../core/docker-args.js";
import { AwsCallError, DeploymentFailedError, InterruptedError, ValidationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

/** How one CLI invocation ended. */
export interface DockerRun {
  readonly code: number;
  /** stdout and stderr interleaved, the last 64 KiB. */
  readonly output: string;
}

/** Runs the docker-compatible CLI. The only place ecs-release starts a process for images. */
export interface DockerCli {
  /** The program, as given by --docker. */
  readonly program: string;
  /**
   * Runs `program ...args`. `input` is written to stdin (the login password: never argv).
   * Output lines go to the log when `stream` is set (a build's own errors stay visible), else to debug.
   */
  run(args: readonly string[], options?: { input?: string; stream?: boolean; env?: Readonly<Record<string, string>> }): Promise<DockerRun>;
}

/** Options for {@link createDockerCli}. */
export interface DockerCliOptions {
  readonly program: string;
  /** The child's environment (podman reads STORAGE_DRIVER, BUILDAH_ISOLATION, CONTAINERS_REGISTRIES_CONF…). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

const KEEP = 64 * 1024;

/** Spawns the CLI without a shell: `program` is a path or a name on PATH, never split into words. */
export function createDockerCli(options: DockerCliOptions): DockerCli {
  const run = (args: readonly string[], runOptions: { input?: string; stream?: boolean; env?: Readonly<Record<string, string>> } = {}): Promise<DockerRun> =>
    new Promise((resolve, reject) => {
      if (options.signal.aborted) return reject(new InterruptedError(`interrupted before ${options.program} ${args[0] ?? ""}`));
      const child = spawn(options.program, [...args], {
        env: { ...options.env, ...runOptions.env } as NodeJS.ProcessEnv,
        stdio: [runOptions.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        shell: false,
      });
      let output = "";
      const pending: Record<"out" | "err", string> = { out: "", err: "" };
      const emit = (line: string): void => {
        if (line.trim() === "") return;
        if (runOptions.stream) options.log.info(`  ${line}`);
        else options.log.debug(`${options.program} ${args[0] ?? ""}: ${line}`);
      };
      const take = (stream: "out" | "err") => (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        output = (output + text).slice(-KEEP);
        const lines = (pending[stream] + text).split(/\r?\n|\r/);
        pending[stream] = lines.pop() ?? "";
        lines.forEach(emit);
      };
      child.stdout?.on("data", take("out"));
      child.stderr?.on("data", take("err"));
      const onAbort = (): void => {
        child.kill("SIGTERM");
      };
      options.signal.addEventListener("abort", onAbort, { once: true });
      child.on("error", (error: NodeJS.ErrnoException) => {
        options.signal.removeEventListener("abort", onAbort);
        if (error.code === "ENOENT") {
          reject(new ValidationError(`the docker CLI "${options.program}" was not found: install docker or podman, or pass --docker PATH`, { cause: error }));
        } else reject(error);
      });
      child.on("close", (code, signal) => {
        options.signal.removeEventListener("abort", onAbort);
        emit(pending.out);
        emit(pending.err);
        if (options.signal.aborted) return reject(new InterruptedError(`interrupted during ${options.program} ${args[0] ?? ""}`));
        resolve({ code: code ?? (signal ? 128 : 1), output });
      });
      if (child.stdin) {
        child.stdin.on("error", () => {}); // a CLI that exits before reading stdin must not crash us
        child.stdin.end(runOptions.input);
      }
    });
  return { program: options.program, run };
}

/** Asks the CLI what it is: docker or podman (`--version`), and for docker whether buildx works. */
export async function detectCapabilities(cli: DockerCli): Promise<DockerCapabilities> {
  const version = await cli.run(["--version"]);
  if (version.code !== 0) {
    throw new ValidationError(`"${cli.program} --version" failed (exit ${version.code}): ${lastLine(version.output)}; pass a docker-compatible CLI with --docker`);
  }
  const flavor = parseCliFlavor(version.output);
  if (flavor === "podman") return { flavor, buildx: false };
  const buildx = await cli.run(["buildx", "version"]);
  return { flavor, buildx: buildx.code === 0 };
}

/**
 * Whether the current buildx builder can export a build cache: every driver but `docker` can, and
 * `docker` too when the daemon uses the containerd image store
 * (https://docs.docker.com/build/cache/backends/: "The default docker driver supports the inline,
 * local, registry, and gha cache backends, but only if you have enabled the containerd image store").
 */
export async function canExportCache(cli: DockerCli): Promise<boolean> {
  const inspect = await cli.run(["buildx", "inspect"]);
  const driver = /^Driver:\s*(\S+)/m.exec(inspect.output)?.[1];
  if (inspect.code !== 0 || driver === undefined) return true; // let buildx itself say what is wrong
  if (driver !== "docker") return true;
  const info = await cli.run(["info", "--format", "{{json .DriverStatus}}"]);
  return info.code === 0 && info.output.includes("io.containerd.snapshotter");
}

/** `login --password-stdin`; a refused login is an AWS call failure (exit 3) naming the registry. */
export async function loginRegistry(cli: DockerCli, host: string, username: string, password: string): Promise<void> {
  const result = await cli.run(buildLoginArgs(host, username), { input: `${password}\n` });
  if (result.code !== 0) {
    throw new AwsCallError(`${cli.program} login`, host, `exit ${result.code}: ${lastLine(result.output)}`);
  }
}

/** Builds (and with buildx also pushes) the image; returns the pushed digest when buildx reported it. */
export async function buildImage(cli: DockerCli, request: BuildRequest, capabilities: DockerCapabilities, log: Logger): Promise<{ digest: string | undefined; pushed: boolean }> {
  return withTempDir(async (dir) => {
    const metadataFile = join(dir, "metadata.json");
    const plan = buildBuildArgs(request, capabilities, metadataFile);
    for (const warning of plan.warnings) log.warn(warning);
    log.debug(`${cli.program} ${plan.argv.join(" ")}`);
    const result = await cli.run(plan.argv, { stream: true, env: plan.env });
    if (result.code !== 0) {
      throw new DeploymentFailedError(`${cli.program} ${capabilities.buildx ? "buildx build" : "build"} failed (exit ${result.code}): ${lastLine(result.output)}`);
    }
    const digest = plan.pushes ? parseBuildxMetadata(await readFile(metadataFile, "utf8").catch(() => "")) : undefined;
    return { digest, pushed: plan.pushes };
  });
}

/** Pushes one reference; returns the digest the registry stored, when the CLI told it. */
export async function pushImage(cli: DockerCli, ref: string, capabilities: DockerCapabilities): Promise<string | undefined> {
  return withTempDir(async (dir) => {
    const digestFile = join(dir, "digest");
    const result = await cli.run(buildPushArgs(ref, capabilities, digestFile), { stream: true });
    if (result.code !== 0) {
      throw new AwsCallError(`${cli.program} push`, ref, `exit ${result.code}: ${lastLine(result.output)}`);
    }
    if (capabilities.flavor === "podman") return parseDigestFile(await readFile(digestFile, "utf8").catch(() => ""));
    return parsePushDigest(result.output);
  });
}

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "ecs-release-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function lastLine(output: string): string {
  const lines = output.split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== "");
  return lines.at(-1) ?? "no output";
}
