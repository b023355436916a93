/**
 * `ecs-release push` end to end: Debian's podman builds a FROM-scratch image (vfs storage, chroot
 * isolation, a temp storage root) and pushes it to a local docker-registry; the ECR API
 * (GetAuthorizationToken, DescribeImages, CreateRepository, PutImage) is the emulator's.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, ACCOUNT_ID } from "../helpers/emulator.js";
import { startRegistry, type LocalRegistry } from "../helpers/registry.js";
import { createRepository, putImage } from "../helpers/seed.js";

/** What moto's GetAuthorizationToken decodes to after `AWS:`. */
const PASSWORD = `${ACCOUNT_ID}-auth-token`;
const SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

const handle = useEmulator();
let registry: LocalRegistry;
let dir: string;
let env: () => Record<string, string>;

beforeAll(async () => {
  registry = await startRegistry();
  dir = await mkdtemp(join(tmpdir(), "ecs-release-push-"));
  await mkdir(join(dir, "app"));
  await writeFile(join(dir, "app", "hello.txt"), "hello\n");
  await writeFile(join(dir, "app", "Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
  await writeFile(join(dir, "app", "Broken.Dockerfile"), "FROM scratch\nCOPY does-not-exist.txt /\n");
  await writeFile(
    join(dir, "storage.conf"),
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, "storage")}"\nrunroot = "${join(dir, "run")}"\n`,
  );
  // Records each call's argv, the login's stdin, and every process's argv (what `ps` shows) while
  // the real podman runs; then passes podman's exit code on.
  await script(
    "record-podman",
    `#!/bin/sh
printf '%s\\n' "$*" >> "${dir}/calls"
if [ "$1" = login ]; then
  input=$(cat)
  printf '%s' "$input" > "${dir}/login-stdin"
  printf '%s\\n' "$input" | podman "$@" &
else
  podman "$@" < /dev/null &
fi
pid=$!
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null; echo; done >> "${dir}/ps"
wait $pid`,
  );
  await script("fail-if-called", `#!/bin/sh\ntouch "${dir}/docker-was-called"\necho "the docker CLI must not run" >&2\nexit 97`);
  await script(
    "reject-login",
    `#!/bin/sh\nif [ "$1" = login ]; then cat >/dev/null; echo "Error: logging into registry: invalid username/password" >&2; exit 125; fi\nexec podman "$@"`,
  );
  // A docker-flavoured CLI without buildx (what `docker` without the plugin answers), doing the work
  // with podman and printing the digest the way `docker push` does.
  await script(
    "docker-like",
    `#!/bin/sh
case "$1" in
  --version) echo "Docker version 28.2.2, build e6534b4" ;;
  buildx) echo "docker: unknown command: docker buildx" >&2; exit 1 ;;
  push)
    podman push --digestfile "${dir}/docker-like-digest" "$2" < /dev/null || exit $?
    echo "The push refers to repository [\${2%:*}]"
    echo "\${2##*:}: digest: $(cat "${dir}/docker-like-digest") size: 528" ;;
  *) exec podman "$@" ;;
esac`,
  );
  env = () => ({
    ...handle.env(),
    CONTAINERS_STORAGE_CONF: join(dir, "storage.conf"),
    CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
    BUILDAH_ISOLATION: "chroot",
    REGISTRY_AUTH_FILE: join(dir, "auth.json"),
  });
});

afterAll(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await handle.emulator.reset();
});

async function script(name: string, text: string): Promise<void> {
  await writeFile(join(dir, name), `${text}\n`);
  await chmod(join(dir, name), 0o755);
}

function pushArgs(repository: string, docker: string, ...more: string[]): string[] {
  return ["push", "--repository", repository, "--sha", SHA, "--context", join(dir, "app"), "--docker", join(dir, docker), "--registry", registry.host, "--json", ...more];
}

