/**
 * Reading and retiring task definition revisions for rollback, history and prune: listing a
 * family newest first a page at a time (stopping as soon as the caller has enough), describing
 * revisions with their tags a few at a time, deregistering, and finding every revision the
 * services of a cluster still use.
 */
import { pinnedSecretVersions } from "../core/secret-snapshot.js";
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  type Service,
  type TaskDefinition,
  type TaskDefinitionStatus,
} from "@aws-sdk/client-ecs";
import { awsErrorCode, clusterNotFoundError, translateAwsError } from "../core/aws-errors.js";
import { parseRevisionName, undescribedInactive, type RevisionRecord } from "../core/revision-record.js";
import { revisionUsers } from "../core/revision-usage.js";
import { TAG, tagsToMap } from "../core/tags.js";
import { awsCall } from "./call.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import type { AwsClients } from "./clients.js";

type Ecs = Pick<AwsClients, "ecs">;

/** How many DescribeTaskDefinition calls run at once (ECS throttles describes at ~20/s sustained). */
export const DESCRIBE_CONCURRENCY = 5;

/**
 * Lists a family's revision ARNs newest first, one ListTaskDefinitions page at a time, only as
 * far as asked: `next(n)` returns the next n ARNs (fewer at the end). `familyPrefix` also matches
 * longer family names, so ARNs of other families are dropped here.
 */
export class RevisionLister {
  private readonly buffer: string[] = [];
  private nextToken: string | undefined;
  private started = false;
  /** ListTaskDefinitions calls made so far. */
  calls = 0;

  constructor(
    private readonly clients: Ecs,
    readonly family: string,
    readonly status: TaskDefinitionStatus = "ACTIVE",
    private readonly signal?: AbortSignal,
  ) {}

  /** True when every ARN has been returned. */
  get exhausted(): boolean {
    return this.started && this.nextToken === undefined && this.buffer.length === 0;
  }

  /** The next `count` ARNs, newest first. */
  async next(count: number): Promise<string[]> {
    while (this.buffer.length < count && (!this.started || this.nextToken !== undefined)) await this.fetchPage(count - this.buffer.length);
    return this.buffer.splice(0, count);
  }

  private async fetchPage(wanted: number): Promise<void> {
    const token = this.nextToken;
    this.started = true;
    this.calls++;
    const page = await awsCall(`ListTaskDefinitions`, `${this.family} (${this.status})`, () =>
      this.clients.ecs.send(
        new ListTaskDefinitionsCommand({
          familyPrefix: this.family,
          status: this.status,
          sort: "DESC",
          maxResults: Math.min(100, Math.max(10, wanted)),
          ...(token ? { nextToken: token } : {}),
        }),
        this.signal ? { abortSignal: this.signal } : {},
      ),
    );
    const arns = (page.taskDefinitionArns ?? [])
      .map((arn) => ({ arn, name: parseRevisionName(arn) }))
      .filter((entry) => entry.name?.family === this.family)
      // A page is already newest first; sorting it again costs nothing and keeps us correct
      // against implementations that ignore `sort`.
      .sort((a, b) => (b.name?.revision ?? 0) - (a.name?.revision ?? 0))
      .map((entry) => entry.arn);
    this.buffer.push(...arns);
    this.nextToken = page.nextToken || undefined;
  }
}

/** Lists up to `limit` revision ARNs of a family with that status, newest first. */
export async function listRevisionArns(clients: Ecs, family: string, limit: number, status: TaskDefinitionStatus = "ACTIVE", signal?: AbortSignal): Promise<string[]> {
  return new RevisionLister(clients, family, status, signal).next(limit);
}

/** Converts DescribeTaskDefinition output into a RevisionRecord. */
export function toRevisionRecord(taskDefinition: TaskDefinition, tags: ReadonlyArray<{ key?: string | undefined; value?: string | undefined }> | undefined): RevisionRecord {
  const arn = taskDefinition.taskDefinitionArn ?? "";
  const map = tagsToMap(tags);
  const image = map[TAG.image] ?? applicationImage(taskDefinition);
  const registeredAt = taskDefinition.registeredAt instanceof Date ? taskDefinition.registeredAt.toISOString() : undefined;
  const images = (taskDefinition.containerDefinitions ?? []).flatMap((c) => (typeof c.image === "string" ? [c.image] : []));
  const pinned = pinnedSecretVersions(taskDefinition.containerDefinitions ?? []);
  return {
    arn,
    family: taskDefinition.family ?? parseRevisionName(arn)?.family ?? "",
    revision: taskDefinition.revision ?? parseRevisionName(arn)?.revision ?? 0,
    status: taskDefinition.status ?? "ACTIVE",
    tags: map,
    ...(image === undefined ? {} : { image }),
    ...(images.length === 0 ? {} : { images }),
    ...(registeredAt === undefined ? {} : { registeredAt }),
    ...(pinned.size === 0 ? {} : { secretVersions: Object.fromEntries([...pinned].map(([arn, ids]) => [arn, [...ids]])) }),
  };
}

/** The image of the container that looks like the application's: one tagged with a commit SHA, else the first. */
function applicationImage(taskDefinition: TaskDefinition): string | undefined {
  const images = (taskDefinition.containerDefinitions ?? []).map((c) => c.image).filter((image): image is string => typeof image === "string");
  return images.find((image) => /:[0-9a-f]{7,40}$/i.test(image)) ?? images[0];
}

