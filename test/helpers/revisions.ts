/**
 * Seed task definition revisions that carry ecs-release's record (TAG.*), as `release` would leave
 * them, through real SDK calls; and read revisions back for assertions.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { TAG, type Outcome } from "../../src/core/tags.js";
import type { AwsClients } from "./emulator.js";
import { imageUri, LOG_ROUTER_IMAGE, putImage } from "./seed.js";

/** One revision to register. */
export interface RevisionSeed {
  readonly family: string;
  /** Commit SHA: the image tag and TAG.sha. */
  readonly sha: string;
  readonly outcome?: Outcome;
  readonly keep?: boolean;
  readonly releasedBy?: string;
  readonly releasedAt?: string;
  /** Container environment (to see a rollback bring it back). */
  readonly environment?: Record<string, string>;
  /** No TAG.* at all (a revision registered by something else). */
  readonly untagged?: boolean;
  /** Push its image to ECR too (needed when a service is pointed at it: the emulator, as ECS, fails missing images). */
  readonly pushImage?: boolean;
  /** The task execution role (a release rendering from the revision references the SecureStrings snapshot, which ECS reads with it). */
  readonly executionRoleArn?: string;
  /** The app container's secrets (`valueFrom`: a Secrets Manager ARN, a version pinned or not). */
  readonly secrets?: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
}

/** Push `platform:sha` to ECR (PutImage) unless it is there already. */
export async function pushImage(clients: AwsClients, sha: string): Promise<void> {
  try {
    await putImage(clients, "platform", sha);
  } catch (error) {
    if ((error as { name?: string }).name !== "ImageAlreadyExistsException") throw error;
  }
}

/** Registers a revision of `seed.family` (container `app` from repository `platform` plus a log-router sidecar) with ecs-release's tags; returns its ARN. */
export async function registerRevision(clients: AwsClients, seed: RevisionSeed): Promise<string> {
  const image = imageUri("platform", seed.sha);
  if (seed.pushImage === true) await pushImage(clients, seed.sha);
  const tags: Array<{ key: string; value: string }> = [];
  if (!seed.untagged) {
    tags.push({ key: TAG.sha, value: seed.sha }, { key: TAG.image, value: image }, { key: TAG.releasedBy, value: seed.releasedBy ?? "alice" });
    tags.push({ key: TAG.releasedAt, value: seed.releasedAt ?? new Date().toISOString() });
    if (seed.outcome) tags.push({ key: TAG.outcome, value: seed.outcome });
  }
  if (seed.keep) tags.push({ key: TAG.keep, value: "true" });
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: seed.family,
      ...(seed.executionRoleArn ? { executionRoleArn: seed.executionRoleArn } : {}),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "app",
          image,
          essential: true,
          memory: 256,
          environment: Object.entries(seed.environment ?? {}).map(([name, value]) => ({ name, value })),
          ...(seed.secrets ? { secrets: seed.secrets.map((secret) => ({ ...secret })) } : {}),
        },
        { name: "log-router", image: LOG_ROUTER_IMAGE, essential: false, memory: 64 },
      ],
      ...(tags.length > 0 ? { tags } : {}),
    }),
  );
  if (!taskDefinition?.taskDefinitionArn) throw new Error("RegisterTaskDefinition answered without an ARN");
  return taskDefinition.taskDefinitionArn;
}

/** Registers revisions in order (oldest first); returns their ARNs. */
export async function registerRevisions(clients: AwsClients, seeds: readonly RevisionSeed[]): Promise<string[]> {
  const arns: string[] = [];
  for (const seed of seeds) arns.push(await registerRevision(clients, seed));
  return arns;
}

/** A 40-hex commit SHA made of one repeated character ("a" → "aaaa…"). */
export function sha(character: string): string {
  return character.repeat(40);
}

/**
 * The status and tags of a revision, read back as AWS shows them. DescribeTaskDefinition first; ECS
 * refuses it (ClientException "Unable to describe task definition.") for an INACTIVE revision no
 * service or task references ("You can only describe INACTIVE task definitions while an active task or
 * service references them",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html). Then the
 * status is what ListTaskDefinitions (status INACTIVE) shows and the tags what ListTagsForResource
 * shows; its environment is not observable, and reading it throws.
 */
