/**
 * Seed the emulator with a small, realistic platform through real SDK calls only: an ECS cluster,
 * task definitions, services, SSM parameters and an ECR repository with images.
 */
import { createHash } from "node:crypto";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type DeploymentConfiguration,
  type LaunchType,
  type NetworkConfiguration,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { CreateRepositoryCommand, DescribeImagesCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { appendFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, beforeEach } from "vitest";
import { TAG } from "../../src/core/tags.js";
import type { Emulator } from "../emulator/index.js";
import { ACCOUNT_ID, awsClients, MOTO_CALLS_VARIABLE, REGION, type AwsClientOptions, type AwsClients, type EmulatorHandle } from "./emulator.js";

/** The deployment configuration services get unless told otherwise. */
export const DEFAULT_DEPLOYMENT_CONFIGURATION: DeploymentConfiguration = {
  deploymentCircuitBreaker: { enable: true, rollback: true },
  minimumHealthyPercent: 100,
  maximumPercent: 200,
};

/** Create an ECS cluster; returns its ARN. */
export async function createCluster(clients: AwsClients, name: string): Promise<string> {
  const { cluster } = await clients.ecs.send(new CreateClusterCommand({ clusterName: name }));
  return required(cluster?.clusterArn, "clusterArn");
}

/** Register a task definition revision; returns its ARN. */
export async function registerTaskDefinition(clients: AwsClients, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const { taskDefinition } = await clients.ecs.send(new RegisterTaskDefinitionCommand(input));
  return required(taskDefinition?.taskDefinitionArn, "taskDefinitionArn");
}

/** Input of {@link createService}. */
export interface ServiceSeed {
  cluster: string;
  name: string;
  taskDefinition: string;
  desiredCount: number;
  /** Default: circuit breaker with rollback, min 100 %, max 200 %. */
  deploymentConfiguration?: DeploymentConfiguration;
  launchType?: LaunchType;
  networkConfiguration?: NetworkConfiguration;
}

/**
 * Create an IAM role whose trust policy lets `service` assume it (a task execution role trusts
 * ecs-tasks.amazonaws.com: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html); returns its ARN.
 */
export async function createRole(clients: AwsClients, name: string, service = "ecs-tasks.amazonaws.com"): Promise<string> {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
  const { Role } = await clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  return required(Role?.Arn, "Role.Arn");
}

/** Create a CloudWatch Logs log group (what the awslogs driver writes to). */
export async function createLogGroup(clients: AwsClients, name: string): Promise<void> {
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
}

/** Create an ECS service; returns its ARN. */
export async function createService(clients: AwsClients, seed: ServiceSeed): Promise<string> {
  const { service } = await clients.ecs.send(
    new CreateServiceCommand({
      cluster: seed.cluster,
      serviceName: seed.name,
      taskDefinition: seed.taskDefinition,
      desiredCount: seed.desiredCount,
      deploymentConfiguration: seed.deploymentConfiguration ?? DEFAULT_DEPLOYMENT_CONFIGURATION,
      ...(seed.launchType === undefined ? {} : { launchType: seed.launchType }),
      ...(seed.networkConfiguration === undefined ? {} : { networkConfiguration: seed.networkConfiguration }),
    }),
  );
  return required(service?.serviceArn, "serviceArn");
}

/** An SSM parameter value: plain String, or SecureString when `secure`. */
export type ParameterSeed = string | { value: string; secure: true };

/** Put parameters under `path` (e.g. "/platform/prod"); names may contain "/" for nesting. */
export async function putParameters(clients: AwsClients, path: string, parameters: Record<string, ParameterSeed>): Promise<string[]> {
  const names: string[] = [];
  for (const [name, seed] of Object.entries(parameters)) {
    const fullName = `${path.replace(/\/+$/, "")}/${name}`;
    const secure = typeof seed !== "string";
    await clients.ssm.send(
      new PutParameterCommand({
        Name: fullName,
        Value: secure ? seed.value : seed,
        Type: secure ? "SecureString" : "String",
        Overwrite: true,
      }),
    );
    names.push(fullName);
  }
  return names;
}

/** Create an ECR repository; returns its URI. */
export async function createRepository(clients: AwsClients, name: string): Promise<string> {
  const { repository } = await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  return required(repository?.repositoryUri, "repositoryUri");
}

/** A small valid Docker image manifest whose digests derive from `tag`. */
export function imageManifest(tag: string): string {
  const digest = (part: string): string => `sha256:${createHash("sha256").update(`${tag}:${part}`).digest("hex")}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 1469, digest: digest("config") },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 2811478, digest: digest("layer") }],
  });
}

/** Push an image manifest under `tag` (ECR PutImage); returns the image digest. */
export async function putImage(clients: AwsClients, repository: string, tag: string): Promise<string> {
  const { image } = await clients.ecr.send(
    new PutImageCommand({
      repositoryName: repository,
      imageTag: tag,
      imageManifest: imageManifest(tag),
      imageManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
    }),
  );
  return required(image?.imageId?.imageDigest, "imageDigest");
}

/** The image `repository:tag` as a release pins it: `<registry>/<repository>@<digest ECR has for the tag>`. */
export async function pinnedImageUri(clients: AwsClients, repository: string, tag: string): Promise<string> {
  const { imageDetails } = await clients.ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
  return `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${repository}@${required(imageDetails?.[0]?.imageDigest, "imageDigest")}`;
}

/**
 * The seeded task definitions' execution role (it reads the Secrets Manager snapshot at task start);
 * seedPlatform and seedApplication create it, trusting ecs-tasks.amazonaws.com.
 */
export const SEED_EXECUTION_ROLE_NAME = "ecs-task-execution";
export const SEED_EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/${SEED_EXECUTION_ROLE_NAME}`;

/** Image URI in the emulator's (moto's) account. */
export function imageUri(repository: string, tag: string): string {
  return `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${repository}:${tag}`;
}

/** Git SHAs with images in the seeded repository; the first is what the services run. */
export const SEED_SHAS = [
  "1111111111111111111111111111111111111111",
  "2222222222222222222222222222222222222222",
  "3333333333333333333333333333333333333333",
] as const;

/**
 * The seeded platform is one ecs-release already released: its revisions carry the release record's
 * version tag (TAG.version), so a release renders from them without adopting them (core/adoption.ts).
 * A test of the first release over a hand-written revision registers one without it.
 */
export const SEED_RECORD = [{ key: TAG.version, value: "0.1.0" }];

/** The image of the seeded log-router sidecar. */
export const LOG_ROUTER_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0";

/**
 * The seeded `web` family's task definition running `sha`: container `app` (port 8080) and a
 * `log-router` sidecar, with the seeded execution role (SEED_EXECUTION_ROLE, which seedPlatform
 * creates): the default `--secure-strings secretsmanager` references the SecureStrings, which ECS
 * reads at task start with it.
 */
export function webTaskDefinition(sha: string): RegisterTaskDefinitionCommandInput & { family: string } {
  return {
    family: "web",
    executionRoleArn: SEED_EXECUTION_ROLE,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      { name: "app", image: imageUri("platform", sha), essential: true, memory: 256, portMappings: [{ containerPort: 8080, protocol: "tcp" }] },
      { name: "log-router", image: LOG_ROUTER_IMAGE, essential: false, memory: 64 },
    ],
  };
}

/** What {@link seedPlatform} created. */
export interface SeededPlatform {
  cluster: string;
  clusterArn: string;
  repository: string;
  repositoryUri: string;
  /** Image digest by SHA. */
  images: Record<string, string>;
  /** Task definition ARN by family (revision 1, running SEED_SHAS[0]). */
  taskDefinitions: { web: string; worker: string };
  /** Service ARN by name. */
  services: { web: string; worker: string };
  /** Full names of the SSM parameters. */
  parameters: string[];
  /** The SSM path the parameters live under. */
  parameterPath: string;
}

/** The awsvpc network configuration of the seeded services (made-up IDs are fine in the emulator). */
export const SEED_NETWORK: NetworkConfiguration = {
  awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"], assignPublicIp: "DISABLED" },
};

const PARAMETERS: Record<string, ParameterSeed> = {
  LOG_LEVEL: "info",
  FEATURE_FLAGS: "search,checkout",
  "database/HOST": "db.internal",
  "database/PORT": "5432",
  "database/PASSWORD": { value: "s3cr3t", secure: true },
  "web/WORKERS": "4",
};

/**
 * Seed cluster `prod`, repository `platform` with images for {@link SEED_SHAS}, task definitions
 * `web` (container `app` plus a `log-router` sidecar) and `worker` (container `app`), services
 * `web` (desired 2) and `worker` (desired 1), and parameters under `/platform/prod/`. With `awslogs`,
 * each `app` container logs with the awslogs driver to `/ecs/<family>` (stream prefix `ecs`), and
 * those log groups exist.
 */
export async function seedPlatform(clients: AwsClients, options: { readonly awslogs?: boolean } = {}): Promise<SeededPlatform> {
  return fromSnapshot(clients, options.awslogs === true ? "seedPlatform:awslogs" : "seedPlatform", () => seedPlatformThroughApi(clients, options));
}

async function seedPlatformThroughApi(clients: AwsClients, options: { readonly awslogs?: boolean }): Promise<SeededPlatform> {
  const cluster = "prod";
  const repository = "platform";
  const parameterPath = "/platform/prod";
  const logsTo = (family: string) => (options.awslogs ? { logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": `/ecs/${family}`, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" } } } : {});
  const withLogs = (input: RegisterTaskDefinitionCommandInput): RegisterTaskDefinitionCommandInput => ({
    ...input,
    containerDefinitions: (input.containerDefinitions ?? []).map((c) => (c.name === "app" ? { ...c, ...logsTo(input.family ?? "") } : c)),
  });
  if (options.awslogs) await Promise.all(["/ecs/web", "/ecs/worker"].map((group) => createLogGroup(clients, group)));
  const app = { name: "app", image: imageUri(repository, SEED_SHAS[0]), essential: true, memory: 256 };
  // Independent resources at once (each test seeds afresh: this is most of a test's set-up time);
  // the services need their cluster and revisions first.
  const [clusterArn, { repositoryUri, images }, [web, worker], parameters] = await Promise.all([
    createCluster(clients, cluster),
    (async () => {
      const uri = await createRepository(clients, repository);
      const digests = await Promise.all(SEED_SHAS.map((sha) => putImage(clients, repository, sha)));
      return { repositoryUri: uri, images: Object.fromEntries(SEED_SHAS.map((sha, i) => [sha, digests[i]!])) };
    })(),
    Promise.all([
      registerTaskDefinition(clients, { ...withLogs(webTaskDefinition(SEED_SHAS[0])), tags: SEED_RECORD }),
      registerTaskDefinition(
        clients,
        withLogs({
          family: "worker",
          tags: SEED_RECORD,
          executionRoleArn: SEED_EXECUTION_ROLE,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ ...app, command: ["worker"] }],
        }),
      ),
    ]),
    putParameters(clients, parameterPath, PARAMETERS),
    createRole(clients, SEED_EXECUTION_ROLE_NAME),
  ]);
  const [webService, workerService] = await Promise.all([
    createService(clients, { cluster, name: "web", taskDefinition: web, desiredCount: 2, launchType: "FARGATE", networkConfiguration: SEED_NETWORK }),
    createService(clients, { cluster, name: "worker", taskDefinition: worker, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK }),
  ]);
  return { cluster, clusterArn, repository, repositoryUri, images, taskDefinitions: { web, worker }, services: { web: webService, worker: workerService }, parameters, parameterPath };
}