/**
 * Describes one revision (a family, `family:revision` or an ARN) with its tags; undefined when it
 * does not exist.
 */
export async function describeRevision(clients: Ecs, taskDefinition: string, signal?: AbortSignal): Promise<RevisionRecord | undefined> {
  try {
    const output = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ["TAGS"] }), signal ? { abortSignal: signal } : {});
    return output.taskDefinition ? toRevisionRecord(output.taskDefinition, output.tags) : undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (awsErrorCode(error) === "ClientException" && /unable to describe|not found|does not exist|is missing/i.test(message)) return undefined;
    throw translateAwsError("DescribeTaskDefinition", taskDefinition, error);
  }
}

/**
 * A revision ECS lists as INACTIVE but no longer describes ("You can only describe INACTIVE task
 * definitions while an active task or service references them",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html): its
 * name, status and tags, the tags read with ListTagsForResource (it takes a task definition ARN:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTagsForResource.html), so that its
 * release record (commit, outcome) is not lost. Tags that cannot be read leave the record without them.
 */
export async function undescribedInactiveRecord(clients: Ecs, arn: string, signal?: AbortSignal): Promise<RevisionRecord | undefined> {
  try {
    const output = await clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }), signal ? { abortSignal: signal } : {});
    return undescribedInactive(arn, tagsToMap(output.tags));
  } catch (error) {
    if (signal?.aborted) throw error;
    return undescribedInactive(arn);
  }
}

/**
 * Describes revisions with their tags, at most `concurrency` calls at a time; the result keeps the
 * order of `arns` and leaves out revisions that no longer exist.
 */
export async function describeRevisions(clients: Ecs, arns: readonly string[], options: { concurrency?: number; signal?: AbortSignal } = {}): Promise<RevisionRecord[]> {
  const results = await mapConcurrently(arns, options.concurrency ?? DESCRIBE_CONCURRENCY, (arn) => describeRevision(clients, arn, options.signal));
  return results.filter((record): record is RevisionRecord => record !== undefined);
}

/** Deregisters a revision (it becomes INACTIVE: running tasks go on, no new ones start from it). */
export async function deregisterRevision(clients: Ecs, arn: string): Promise<void> {
  await awsCall("DeregisterTaskDefinition", arn, () => clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
}

/** Every service of a cluster and the revisions their deployments use. */
export interface ClusterUsage {
  /** ACTIVE and DRAINING services. */
  readonly services: readonly Service[];
  /** Task definition ARN → names of the services with a deployment that uses it. */
  readonly inUse: Map<string, string[]>;
}

/**
 * Finds every revision the services of a cluster use: ListServices (all pages), then
 * DescribeServices in batches of 10, concurrently. Every deployment counts, not only the
 * service's current task definition: a revision being replaced still runs tasks.
 */
export async function listClusterUsage(clients: Ecs, cluster: string, signal?: AbortSignal): Promise<ClusterUsage> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await sendListServices(clients, cluster, token, signal);
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += 10) batches.push(arns.slice(i, i + 10));
  // A few batches at a time: a cluster of hundreds of services must not burst the account's ECS read rate.
  const described = await mapConcurrently(batches, DESCRIBE_CONCURRENCY, (batch) =>
    awsCall("DescribeServices", `${cluster}/${batch.length} services`, () => clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }), signal ? { abortSignal: signal } : {})),
  );
  const services = described.flatMap((output) => output.services ?? []).filter((service) => service.status !== "INACTIVE");
  return { services, inUse: revisionUsers([{ cluster, services }], { home: cluster }) };
}

/**
 * Every cluster of the region (ListClusters) and its services (listClusterUsage, the clusters
 * concurrently), plus `cluster` when ListClusters does not name it. What rollback and prune check
 * before they deregister: a revision is "in use" when a service in any cluster runs it.
 */
export async function listRegionUsage(clients: Ecs, cluster: string | undefined, signal?: AbortSignal): Promise<Array<{ cluster: string; services: readonly Service[]; inUse: Map<string, string[]> }>> {
  const clusters = await listClusters(clients, signal);
  if (cluster && !clusters.some((arn) => arn === cluster || arn.endsWith(`/${cluster}`))) clusters.push(cluster);
  return Promise.all(clusters.map(async (arn) => ({ cluster: arn, ...(await listClusterUsage(clients, arn, signal)) })));
}

/** The ARNs of every cluster in the region. */
export async function listClusters(clients: Ecs, signal?: AbortSignal): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await awsCall("ListClusters", "*", () => clients.ecs.send(new ListClustersCommand(token ? { nextToken: token } : {}), signal ? { abortSignal: signal } : {}));
    arns.push(...(page.clusterArns ?? []));
    nextToken = page.nextToken || undefined;
  } while (nextToken);
  return arns;
}

async function sendListServices(clients: Ecs, cluster: string, token: string | undefined, signal: AbortSignal | undefined) {
  try {
    return await clients.ecs.send(new ListServicesCommand({ cluster, maxResults: 100, ...(token ? { nextToken: token } : {}) }), signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (awsErrorCode(error) === "ClusterNotFoundException") throw clusterNotFoundError(cluster, undefined, error);
    throw translateAwsError("ListServices", cluster, error);
  }
}