describe("ecs-release push", () => {
  it("builds with podman, pushes the SHA tag and extra tags, and reports the digest the registry serves", async () => {
    const clients = awsClients(handle.emulator);
    const run = await runCli(
      pushArgs("shop", "record-podman", "--create-repository", "--extra-tag", "latest", "--extra-tag", "main"),
      { ...env(), CIRCLE_REPOSITORY_URL: "git@github.com:acme/shop.git" },
    );
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { imageUri: string; tags: string[]; digest: string; skipped: boolean; createdRepository: boolean; cli: { flavor: string } };
    expect(result).toMatchObject({ imageUri: `${registry.host}/shop:${SHA}`, tags: [SHA, "latest", "main"], skipped: false, createdRepository: true, cli: { flavor: "podman" } });

    // The registry serves the manifest under every tag, and its digest is the one reported.
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const tag of [SHA, "latest", "main"]) expect(await registry.manifestDigest("shop", tag)).toBe(result.digest);
    const labels = await registry.imageLabels("shop", SHA);
    expect(labels["org.opencontainers.image.revision"]).toBe(SHA);
    expect(labels["org.opencontainers.image.source"]).toBe("https://github.com/acme/shop");
    expect(Date.parse(labels["org.opencontainers.image.created"] ?? "")).not.toBeNaN();

    // --create-repository made it scan on push with immutable tags.
    const repos = await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["shop"] }));
    expect(repos.repositories?.[0]).toMatchObject({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
    // The image went to the local registry, not to the emulator's ECR.
    await expect(clients.ecr.send(new DescribeImagesCommand({ repositoryName: "shop", imageIds: [{ imageTag: SHA }] }))).rejects.toMatchObject({ name: "ImageNotFoundException" });

    // The password reached the CLI on stdin only: never in argv, output, or any process's arguments.
    const calls = (await readFile(join(dir, "calls"), "utf8")).trim().split("\n");
    expect(calls).toContain(`login --username AWS --password-stdin ${registry.host}`);
    expect(calls.filter((call) => call.startsWith("push "))).toHaveLength(3);
    expect(await readFile(join(dir, "login-stdin"), "utf8")).toBe(PASSWORD);
    const processes = await readFile(join(dir, "ps"), "utf8");
    expect(processes).toContain("--password-stdin"); // the snapshot did see the login running
    expect(processes).not.toContain(PASSWORD);
    expect(calls.join("\n")).not.toContain(PASSWORD);
    expect(run.output).not.toContain(PASSWORD);
  });

  it("skips without running the docker CLI when the SHA tag is already in ECR, and adds missing extra tags there", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    const digest = await putImage(clients, "shop", SHA);
    const run = await runCli(pushArgs("shop", "fail-if-called", "--extra-tag", "stable"), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/skipped: .*shop:a1b2c3d4e5f6.* already exists/);
    expect(existsSync(join(dir, "docker-was-called"))).toBe(false);
    expect(JSON.parse(run.stdout)).toMatchObject({ skipped: true, digest, imageUri: `${registry.host}/shop:${SHA}`, tags: [SHA, "stable"] });
    const images = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "shop", imageIds: [{ imageTag: SHA }] }));
    expect(images.imageDetails?.[0]?.imageTags).toEqual(expect.arrayContaining([SHA, "stable"]));
    const log = await handle.emulator.callLog();
    expect(log.map((entry) => entry.operation)).not.toContain("GetAuthorizationToken");
  });

  it("with --force builds and pushes even though the tag is in ECR; a docker CLI's push output gives the digest", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "web");
    await putImage(clients, "web", SHA);
    const run = await runCli(pushArgs("web", "docker-like", "--force", "--extra-tag", "latest"), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/already exists; building again \(--force\)/);
    const result = JSON.parse(run.stdout) as { digest: string; skipped: boolean; cli: { flavor: string; buildx: boolean } };
    expect(result).toMatchObject({ skipped: false, cli: { flavor: "docker", buildx: false } });
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registry.manifestDigest("web", SHA)).toBe(result.digest);
    expect(await registry.manifestDigest("web", "latest")).toBe(result.digest);
  });

  it("takes the SHA from CIRCLE_SHA1, else from git rev-parse HEAD in the context", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    await putImage(clients, "shop", SHA);
    const base = ["push", "--repository", "shop", "--docker", join(dir, "fail-if-called"), "--json"];
    const fromCircle = await runCli(base, { ...env(), CIRCLE_SHA1: SHA });
    expect(fromCircle.code).toBe(0);
    expect(JSON.parse(fromCircle.stdout)).toMatchObject({ skipped: true, tags: [SHA] });

    const repo = join(dir, "git");
    await mkdir(repo, { recursive: true });
    const git = (...args: string[]): string => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, encoding: "utf8" }).trim();
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "one");
    const head = git("rev-parse", "HEAD");
    await putImage(clients, "shop", head);
    const fromGit = await runCli([...base, "--context", repo], env());
    expect(fromGit.code).toBe(0);
    expect(JSON.parse(fromGit.stdout)).toMatchObject({ skipped: true, tags: [head] });
    expect(existsSync(join(dir, "docker-was-called"))).toBe(false);
  });

  it("a failing build exits non-zero with the build's own error visible", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    const run = await runCli(pushArgs("shop", "record-podman", "--dockerfile", join(dir, "app", "Broken.Dockerfile")), env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/does-not-exist\.txt/);
    expect(run.stderr).toMatch(/error: .*build failed/);
    expect(run.output).not.toContain(PASSWORD);
  });

  it("a rejected registry login exits 3 and shows no password", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    const run = await runCli(pushArgs("shop", "reject-login"), env());
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/error: .*login .*invalid username\/password/);
    expect(run.output).not.toContain(PASSWORD);
  });

  it("bad input exits 2 with one line naming every offender, before any AWS call", async () => {
    const run = await runCli(["push", "--repository", "shop", "--sha", "abc123", "--extra-tag", "bad tag", "--docker", join(dir, "fail-if-called")], env());
    expect(run.code).toBe(2);
    const errors = run.stderr.split("\n").filter((line) => line.includes("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/--sha "abc123".*--extra-tag "bad tag"/);
    expect(await handle.emulator.callLog()).toEqual([]);
    expect(writeOperations(await handle.emulator.callLog())).toEqual([]);
  });
});
