/**
 * The orb's jobs, expanded from orb/orb.yml and run here the way CircleCI runs them, against the
 * emulator: the CLI is the one embedded in the orb (installed by the job's own install step), AWS
 * credentials come from the job's own auth step (configure_aws_oidc) with a V2 OIDC token and the
 * role given by the job's `role_arn` parameter — one role per job, trusting CircleCI as
 * `npm run iam -- trust` prints it, evaluated by the emulator's STS — and the results are read back
 * from AWS state. `build` pushes with podman to a local registry.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { TAG } from "../../src/core/tags.js";
import { POLICIES, type Placeholder } from "../../src/iam/policies.js";
import { ACCOUNT_ID, awsClients, useEmulator } from "../helpers/emulator.js";
import { expectAllowedByPolicy } from "../helpers/iam-check.js";
import { circleciToken } from "../helpers/jwt.js";
import { roleArn, setUpCircleCiIam, type RoleSetUp } from "../helpers/oidc-roles.js";
import { expandJob, loadOrb, runJob, type Orb } from "../helpers/orb-harness.js";
import { describeService, readRevision, sha } from "../helpers/revisions.js";
import { REGISTRY_BINARY, startRegistry, type LocalRegistry } from "../helpers/registry.js";
import { createRepository, putImage, SEED_EXECUTION_ROLE, seedPlatform } from "../helpers/seed.js";
import { createFixtureRepository, type FixtureRepository } from "./fixture-repo.js";
import { ORB_FILE } from "./orb-files.js";

const handle = useEmulator();
let orb: Orb;
let repo: FixtureRepository;

/** The name of the auth step every job runs (the default: configure_aws_oidc). */
const AUTH_STEP = "Configure AWS credentials from the job's OIDC token";
const FAST = { poll_interval: "10ms", timeout: "1m" };
const RELEASE = { cluster: "prod", service: "web,worker", ssm_path: "/platform/prod", repository: "platform", ...FAST };
/** One role per job, each with only that job's policy; the job gets it through its role_arn parameter. */
const JOB_ROLES: readonly RoleSetUp[] = (["build", "release", "rollback"] as const).map((job) => ({ name: `orb-${job}`, trust: "oidc", policies: [job] }));

beforeAll(async () => {
  orb = await loadOrb(ORB_FILE);
  repo = await createFixtureRepository();
});

beforeEach(async () => {
  await handle.emulator.reset();
  await setUpCircleCiIam(handle.emulator, { roles: JOB_ROLES });
});

/** The job runs of the current test (each assumes its job's role; continue runs under the rollback job's: src/iam/policies.ts). */
type JobName = "build" | "release" | "rollback" | "continue";
const jobRuns: Array<{ job: JobName; args: Record<string, unknown> }> = [];
const roleOf = (job: JobName): "build" | "release" | "rollback" => (job === "continue" ? "rollback" : job);

/** A CircleCI job's environment against the emulator: no keys, only the job's V2 OIDC token (the role comes from role_arn). */
function jobEnv(name: JobName, args: Record<string, unknown>): Record<string, string> {
  jobRuns.push({ job: name, args });
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...emulator } = handle.env();
  return { ...emulator, CIRCLE_OIDC_TOKEN_V2: circleciToken(Date.now()) };
}