/** Set to `off`, every seed is built through the API, never put back from a snapshot (to compare the two). */
export const SNAPSHOTS_VARIABLE = "EMULATOR_SNAPSHOTS";

/** Where {@link fromSnapshot} reaches the emulator: SDK clients made with it, or the emulator itself. */
export type SnapshotSource = AwsClients | Partial<Pick<Emulator, "restore" | "snapshot">>;

/**
 * The emulator as `build` leaves it, and `build`'s value. The first time in a worker's emulator,
 * `build` makes its real SDK calls and the emulator then takes a snapshot of moto's state and its own;
 * after that, the emulator is put back to that snapshot instead: about a millisecond against the 20 to
 * 30 requests of a platform's seed (docs/performance.md, "Set-ups put back from snapshots"). Only from
 * a state the emulator knows: just reset, or just put back to (or taken as) another snapshot, so
 * set-ups chain (the identity set-up, then the platform); the snapshot is kept under that state and
 * `name`. `name` must stand for everything `build` does. `build` runs as it is when the emulator is in
 * no known state (the test called or changed something first), when the source has no emulator, when
 * {@link SNAPSHOTS_VARIABLE} is `off`, or inside another build being recorded (whose snapshot holds it).
 */
export async function fromSnapshot<T>(source: SnapshotSource, name: string, build: () => Promise<T>): Promise<T> {
  const emulator = "ecs" in source ? source.snapshots : source.restore !== undefined && source.snapshot !== undefined ? { restore: source.restore, snapshot: source.snapshot } : undefined;
  if (emulator === undefined || process.env[SNAPSHOTS_VARIABLE] === "off" || recordingOn.has(emulator.restore)) return build();
  const answer = await emulator.restore(name);
  if (answer.restored) return answer.value as T;
  if (!answer.recording) return build();
  recordingOn.add(emulator.restore);
  try {
    const value = await build();
    await emulator.snapshot(name, value);
    return value;
  } finally {
    recordingOn.delete(emulator.restore);
  }
}

