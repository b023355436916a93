/**
 * Hostile input (issue 7): a table of bad flags, variables, durations, templates, SSM names and
 * values, regions, credentials, revisions and oversized task definitions across every command.
 * Each must exit with its status (2: bad input, found before any write), print exactly one error
 * line that says what to do (no stack trace, no "this is a bug"), and — per the emulator's call
 * log — write nothing to AWS.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { CreateRepositoryCommand } from "@aws-sdk/client-ecr";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { awsClients, useEmulator, writeOperations, type AwsClients } from "../helpers/emulator.js";
import { putImage, putParameters, SEED_SHAS, seedPlatform } from "../helpers/seed.js";

const handle = useEmulator();
let clients: AwsClients;
let seeded = 0;
const dir = mkdtempSync(join(tmpdir(), "ecs-release-hostile-"));
const emptyHome = mkdtempSync(join(tmpdir(), "ecs-release-home-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyHome, { recursive: true, force: true });
});
const [, SHA_B] = SEED_SHAS;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const RELEASE = ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B];

interface Case {
  readonly name: string;
  readonly args: readonly string[] | (() => string[]);
  /** Variables added to (or, with undefined, removed from) the emulator's environment. */
  readonly env?: Record<string, string | undefined>;
  /** Extra AWS state for this case (after the seed). */
  readonly setup?: () => Promise<void>;
  readonly message: RegExp;
  readonly code?: number;
}