// IAM, evaluated for real: every AWS call a job made is allowed by that job's policy
// (src/iam/policies.ts), filled in from the job's parameters as docs/iam.md tells a user to; the calls
// are the ones signed by sessions of the job's role.
afterEach(async () => {
  const [log, sessions] = await Promise.all([handle.emulator.callLog(), handle.emulator.sessions()]);
  const runs = jobRuns.splice(0);
  const keysOf = (job: string): Set<string> => new Set(sessions.filter((s) => s.roleArn === roleArn(`orb-${job}`)).map((s) => s.accessKeyId));
  // A job that signs with other keys would make this check vacuous.
  if (runs.length > 0 && !runs.some((run) => log.some((entry) => keysOf(roleOf(run.job)).has(entry.accessKeyId ?? "") && entry.service !== "sts"))) {
    throw new Error("no AWS call was signed by a job role's session: the IAM check saw nothing");
  }
  for (const run of runs) {
    const keys = keysOf(roleOf(run.job));
    const calls = log.filter((entry) => keys.has(entry.accessKeyId ?? ""));
    if (calls.length === 0) continue; // refused before any AWS call (bad input)
    const text = (name: string): string | undefined => (typeof run.args[name] === "string" ? (run.args[name] as string) : undefined);
    const values: Partial<Record<Placeholder, string>> = {
      Cluster: text("cluster") ?? "default",
      Family: "*",
      Repository: text("repository") ?? "",
      SsmPath: (text("ssm_path") ?? "").replace(/^\/+/, ""),
      // The seeded task definitions pass no task role (any PassRole of one would be denied) and the
      // seeded execution role (the default secretsmanager mode's SecureStrings are read with it).
      TaskRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/none`,
      ExecutionRoleArn: SEED_EXECUTION_ROLE,
    };
    await expectAllowedByPolicy(calls, { policy: POLICIES[roleOf(run.job)], values });
  }
});

/** Runs job `name` of the orb for commit `commit`, as the CircleCI pipeline 42 would, with the job's role as its role_arn. */
async function runOrbJob(name: JobName, args: Record<string, unknown>, commit: string, env: Record<string, string> = {}) {
  const job = expandJob(orb, name, { role_arn: roleArn(`orb-${roleOf(name)}`), ...args } as never);
  return runJob(job, { repository: repo.path, env: { ...jobEnv(name, args), ...env }, circle: { CIRCLE_SHA1: commit, CIRCLE_USERNAME: "octocat", CIRCLE_BUILD_URL: `https://app.circleci.com/jobs/${commit.slice(0, 7)}` } });
}

describe("release and rollback jobs against the emulator", () => {
  it("release: a new revision for the commit, rolled out, tagged with the pipeline's metadata", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const commit = sha("a");
    await putImage(clients, "platform", commit);
    const run = await runOrbJob("release", RELEASE, commit);
    expect(run.code, run.output).toBe(0);
    expect(run.steps.map((step) => step.name)).toEqual(["Install ecs-release (embedded in the orb)", AUTH_STEP, "Release web,worker to prod"]);

    for (const service of ["web", "worker"]) {
      const taskDefinition = (await describeService(clients, "prod", service)).taskDefinition as string;
      expect(taskDefinition).toMatch(new RegExp(`${service}:2$`));
      const revision = await readRevision(clients, taskDefinition);
      expect(revision.tags[TAG.sha]).toBe(commit);
      expect(revision.tags[TAG.pipeline]).toBe("42");
      expect(revision.tags[TAG.releasedBy]).toBe("octocat");
      expect(revision.tags[TAG.jobUrl]).toBe(`https://app.circleci.com/jobs/${commit.slice(0, 7)}`);
      expect(revision.tags[TAG.outcome]).toBe("stable");
      expect(revision.environment["database_HOST"]).toBe("db.internal");
    }
  });

  it("release: a template from the repository needs pre-steps: [checkout] (the job checks out nothing itself)", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const template = {
      family: "web",
      executionRoleArn: SEED_EXECUTION_ROLE,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      containerDefinitions: [{ name: "app", image: "platform:placeholder", essential: true, environment: [{ name: "FROM_TEMPLATE", value: "1" }] }],
    };
    const withTemplate = await createFixtureRepository({ "web-task.json": JSON.stringify(template) });
    const commit = sha("f");
    await putImage(clients, "platform", commit);
    // The image is the one pushed for `commit`; the checkout is the fixture repository's commit.
    const args = { ...RELEASE, service: "web", template: "web-task.json", sha: commit, role_arn: roleArn("orb-release") };
    const circle = { CIRCLE_SHA1: withTemplate.sha };
    const env = jobEnv("release", args);

    // Without a checkout the file is not there: bad input, nothing registered.
    const bare = await runJob(expandJob(orb, "release", args as never), { repository: withTemplate.path, env, circle });
    expect(bare.code, bare.output).toBe(2);
    expect(bare.steps.at(-1)?.output).toMatch(/web-task\.json/);
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);

    const run = await runJob(expandJob(orb, "release", { ...args, "pre-steps": ["checkout"] } as never), { repository: withTemplate.path, env, circle });
    expect(run.code, run.output).toBe(0);
    expect(run.steps.map((step) => step.name)).toEqual(["Checkout code", "Install ecs-release (embedded in the orb)", AUTH_STEP, "Release web to prod"]);
    const revision = await readRevision(clients, (await describeService(clients, "prod", "web")).taskDefinition as string);
    expect(revision.tags[TAG.sha]).toBe(commit);
    expect(revision.environment["FROM_TEMPLATE"]).toBe("1");
  });

  it("release: an image set to fail makes the job fail, with the revision tagged failed", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const commit = sha("b");
    await putImage(clients, "platform", commit);
    await handle.emulator.addRule({ match: commit, outcome: "fail", steps: 2 });
    const run = await runOrbJob("release", { ...RELEASE, service: "web" }, commit);
    expect(run.code, run.output).toBe(1);
    expect(run.steps.at(-1)?.name).toBe("Release web to prod");
    const revision = await readRevision(clients, "web:2");
    expect(revision.tags[TAG.sha]).toBe(commit);
    expect(revision.tags[TAG.outcome]).toBe("failed");
    // The circuit breaker took the service back to what ran before.
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:1$/);
  });

  it("rollback: after two releases, brings back the known-good revision (the first release)", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    const good = sha("c");
    const bad = sha("d");
    for (const commit of [good, bad]) {
      await putImage(clients, "platform", commit);
      const release = await runOrbJob("release", { ...RELEASE, service: "web" }, commit);
      expect(release.code, release.output).toBe(0);
    }
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:3$/);

    const run = await runOrbJob("rollback", { cluster: "prod", service: "web", ...FAST }, bad);
    expect(run.code, run.output).toBe(0);
    expect(run.steps.at(-1)?.name).toBe("Roll back web on prod to previous");
    const now = (await describeService(clients, "prod", "web")).taskDefinition as string;
    expect(now).toMatch(/web:2$/);
    expect((await readRevision(clients, now)).tags[TAG.sha]).toBe(good);
    // The revision rolled back from is deregistered.
    expect((await readRevision(clients, "web:3")).status).toBe("INACTIVE");
  });
});