/** The emulators (by their restore function) a build is being recorded on: a build inside it runs as it is. */
const recordingOn = new WeakSet<object>();

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the emulator answered without ${what}`);
  return value;
}

/**
 * Before each test of the file: reset the emulator and seed the platform ({@link seedPlatform}).
 * Returns the SDK clients of the current test (valid inside tests and later hooks).
 */
export function seedEachTest(handle: EmulatorHandle, options: AwsClientOptions = {}): AwsClients {
  let current: AwsClients | undefined;
  const spent = { seeds: 0, ms: 0 };
  beforeEach(async () => {
    const started = performance.now();
    await handle.emulator.reset();
    current = awsClients(handle.emulator, options);
    await seedPlatform(current);
    spent.seeds += 1;
    spent.ms += performance.now() - started;
  });
  afterAll(({}, suite) => {
    const file = process.env[MOTO_CALLS_VARIABLE];
    if (file) appendFileSync(file, `${JSON.stringify({ file: relative(process.cwd(), suite.file.filepath), seeds: spent.seeds, seedMs: Math.round(spent.ms) })}\n`);
  });
  const clients = (): AwsClients => {
    if (current === undefined) throw new Error("the seeded clients are only available inside tests and hooks");
    return current;
  };
  return {
    get ecs() {
      return clients().ecs;
    },
    get logs() {
      return clients().logs;
    },
    get iam() {
      return clients().iam;
    },
    get ssm() {
      return clients().ssm;
    },
    get ecr() {
      return clients().ecr;
    },
    get secretsManager() {
      return clients().secretsManager;
    },
    get snapshots() {
      return clients().snapshots;
    },
  };
}

/** What {@link seedApplication} created: per environment, its cluster (named after it) and SSM path. */
export interface SeededApplication {
  readonly repository: string;
  readonly environments: readonly string[];
  /** `/<repository>/<environment>` by environment. */
  readonly parameterPaths: Record<string, string>;
}

/**
 * The world the orb's examples assume: an ECR repository `repository` with an image per SHA in `shas`
 * (the first is what runs), and per environment a cluster named after it with services `web` and
 * `worker` (families `<environment>-web`, `<environment>-worker`, one task each) and parameters under
 * `/<repository>/<environment>/` (one a SecureString, `secret`).
 */
export async function seedApplication(clients: AwsClients, options: { repository: string; environments: readonly string[]; shas: readonly string[]; secret: string }): Promise<SeededApplication> {
  const name = `seedApplication:${createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 16)}`;
  return fromSnapshot(clients, name, () => seedApplicationThroughApi(clients, options));
}

async function seedApplicationThroughApi(clients: AwsClients, options: { repository: string; environments: readonly string[]; shas: readonly string[]; secret: string }): Promise<SeededApplication> {
  const { repository, environments, shas } = options;
  await Promise.all([createRepository(clients, repository), createRole(clients, SEED_EXECUTION_ROLE_NAME)]);
  await Promise.all(shas.map((sha) => putImage(clients, repository, sha)));
  const parameterPaths: Record<string, string> = {};
  for (const environment of environments) {
    parameterPaths[environment] = `/${repository}/${environment}`;
    const app = { name: "app", image: imageUri(repository, shas[0] as string), essential: true, memory: 256 };
    const family = (name: string) => ({ family: `${environment}-${name}`, executionRoleArn: SEED_EXECUTION_ROLE, networkMode: "awsvpc" as const, requiresCompatibilities: ["FARGATE" as const], cpu: "256", memory: "512" });
    const [, web, worker] = await Promise.all([
      createCluster(clients, environment),
      registerTaskDefinition(clients, { ...family("web"), containerDefinitions: [{ ...app, portMappings: [{ containerPort: 8080, protocol: "tcp" }] }] }),
      registerTaskDefinition(clients, { ...family("worker"), containerDefinitions: [{ ...app, command: ["worker"] }] }),
      putParameters(clients, parameterPaths[environment] as string, { LOG_LEVEL: "info", "database/PASSWORD": { value: `${options.secret}-${environment}`, secure: true } }),
    ]);
    await Promise.all([
      createService(clients, { cluster: environment, name: "web", taskDefinition: web, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK }),
      createService(clients, { cluster: environment, name: "worker", taskDefinition: worker, desiredCount: 1, launchType: "FARGATE", networkConfiguration: SEED_NETWORK }),
    ]);
  }
  return { repository, environments, parameterPaths };
}