export async function readRevision(clients: AwsClients, taskDefinition: string): Promise<{ status: string; tags: Record<string, string>; environment: Record<string, string> }> {
  let out;
  try {
    out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ["TAGS"] }));
  } catch (error) {
    if (!(error instanceof Error && /Unable to describe task definition/.test(error.message))) throw error;
    return readUndescribed(clients, taskDefinition);
  }
  const tags: Record<string, string> = {};
  for (const tag of out.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? "";
  const environment: Record<string, string> = {};
  for (const pair of out.taskDefinition?.containerDefinitions?.[0]?.environment ?? []) if (pair.name) environment[pair.name] = pair.value ?? "";
  return { status: out.taskDefinition?.status ?? "", tags, environment };
}

/** A revision DescribeTaskDefinition refuses: INACTIVE when ListTaskDefinitions lists it so, its tags from ListTagsForResource. */
async function readUndescribed(clients: AwsClients, taskDefinition: string): Promise<{ status: string; tags: Record<string, string>; environment: Record<string, string> }> {
  const name = /([A-Za-z0-9_-]+):(\d+)$/.exec(taskDefinition.replace(/^.*:task-definition\//, ""));
  if (!name) throw new Error(`readRevision: ${taskDefinition} is not family:revision`);
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: name[1], status: "INACTIVE", ...(nextToken ? { nextToken } : {}) }));
    arns.push(...(page.taskDefinitionArns ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  const arn = arns.find((candidate) => candidate.endsWith(`:task-definition/${name[1]}:${name[2]}`));
  if (arn === undefined) throw new Error(`readRevision: ${taskDefinition} is neither described nor listed as INACTIVE`);
  const listed = await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
  const tags: Record<string, string> = {};
  for (const tag of listed.tags ?? []) if (tag.key) tags[tag.key] = tag.value ?? "";
  return {
    status: "INACTIVE",
    tags,
    get environment(): Record<string, string> {
      throw new Error(`readRevision: the environment of ${taskDefinition} is not observable (INACTIVE, not referenced: ECS will not describe it)`);
    },
  };
}

/** Every ACTIVE revision number of a family, ascending. */
export async function activeRevisions(clients: AwsClients, family: string): Promise<number[]> {
  const out = await clients.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE" }));
  return (out.taskDefinitionArns ?? [])
    .filter((arn) => arn.includes(`:task-definition/${family}:`))
    .map((arn) => Number(arn.slice(arn.lastIndexOf(":") + 1)))
    .sort((a, b) => a - b);
}

/** The service as DescribeServices returns it (note: each call advances the emulator's rollouts one step). */
export async function describeService(clients: AwsClients, cluster: string, service: string): Promise<Service> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.[0];
  if (!found) throw new Error(`service ${service} not found`);
  return found;
}

/**
 * Points a service at a revision and polls until the rollout settles (the primary deployment is
 * COMPLETED or the service fell back); returns the revision the service ends on.
 */
export async function rollOut(clients: AwsClients, cluster: string, service: string, taskDefinition: string, maxPolls = 50): Promise<string> {
  // The emulator fails deployments of ECR images missing from ECR (as ECS does): push the revision's `platform` images first.
  const { taskDefinition: definition } = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  for (const container of definition?.containerDefinitions ?? []) {
    const tag = /\/platform:([0-9a-f]{40})$/.exec(container.image ?? "")?.[1];
    if (tag !== undefined) await pushImage(clients, tag);
  }
  const { service: updated } = await clients.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }));
  const ours = updated?.deployments?.find((d) => d.status === "PRIMARY")?.id;
  let seen = false;
  for (let poll = 0; poll < maxPolls; poll++) {
    const current = await describeService(clients, cluster, service);
    const deployments = current.deployments ?? [];
    // ECS is eventually consistent: a read may still show the service before the update (emulator default: one read).
    seen ||= ours === undefined || deployments.some((d) => d.id === ours);
    if (!seen) continue;
    const primary = deployments.find((d) => d.status === "PRIMARY");
    if (deployments.length === 1 && primary?.rolloutState === "COMPLETED") return current.taskDefinition ?? "";
  }
  throw new Error(`${service} did not settle on ${taskDefinition} within ${maxPolls} polls`);
}