describe("the production_traffic_approval example against the emulator", () => {
  /** The example's arguments for one orb job of its workflow, with the emulator's credentials and fast polling. */
  function exampleArgs(job: string, name: string): Record<string, unknown> {
    const example = (orb["examples"] as Record<string, { usage: { workflows: Record<string, { jobs: Array<Record<string, Record<string, unknown>>> }> } }>)["production_traffic_approval"];
    const entry = example?.usage.workflows["deploy"]?.jobs.find((j) => j[job]?.["name"] === name)?.[job];
    expect(entry, `${job} ${name} in the example`).toBeDefined();
    const { name: _name, requires: _requires, context: _context, "serial-group": _group, ...args } = entry ?? {};
    return { ...args, service: "web", ssm_path: "/platform/prod", repository: "platform", ...FAST };
  }

  it("release (until_paused) stops at the PAUSE hook with test traffic on web:2; after the approval, continue sends production traffic and records stable", async () => {
    const clients = awsClients(handle.emulator);
    await seedPlatform(clients);
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster: "prod", service: "web", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }] } }),
    );
    await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] })); // the stale read after the set-up's update
    const commit = sha("e");
    await putImage(clients, "platform", commit);
    const release = await runOrbJob("release", exampleArgs("ecs-release/release", "release_prod"), commit);
    expect(release.code, release.output).toBe(0);
    expect(release.output).toContain("web: paused at PRE_PRODUCTION_TRAFFIC_SHIFT by a PAUSE hook");
    expect((await describeService(clients, "prod", "web")).deployments?.length).toBe(2);
    const { service: _s, ssm_path: _p, repository: _r, ...continueArgs } = exampleArgs("ecs-release/continue", "continue_prod");
    const go = await runOrbJob("continue", { ...continueArgs, service: "web" }, commit);
    expect(go.code, go.output).toBe(0);
    expect(go.steps.at(-1)?.name).toBe("Paused deployment of web on prod: continue");
    expect((await describeService(clients, "prod", "web")).taskDefinition).toMatch(/web:2$/);
    expect((await readRevision(clients, "web:2")).tags[TAG.outcome]).toBe("stable");
  });
});

const HAVE_PODMAN = ["/usr/bin/podman", "/usr/local/bin/podman"].some((path) => existsSync(path)) && existsSync(REGISTRY_BINARY);

// Without podman and docker-registry (which .ci/run installs) this suite skips locally, never in CI.
describe.skipIf(!HAVE_PODMAN && process.env["CI"] !== "true")("build job against the emulator and a local registry", () => {
  let registry: LocalRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), "orb-build-"));
    await writeFile(join(dir, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${join(dir, "storage")}"\nrunroot = "${join(dir, "run")}"\n`);
  });

  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("build: checks out the commit and pushes its image through podman, labelled with the commit", async () => {
    const clients = awsClients(handle.emulator);
    await createRepository(clients, "shop");
    // The local registry is not ECR: push sends it the ECR login only when it is marked as a test registry.
    const run = await runOrbJob("build", { repository: "shop", docker: "podman", registry: registry.host, insecure_test_registry: true }, repo.sha, {
      CONTAINERS_STORAGE_CONF: join(dir, "storage.conf"),
      CONTAINERS_REGISTRIES_CONF: registry.registriesConf,
      BUILDAH_ISOLATION: "chroot",
      REGISTRY_AUTH_FILE: join(dir, "auth.json"),
    });
    expect(run.code, run.output).toBe(0);
    expect(run.steps.map((step) => step.name)).toEqual([
      "Checkout code",
      "setup_remote_docker",
      "Install ecs-release (embedded in the orb)",
      AUTH_STEP,
      "Build and push the image to shop",
    ]);
    expect(await registry.manifestDigest("shop", repo.sha)).toMatch(/^sha256:[0-9a-f]{64}$/);
    const labels = await registry.imageLabels("shop", repo.sha);
    expect(labels["org.opencontainers.image.revision"]).toBe(repo.sha);
    expect(labels["org.opencontainers.image.source"]).toBe("https://github.com/acme/shop");
  });
});