const CASES: Case[] = [
  // --- the command line and the environment
  { name: "an unknown command", args: ["deploy"], message: /unknown command "deploy": use one of .*release/ },
  { name: "an unknown flag", args: [...RELEASE, "--servce", "web"], message: /unknown flag --servce: did you mean --service\?/ },
  { name: "a positional argument", args: [...RELEASE, "web"], message: /unexpected argument "web"/ },
  { name: "required flags missing", args: ["release", "--cluster", "prod"], message: /missing required flags: --service \(or ECS_RELEASE_SERVICE\), --ssm-path/ },
  { name: "a flag without its value", args: ["status", "--cluster"], message: /flag --cluster needs a value/ },
  { name: "a duration that is not one", args: [...RELEASE, "--timeout", "soon"], message: /--timeout "soon" is not a duration: use a number with a unit, e.g. 90s, 15m or 1h/ },
  { name: "a negative poll interval", args: [...RELEASE, "--poll-interval", "-5s"], message: /flag --poll-interval needs a value \(to give one that starts with "-", write --poll-interval=VALUE\)/ },
  { name: "a negative poll interval, written with =", args: [...RELEASE, "--poll-interval=-5s"], message: /--poll-interval "-5s" is not a duration/ },
  { name: "a zero timeout", args: [...RELEASE, "--timeout", "0s"], message: /--timeout must be longer than 0/ },
  { name: "a duration in a variable", args: RELEASE, env: { ECS_RELEASE_TIMEOUT: "banana" }, message: /ECS_RELEASE_TIMEOUT "banana" is not a duration: use a number with a unit/ },
  { name: "a boolean variable that is neither", args: RELEASE, env: { ECS_RELEASE_DRY_RUN: "maybe" }, message: /ECS_RELEASE_DRY_RUN must be true or false, not "maybe"/ },
  { name: "an integer flag that is not one", args: ["history", "--family", "web", "--limit", "lots"], message: /--limit must be a whole number/ },
  { name: "prune --keep negative", args: ["prune", "--family", "web", "--keep=-1"], message: /--keep must be a whole number, not "-1"/ },
  // --- release's own inputs
  { name: "a relative SSM path", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "platform/prod", "--repository", "platform", "--sha", SHA_B], message: /--ssm-path "platform\/prod" must be an absolute parameter path/ },
  { name: "both --repository and --image", args: [...RELEASE, "--image", "nginx:1"], message: /pass exactly one of --repository/ },
  { name: "--secure-strings of another kind", args: [...RELEASE, "--secure-strings", "plaintext"], message: /--secure-strings must be "secretsmanager", "environment" or "secrets"/ },
  { name: "--env with an invalid name", args: [...RELEASE, "--env", "1BAD=x", "--env", "NOEQUALS"], message: /--env: "NOEQUALS" is not NAME=VALUE; "1BAD" is not a valid variable name|--env: .*1BAD.*NOEQUALS|--env: .*NOEQUALS.*1BAD/ },
  { name: "a template file that does not exist", args: [...RELEASE, "--template", join(dir, "nope.json")], message: /--template .*nope\.json: cannot read .*: no such file/ },
  { name: "a template that is neither JSON nor YAML", args: () => [...RELEASE, "--template", file("garbage.json", "{ not json")], message: /template .*garbage\.json is neither valid JSON nor YAML/ },
  { name: "a template without containers", args: () => [...RELEASE, "--template", file("empty.json", '{"family": "web"}')], message: /is not a task definition: it has no "containerDefinitions"/ },
  {
    name: "a template whose environment is not a list",
    args: () => [...RELEASE, "--template", file("env.json", JSON.stringify({ family: "web", containerDefinitions: [{ name: "app", image: "x", environment: "A=1" }] }))],
    message: /container "app" has a "environment" that is not a list/,
  },
  { name: "a template for a family no service runs", args: () => [...RELEASE, "--template", `nope=${file("t.json", JSON.stringify({ family: "nope", containerDefinitions: [{ name: "app", image: "x" }] }))}`], message: /--template nope=…: no service given runs that family/ },
  { name: "a container that does not exist", args: [...RELEASE, "--container", "nope"], message: /has no container "nope"/ },
  { name: "a cluster that does not exist", args: ["release", "--cluster", "nope", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", SHA_B], message: /cluster "nope" not found in us-east-1/ },
  { name: "a service that does not exist", args: [...RELEASE, "--service", "ghost"], message: /service not found in cluster prod: ghost/ },
  { name: "an image that is not in ECR", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", "f".repeat(40)], message: /is not in ECR: the build job may not have run/ },
  { name: "an ECR repository that does not exist", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "nope", "--sha", SHA_B], message: /ECR repository "nope" does not exist \(check --repository and the region\)/ },
  { name: "an SSM path with no parameters", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/none", "--repository", "platform", "--sha", SHA_B], message: /no SSM parameters under \/platform\/none/ },
  {
    name: "SSM names that are no variable names, and two that collide",
    args: RELEASE,
    setup: async () => void (await putParameters(clients, "/platform/prod", { "bad-name": "x", "9lives": "y", "a/b": "1", a_b: "2" })),
    message: /invalid environment variable names: .*bad-name.*9lives|invalid environment variable names: .*9lives.*bad-name/,
  },
  {
    name: "SSM values that make the task definition too big",
    args: RELEASE,
    setup: async () => {
      const big: Record<string, string> = {};
      for (let i = 0; i < 18; i++) big[`BIG_${i}`] = "x".repeat(4000);
      await putParameters(clients, "/platform/prod", big);
    },
    message: /over ECS's limit of 65536 bytes/,
  },
  // --- issue 14: every value that reaches AWS is checked before the first write
  { name: "--ssm-path / (every parameter of the Region)", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/", "--repository", "platform", "--sha", SHA_B], message: /--ssm-path "\/" is the root of Parameter Store: .*name the environment's path/ },
  { name: "--ssm-path //", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "//", "--repository", "platform", "--sha", SHA_B], message: /--ssm-path "\/\/" is the root of Parameter Store/ },
  { name: "--ssm-path with an empty segment", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform//prod", "--repository", "platform", "--sha", SHA_B], message: /--ssm-path "\/platform\/\/prod" is not a parameter path/ },
  { name: "--poll-interval past Node's timer limit", args: [...RELEASE, "--poll-interval", "1000h"], message: /--poll-interval "1000h" is longer than the longest allowed, 24h/ },
  { name: "--timeout over 24h, in a variable", args: RELEASE, env: { ECS_RELEASE_TIMEOUT: "25h" }, message: /ECS_RELEASE_TIMEOUT "25h" is longer than the longest allowed, 24h/ },
  { name: "a 300-character --sha", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--repository", "platform", "--sha", "a".repeat(300)], message: /--sha "a{60}…" is not a commit SHA: 7 to 40 hex digits/ },
  { name: "an --image with a newline", args: ["release", "--cluster", "prod", "--service", "web", "--ssm-path", "/platform/prod", "--image", "nginx:1\nevil"], message: /--image: image "nginx:1\\nevil" has characters ECS does not allow/ },
  {
    name: "an unkeyed template of another family (would move web onto worker)",
    args: () => [...RELEASE, "--template", file("worker.json", JSON.stringify({ family: "worker", containerDefinitions: [{ name: "app", image: "x" }] }))],
    message: /registers family worker, but the services run web: to move them to worker, name their family explicitly with --template web=FILE/,
  },
  {
    name: "a template family that is no family name",
    args: () => [...RELEASE, "--template", `web=${file("evil.json", JSON.stringify({ family: "evil/../x y", containerDefinitions: [{ name: "app", image: "x" }] }))}`],
    message: /family "evil\/\.\.\/x y" is not a valid task definition family/,
  },
  {
    name: "a template container name ECS refuses",
    args: () => [...RELEASE, "--template", file("dot.json", JSON.stringify({ family: "web", containerDefinitions: [{ name: "app.v2", image: "x" }] }))],
    message: /container name "app\.v2" is not valid/,
  },
  {
    name: "a template tag value ECS refuses",
    args: () => [...RELEASE, "--template", file("tags.json", JSON.stringify({ family: "web", containerDefinitions: [{ name: "app", image: "x" }], tags: [{ key: "team", value: "a;b" }] }))],
    message: /the value of tag "team" has characters ECS does not allow/,
  },
  {
    name: "a cluster name that forges a log line",
    args: ["status", "--cluster", "x\n2026-12-01T00:00:00Z released web:9", "--service", "web"],
    message: /x\\n2026-12-01T00:00:00Z released web:9/,
  },
  {
    // ECS names: up to 255 letters, digits, hyphens and underscores (API_CreateService.html): refused before any call.
    name: "a service name ECS would never accept",
    args: ["rollback", "--cluster", "prod", "--service", "web/../admin"],
    message: /--service "web\/\.\.\/admin" is not valid: an ECS service is named with up to 255 letters, digits, hyphens and underscores, or given by its ARN/,
  },
  // --- regions and credentials
  { name: "no region", args: ["status", "--cluster", "prod", "--service", "web"], env: { AWS_REGION: undefined }, message: /no AWS region: pass --region, set AWS_REGION, or set region in the profile/ },
  { name: "a region that is not one", args: ["status", "--cluster", "prod", "--service", "web", "--region", "mars;rm -rf /"], message: /AWS region "mars;rm -rf \/" is not valid: pass --region or AWS_REGION like us-east-1/ },
  {
    name: "no credentials",
    args: ["status", "--cluster", "prod", "--service", "web"],
    env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, HOME: emptyHome },
    message: /no AWS credentials found: set AWS_ACCESS_KEY_ID/,
  },
  // --- other commands
  { name: "history without --family or --service", args: ["history"], message: /history: pass --family FAMILY, or --cluster with --service/ },
  { name: "status for a service that does not exist", args: ["status", "--cluster", "prod", "--service", "ghost"], message: /service not found in cluster prod: ghost/ },
  { name: "rollback to a revision that does not exist", args: ["rollback", "--cluster", "prod", "--service", "web", "--to", "99"], message: /rollback --to 99: web \(on web:1\): web:99 does not exist/ },
  { name: "rollback to a malformed target", args: ["rollback", "--cluster", "prod", "--service", "web", "--to", "web::x:"], message: /--to "web::x:" is not a rollback target: use previous/ },
  { name: "rollback to a SHA never released", args: ["rollback", "--cluster", "prod", "--service", "web", "--to", `sha:${"d".repeat(40)}`], message: /no ACTIVE revision of web runs commit d{40} \(to deploy it, release it again/ },
  { name: "run-task of a revision that does not exist", args: ["run-task", "--cluster", "prod", "--task-definition", "web:99", "--command", "bin/migrate"], message: /--task-definition web:99: no such task definition/ },
  { name: "run-task with shell syntax in --command", args: ["run-task", "--cluster", "prod", "--task-definition", "web", "--command", "bin/migrate | tee log"], message: /--command contains an unquoted "\|", which only a shell interprets/ },
  { name: "run-task --like-service that does not exist", args: ["run-task", "--cluster", "prod", "--task-definition", "web", "--like-service", "ghost"], message: /--like-service ghost: no service of that name in cluster prod/ },
  { name: "push without a repository", args: ["push", "--sha", SHA_B], message: /missing required flag: --repository \(or ECS_RELEASE_REPOSITORY\)/ },
  { name: "push with a malformed --build-arg", args: ["push", "--repository", "platform", "--sha", SHA_B, "--build-arg", "9LIVES=1"], message: /--build-arg "9LIVES=…" must be NAME=VALUE/ },
  // --- push: registries, build arguments, caches, immutable tags (issues 13.3.8, 13.3.9, 14.6, 14.11)
  ...pushCases(),
];

/** push's rows: each refused before the login, the build or any write. */
function pushCases(): Case[] {
  const PUSH = ["push", "--repository", "platform", "--sha", "e".repeat(40), "--context", dir];
  // Stand-ins for a docker CLI (this machine has no buildx): they answer what docker prints and fail anything else.
  const docker = (name: string, buildx: string, driver: string): string => {
    const path = file(name, `#!/bin/sh\ncase "$1 $2" in\n  "--version ") echo "Docker version 28.2.2, build e6534b4" ;;\n  "buildx version") ${buildx} ;;\n  "buildx inspect") printf 'Name: b\\nDriver: ${driver}\\n' ;;\n  *) echo "not expected: $*" >&2; exit 97 ;;\nesac\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const ECR_CACHE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-cache:main";
  return [
    { name: "push --registry that is not ECR", args: [...PUSH, "--registry", "evil.example.com"], message: /--registry evil\.example\.com is not an ECR registry host .*the ECR login goes only to ECR; for a local test registry add --insecure-test-registry/ },
    { name: "push --registry of ECR in another region", args: [...PUSH, "--registry", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"], message: /--registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com is ECR in eu-west-1, not in us-east-1/ },
    { name: "push --registry with a scheme and path", args: [...PUSH, "--registry", "http://127.0.0.1:5000/x", "--insecure-test-registry"], message: /--registry "http:\/\/127\.0\.0\.1:5000\/x" is not a registry host/ },
    { name: "push --insecure-test-registry without --registry", args: [...PUSH, "--insecure-test-registry"], message: /--insecure-test-registry marks the --registry HOST as a test registry: pass --registry too/ },
    { name: "push --build-arg that docker reads itself", args: [...PUSH, "--build-arg", "DOCKER_HOST=tcp://evil.example:2375"], message: /--build-arg DOCKER_HOST: docker and podman read that variable themselves/ },
    { name: "push --build-arg LD_PRELOAD", args: [...PUSH, "--build-arg", "LD_PRELOAD=/tmp/x.so"], message: /--build-arg LD_PRELOAD: docker and podman read that variable themselves/ },
    { name: "push with a SOURCE_DATE_EPOCH that is no time", args: PUSH, env: { SOURCE_DATE_EPOCH: "yesterday" }, message: /SOURCE_DATE_EPOCH "yesterday" is not a Unix time in seconds/ },
    {
      name: "push --force of an existing SHA into an IMMUTABLE repository",
      args: ["push", "--repository", "locked", "--sha", SHA_B, "--context", dir, "--force"],
      setup: async () => {
        await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "locked", imageTagMutability: "IMMUTABLE" }));
        await putImage(clients, "locked", SHA_B);
      },
      message: /--force: locked:222222222222… already exists and the repository's tags are immutable \(IMMUTABLE\): ECR refuses to push that tag again/,
    },
    { name: "push --cache-to with docker without buildx", args: () => [...PUSH, "--docker", docker("docker-plain", "exit 1", "docker"), "--cache-to", `type=registry,ref=${ECR_CACHE}`], message: /--cache-to .*docker without buildx cannot export a build cache/ },
    {
      name: "push --cache-to ECR without image-manifest=true",
      args: () => [...PUSH, "--docker", docker("docker-buildx", "echo buildx v0.24.0", "docker-container"), "--cache-to", `type=registry,ref=${ECR_CACHE},mode=max`],
      message: /ECR stores a BuildKit cache only as an image manifest; use type=registry,ref=123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/platform-cache:main,mode=max,image-manifest=true,oci-mediatypes=true/,
    },
  ];
}

/**
 * Whether the emulator may differ from a fresh seed. A case that passes wrote nothing (it checks that
 * last), so the next case can reuse the seed; a case with a setup, or one that failed, leaves it dirty
 * and the next case starts from a fresh reset and seed.
 */
let dirty = true;

beforeEach(async () => {
  if (!dirty) return;
  await handle.emulator.reset();
  clients = awsClients(handle.emulator);
  await seedPlatform(clients);
  dirty = false;
});

const TIMESTAMPED = /^\d{4}-\d\d-\d\dT[\d:]+Z /;

describe("hostile input: exit 2, one actionable line, no write", () => {
  it("has at least 30 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    dirty = true;
    await c.setup?.();
    seeded = (await handle.emulator.callLog()).length;
    const env: Record<string, string | undefined> = { ...handle.env(), ...c.env };
    for (const [key, value] of Object.entries(c.env ?? {})) if (value === undefined) delete env[key];
    const args = typeof c.args === "function" ? c.args() : [...c.args];
    const run = await runCli([...args, "--json"], env);

    expect(run.code, run.stderr).toBe(c.code ?? 2);
    const lines = run.stderr.split("\n").filter((line) => line !== "");
    // Every line is a log line (no stack trace, no Node warning); exactly one is the error, and it is the last.
    for (const line of lines) expect(line, run.stderr).toMatch(TIMESTAMPED);
    const errors = lines.filter((line) => / error: /.test(line));
    expect(errors, run.stderr).toHaveLength(1);
    expect(lines.at(-1)).toBe(errors[0]);
    expect(errors[0]).toMatch(c.message);
    expect(errors[0]).not.toMatch(/this is a bug|unexpected error|undefined|\[object Object\]/);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { exitCode: c.code ?? 2 } });
    expect(writeOperations((await handle.emulator.callLog()).slice(seeded))).toEqual([]);
    dirty = c.setup !== undefined;
  });
});
