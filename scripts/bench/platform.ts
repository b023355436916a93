/**
 * The benchmark's platform in the emulator, seeded through real SDK calls: cluster `bench`,
 * repository `app`, families `web` (app + log-router) and `worker`, services `web`, `web-canary`
 * (both family `web`) and `worker`, and N SSM parameters under /bench/prod, put concurrently.
 */
import { randomBytes } from "node:crypto";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import type { AwsClients } from "../../test/helpers/emulator.js";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { createCluster, createRepository, createRole, createService, imageUri, LOG_ROUTER_IMAGE, putImage, registerTaskDefinition, SEED_EXECUTION_ROLE, SEED_EXECUTION_ROLE_NAME, SEED_NETWORK, SEED_RECORD } from "../../test/helpers/seed.js";
import { mapConcurrently } from "../../src/core/map-concurrently.js";

export const CLUSTER = "bench";
export const REPOSITORY = "app";
export const SSM_PATH = "/bench/prod";
/** Service → family. */
export const SERVICES = { web: "web", "web-canary": "web", worker: "worker" } as const;
/** How many seeding calls run at once. */
export const SEED_CONCURRENCY = 16;

/** A random 40-hex commit SHA. */
export function randomSha(): string {
  return randomBytes(20).toString("hex");
}

/** Creates the cluster and the repositories: the release's, and `platform`, where test/helpers/revisions.ts pushes the images of the revisions it registers (the rollback benchmarks'). */
export async function seedCluster(clients: AwsClients): Promise<void> {
  await createCluster(clients, CLUSTER);
  // The families' execution role (the pre-flight reads it; ECS reads the SecureStrings snapshot with it).
  await createRole(clients, SEED_EXECUTION_ROLE_NAME);
  await createRepository(clients, REPOSITORY);
  await createRepository(clients, "platform");
}

/**
 * Seeds the release platform with `parameters` SSM parameters (one in ten a SecureString, nested
 * ten ways); the services run a first image, and the environment's SecureStrings secret exists (an
 * environment released before: every release adds one version). Returns that image's SHA.
 */
export async function seedReleasePlatform(clients: AwsClients, parameters: number): Promise<string> {
  const sha = randomSha();
  await putImage(clients, REPOSITORY, sha);
  const app = { name: "app", image: imageUri(REPOSITORY, sha), essential: true, memory: 256 };
  // Revisions ecs-release released before (its record): the benchmark measures releases, not adoption.
  const base = { executionRoleArn: SEED_EXECUTION_ROLE, networkMode: "awsvpc" as const, requiresCompatibilities: ["FARGATE" as const], cpu: "256", memory: "512", tags: SEED_RECORD };
  await clients.secretsManager.send(new CreateSecretCommand({ Name: `ecs-release${SSM_PATH}`, SecretString: "{}" }));
  const web = await registerTaskDefinition(clients, {
    ...base,
    family: "web",
    containerDefinitions: [{ ...app, portMappings: [{ containerPort: 8080, protocol: "tcp" }] }, { name: "log-router", image: LOG_ROUTER_IMAGE, essential: false, memory: 64 }],
  });
  const worker = await registerTaskDefinition(clients, { ...base, family: "worker", containerDefinitions: [{ ...app, command: ["worker"] }] });
  const arns: Record<string, string> = { web, worker };
  for (const [service, family] of Object.entries(SERVICES)) {
    await createService(clients, { cluster: CLUSTER, name: service, taskDefinition: arns[family] ?? "", desiredCount: 2, launchType: "FARGATE", networkConfiguration: SEED_NETWORK });
  }
  const names = Array.from({ length: parameters }, (_, i) => `${SSM_PATH}/group${i % 10}/KEY_${String(i).padStart(4, "0")}`);
  await mapConcurrently(names, SEED_CONCURRENCY, (name, i) =>
    clients.ssm.send(new PutParameterCommand({ Name: name, Value: `value-${i}`, Type: i % 10 === 0 ? "SecureString" : "String", Overwrite: true })),
  );
  return sha;
}

/** The environment a CLI child process needs for the emulator. */
export { emulatorEnv } from "../../test/helpers/emulator.js";
