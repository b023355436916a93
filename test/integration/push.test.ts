/**
 * `ecs-release push` end to end: Debian's podman builds a FROM-scratch image (vfs storage, chroot
 * isolation, a temp storage root) and pushes it to a local docker-registry, marked as a test
 * registry (--insecure-test-registry); the ECR API (GetAuthorizationToken, DescribeImages,
 * CreateRepository, PutImage) is the emulator's. A front before the registry calls the emulated
 * ECR's PutImage for every manifest pushed, as ECR's registry does, so ECR knows each pushed tag and
 * refuses to move an immutable one (test/helpers/registry.ts).
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, PutImageCommand } from "@aws-sdk/client-ecr";
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
  registry = await startRegistry({ ecr: awsClients(handle.emulator).ecr });
  dir = await mkdtemp(join(tmpdir(), "ecs-release-push-"));
  await mkdir(join(dir, "app"));
  await writeFile(join(dir, "app", "hello.txt"), "hello\n");
  await writeFile(join(dir, "app", "Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
  await writeFile(join(dir, "app", "Broken.Dockerfile"), "FROM scratch\nCOPY does-not-exist.txt /\n");
  await writeFile(join(dir, "app", "Args.Dockerfile"), "FROM scratch\nARG BUILD_NOTE\nLABEL note=$BUILD_NOTE\nCOPY hello.txt /hello.txt\n");
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
  // A docker CLI whose refused login echoes what it was given: the password and the registry auth
  // (base64 of AWS:password, what docker writes to its config). The positive control of every
  // "no password in the output" assertion: this output would show both unless ecs-release masks them.
  await script(
    "echo-login",
    `#!/bin/sh\nif [ "$1" = login ]; then input=$(cat); line="Error: logging in with password $input (auth $(printf 'AWS:%s' "$input" | base64 -w0)) was refused"; printf '%s\\n' "$line" > "${dir}/echoed"; echo "$line" >&2; exit 1; fi\nexec podman "$@"`,
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
  return ["push", "--repository", repository, "--sha", SHA, "--context", join(dir, "app"), "--docker", join(dir, docker), "--registry", registry.host, "--insecure-test-registry", "--json", ...more];
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
    // The registry told ECR (PutImage) about each tag, as ECR's registry does.
    const inEcr = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "shop", imageIds: [{ imageTag: SHA }] }));
    expect(inEcr.imageDetails?.[0]?.imageTags?.sort()).toEqual([SHA, "latest", "main"].sort());

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

  it("a login whose error echoes the password and the registry auth shows both masked, never in clear (also with --debug)", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    await rm(join(dir, "echoed"), { force: true });
    const run = await runCli(pushArgs("shop", "echo-login", "--debug"), env());
    const token = Buffer.from(`AWS:${PASSWORD}`).toString("base64");
    // The control: the CLI did print both secrets, and its line reached ecs-release's output.
    const echoed = await readFile(join(dir, "echoed"), "utf8");
    expect(echoed).toContain(PASSWORD);
    expect(echoed).toContain(token);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/error: .*login .*logging in with password \*{4} \(auth \*{4}\) was refused/);
    expect(run.output).not.toContain(PASSWORD);
    expect(run.output).not.toContain(token);
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

  it("an IMMUTABLE repository: an extra tag that already exists is left where it is, with one line, before anything is pushed (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html)", async () => {
    const clients = awsClients(handle.emulator);
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop", imageTagMutability: "IMMUTABLE" }));
    const older = await putImage(clients, "shop", "latest");
    await rm(join(dir, "calls"), { force: true });
    const run = await runCli(pushArgs("shop", "record-podman", "--extra-tag", "latest", "--extra-tag", "main"), env());
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    expect(run.stderr.split("\n").filter((line) => line.includes("not moving"))).toEqual([expect.stringMatching(/not moving latest: already in shop, whose tags are immutable/)]);
    expect(JSON.parse(run.stdout)).toMatchObject({ tags: [SHA, "main"], skipped: false });
    // Nothing tried to move latest: not in ECR, not in the registry.
    const calls = await readFile(join(dir, "calls"), "utf8");
    expect(calls).not.toMatch(/push .*:latest/);
    const latest = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "shop", imageIds: [{ imageTag: "latest" }] }));
    expect(latest.imageDetails?.[0]?.imageDigest).toBe(older);
    expect(await registry.manifestDigest("shop", "main")).toBe(await registry.manifestDigest("shop", SHA));
  });

  it("an IMMUTABLE repository: --force on an existing SHA tag is refused (exit 2) before the CLI runs or anything is written", async () => {
    const clients = awsClients(handle.emulator);
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "shop", imageTagMutability: "IMMUTABLE" }));
    await putImage(clients, "shop", SHA);
    const seeded = (await handle.emulator.callLog()).length;
    const run = await runCli(pushArgs("shop", "fail-if-called", "--force", "--extra-tag", "latest"), env());
    expect(run.code).toBe(2);
    const errors = run.stderr.split("\n").filter((line) => line.includes("error:"));
    expect(errors).toEqual([expect.stringMatching(/--force: shop:a1b2c3d4e5f6… already exists and the repository's tags are immutable \(IMMUTABLE\).*drop --force/)]);
    expect(existsSync(join(dir, "docker-was-called"))).toBe(false);
    expect(writeOperations((await handle.emulator.callLog()).slice(seeded))).toEqual([]);
  });

  it("a rebuild of the same commit is the same image: the created label and timestamps are the commit's time (SOURCE_DATE_EPOCH)", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "web");
    const first = await runCli(pushArgs("web", "record-podman"), { ...env(), SOURCE_DATE_EPOCH: "1700000000" });
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(pushArgs("web", "record-podman", "--force"), { ...env(), SOURCE_DATE_EPOCH: "1700000000" });
    expect(again.code, again.stderr).toBe(0);
    const [a, b] = [JSON.parse(first.stdout) as { digest: string }, JSON.parse(again.stdout) as { digest: string }];
    expect(b.digest).toBe(a.digest);
    expect((await registry.imageLabels("web", SHA))["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:20.000Z");
  }, 180_000); // two podman builds (vfs storage) on a shared machine: more than the default minute

  it("without SOURCE_DATE_EPOCH the created label is the commit's committer time, from git in the context", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "gitapp");
    const repo = join(dir, "git-app");
    await mkdir(repo, { recursive: true });
    await writeFile(join(repo, "Dockerfile"), "FROM scratch\nCOPY Dockerfile /Dockerfile\n");
    const git = (...args: string[]): string =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, GIT_COMMITTER_DATE: "2024-02-03T04:05:06Z", GIT_AUTHOR_DATE: "2024-02-03T04:05:06Z" },
      }).trim();
    git("init", "-q");
    git("add", "Dockerfile");
    git("commit", "-q", "-m", "one");
    const head = git("rev-parse", "HEAD");
    const run = await runCli(["push", "--repository", "gitapp", "--sha", head, "--context", repo, "--docker", join(dir, "record-podman"), "--registry", registry.host, "--insecure-test-registry"], env());
    expect(run.code, run.stderr).toBe(0);
    expect((await registry.imageLabels("gitapp", head))["org.opencontainers.image.created"]).toBe("2024-02-03T04:05:06.000Z");
  });

  it("--build-arg K=V: the value reaches the build through the environment, never argv (/proc/*/cmdline) or --debug output", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    await rm(join(dir, "calls"), { force: true });
    await rm(join(dir, "ps"), { force: true });
    const VALUE = "s3cr3t-build-value-7f1e";
    // As the orb passes it: ECS_RELEASE_BUILD_ARG, so that no argv on the machine carries the value.
    const run = await runCli(pushArgs("shop", "record-podman", "--dockerfile", join(dir, "app", "Args.Dockerfile"), "--debug"), { ...env(), ECS_RELEASE_BUILD_ARG: `BUILD_NOTE=${VALUE}` });
    expect(run.code, run.stderr).toBe(0);
    expect((await registry.imageLabels("shop", SHA))["note"]).toBe(VALUE); // it did arrive
    const calls = await readFile(join(dir, "calls"), "utf8");
    expect(calls).toMatch(/--build-arg BUILD_NOTE( |$)/m);
    expect(calls).not.toContain(VALUE);
    const processes = await readFile(join(dir, "ps"), "utf8");
    expect(processes).toMatch(/podman build .*--build-arg BUILD_NOTE /); // the snapshot saw the build running
    expect(processes).not.toContain(VALUE);
    expect(run.stderr).toMatch(/ debug: /);
    expect(run.output).not.toContain(VALUE);
  });

  it("--registry: the ECR login goes only to ECR; any other host without --insecure-test-registry is exit 2 before any AWS call", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    const base = ["push", "--repository", "shop", "--sha", SHA, "--context", join(dir, "app"), "--docker", join(dir, "fail-if-called")];
    const seeded = (await handle.emulator.callLog()).length;
    const other = await runCli([...base, "--registry", registry.host], env());
    expect(other.code).toBe(2);
    expect(other.stderr.split("\n").filter((line) => line.includes("error:"))).toEqual([
      expect.stringMatching(/--registry 127\.0\.0\.1:\d+ is not an ECR registry host .*add --insecure-test-registry/),
    ]);
    expect((await handle.emulator.callLog()).slice(seeded)).toEqual([]);
    // Another account's ECR host is refused once the login's host is known, before the login.
    await rm(join(dir, "calls"), { force: true });
    const foreign = await runCli([...base, "--docker", join(dir, "record-podman"), "--registry", "999999999999.dkr.ecr.us-east-1.amazonaws.com"], env());
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/error: --registry 999999999999\.dkr\.ecr\.us-east-1\.amazonaws\.com is not this account's ECR registry \(123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\)/);
    expect(await readFile(join(dir, "calls"), "utf8").catch(() => "")).not.toMatch(/^login/m);
    expect(writeOperations((await handle.emulator.callLog()).slice(seeded))).toEqual([]);
    expect(foreign.output).not.toContain(PASSWORD);
  });

  it("retagging keeps a multi-platform image's index: BatchGetImage accepts OCI image indexes and Docker manifest lists", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    const INDEX = "application/vnd.oci.image.index.v1+json";
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: ["amd64", "arm64"].map((architecture) => ({ mediaType: "application/vnd.oci.image.manifest.v1+json", size: 428, digest: `sha256:${architecture === "amd64" ? "a".repeat(64) : "b".repeat(64)}`, platform: { os: "linux", architecture } })),
    });
    const put = await clients.ecr.send(new PutImageCommand({ repositoryName: "shop", imageTag: SHA, imageManifest: index, imageManifestMediaType: INDEX }));
    const run = await runCli(pushArgs("shop", "fail-if-called", "--extra-tag", "stable"), env());
    expect(run.code, run.stderr).toBe(0);
    const stable = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: "shop", imageIds: [{ imageTag: "stable" }] }));
    expect(stable.imageDetails?.[0]).toMatchObject({ imageDigest: put.image?.imageId?.imageDigest, imageManifestMediaType: INDEX });
  });

  it("--cache-to that the builder cannot export is one clear error, exit 2, before anything is built or written (https://docs.docker.com/build/cache/backends/)", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "cached");
    // No buildx on this machine: a docker CLI whose buildx builder uses the "docker" driver, answering
    // what `docker buildx inspect` and `docker info` print there; any build or login is recorded.
    await script(
      "buildx-docker-driver",
      `#!/bin/sh
case "$1 $2" in
  "--version ") echo "Docker version 28.2.2, build e6534b4" ;;
  "buildx version") echo "github.com/docker/buildx v0.24.0 d0e5e86" ;;
  "buildx inspect") printf 'Name:          default\\nDriver:        docker\\n' ;;
  "info --format") echo '[["Backing Filesystem","extfs"]]' ;;
  *) touch "${dir}/docker-was-called"; exit 97 ;;
esac`,
    );
    const seeded = (await handle.emulator.callLog()).length;
    const cases: Array<[string, string, RegExp]> = [
      ["buildx-docker-driver", "type=registry,ref=123456789012.dkr.ecr.us-east-1.amazonaws.com/cache:main,mode=max,image-manifest=true,oci-mediatypes=true", /the current buildx builder uses the "docker" driver, which cannot export a build cache/],
      ["docker-like", "type=registry,ref=r.example/cache:main", /docker without buildx cannot export a build cache/],
      ["record-podman", "type=local,dest=/tmp/cache", /podman exports a build cache only to a registry/],
    ];
    for (const [docker, cacheTo, message] of cases) {
      const run = await runCli(pushArgs("cached", docker, "--cache-to", cacheTo), env());
      expect(run.code, run.stderr).toBe(2);
      const errors = run.stderr.split("\n").filter((line) => line.includes("error:"));
      expect(errors).toEqual([expect.stringMatching(message)]);
    }
    expect(existsSync(join(dir, "docker-was-called"))).toBe(false);
    expect(writeOperations((await handle.emulator.callLog()).slice(seeded))).toEqual([]);
    expect(await registry.manifestDigest("cached", SHA)).toBeUndefined();
  });
});
