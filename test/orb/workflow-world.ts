/**
 * The world the workflow tests play in: a CircleCI organization (users, security groups, contexts),
 * the project's repository with commits, the orb as published, and the application on the emulator.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ORB_REF } from "../../src/orb/meta.js";
import type { AwsClients, EmulatorHandle } from "../helpers/emulator.js";
import { CIRCLECI_FIXTURE } from "../helpers/jwt.js";
import { contextVariables, setUpCircleCiIam } from "../helpers/oidc-roles.js";
import { putImage, seedApplication } from "../helpers/seed.js";
import { CircleCi, type Organization, type Workflow } from "../helpers/workflow-runner.js";
import type { Yaml } from "../helpers/orb-harness.js";
import { readOrb } from "./orb-files.js";

/** A SecureString value: it must never appear in a job's output or an artifact. */
export const SECRET = "MARKER-7c1d-workflow-secret";

/**
 * alice and carol release to prod (security group prod-deployers); bob is a member who merges. The
 * organization, project and repository are the identity set-up's (test/helpers/oidc-roles.ts), and each
 * context holds what docs/iam.md has users put in it, so the emulator's STS evaluates the roles' trust
 * policies against the jobs' tokens.
 */
export const ORGANIZATION: Organization = {
  id: CIRCLECI_FIXTURE.orgId,
  projectId: CIRCLECI_FIXTURE.projectId,
  slug: "gh/acme/shop",
  vcsOrigin: CIRCLECI_FIXTURE.vcsOrigin,
  users: { alice: { groups: ["prod-deployers"] }, carol: { groups: ["prod-deployers"] }, bob: { groups: [] } },
  contexts: {
    "aws-build": { env: contextVariables("aws-build") },
    "aws-staging-plan": { env: contextVariables("aws-staging-plan") },
    "aws-staging": { env: contextVariables("aws-staging") },
    "aws-prod-plan": { env: contextVariables("aws-prod-plan") },
    "aws-prod": { env: contextVariables("aws-prod"), groups: ["prod-deployers"] },
  },
};

/** The example's config as a user copies it into `.circleci/config.yml`. */
export function exampleConfig(name: string): string {
  const example = readOrb().examples[name];
  if (example === undefined) throw new Error(`the orb has no example ${name}`);
  return stringify(example.usage as Yaml);
}

/**
 * A git repository with commits; each commit returns its SHA. Its commits are dated one minute apart
 * from a fixed time, so the same commits make the same SHAs in every test (the application's seed,
 * which names its first commit, is then put back from a snapshot: seed.ts, fromSnapshot).
 */
export class Repository {
  private commands = 0;
  private constructor(readonly path: string) {}

  static async create(): Promise<Repository> {
    const repository = new Repository(await mkdtemp(join(tmpdir(), "workflow-repo-")));
    repository.git("init", "-q", "-b", "main");
    return repository;
  }

  git(...args: string[]): string {
    this.commands += 1;
    const date = `${1_796_000_000 + 60 * this.commands} +0000`;
    const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com", GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
    return execFileSync("git", args, { cwd: this.path, encoding: "utf8", env }).trim();
  }

  async commit(message: string, files: Record<string, string> = { "app.txt": message }): Promise<string> {
    for (const [name, text] of Object.entries(files)) await writeFile(join(this.path, name), text);
    this.git("add", ".");
    this.git("commit", "-q", "-m", message);
    return this.git("rev-parse", "HEAD");
  }
}

/** The user's own tools the examples' test job runs (`npm ci`, `npm test`): they succeed and say so. */
async function userTools(): Promise<string> {
  const bin = await mkdtemp(join(tmpdir(), "workflow-bin-"));
  await writeFile(join(bin, "npm"), '#!/bin/sh\necho "npm $*: ok (the project\'s own tests)"\n');
  await chmod(join(bin, "npm"), 0o755);
  return bin;
}

/** The app `myapp` on the emulator, the repository with its first commit built, and a runner. */
export interface World {
  readonly circleci: CircleCi;
  readonly repository: Repository;
  /** The first commit, running everywhere. */
  readonly first: string;
}

export async function createWorld(handle: EmulatorHandle, clients: AwsClients, environments: readonly string[] = ["prod"]): Promise<World> {
  await setUpCircleCiIam(handle.emulator);
  const repository = await Repository.create();
  const first = await repository.commit("first release");
  await seedApplication(clients, { repository: "myapp", environments, shas: [first], secret: SECRET });
  const circleci = new CircleCi({
    organization: ORGANIZATION,
    registry: { [ORB_REF]: readOrb() },
    awsEnv: () => handle.env(),
    repository: repository.path,
    path: [await userTools()],
    orbJobDefaults: { poll_interval: "10ms" },
  });
  return { circleci, repository, first };
}

/** A commit pushed and built: its image is in ECR as the build job of its pipeline would leave it. */
export async function builtCommit(world: World, clients: AwsClients, message: string): Promise<string> {
  const sha = await world.repository.commit(message);
  await putImage(clients, "myapp", sha);
  return sha;
}

/** The job statuses of a workflow, by job name. */
export function statuses(workflow: Workflow): Record<string, string> {
  return Object.fromEntries([...workflow.jobs.entries()].map(([name, job]) => [name, job.status]));
}

/** Every output and artifact of a workflow, for the SecureString check. */
export function outputs(workflow: Workflow): string {
  return [...workflow.jobs.values()].map((job) => job.run?.output ?? "").join("\n");
}
