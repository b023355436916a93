/**
 * What the emulator's front reads from moto for itself (to simulate rollouts, check images, place
 * tasks) and may keep instead of asking moto again. Each read of the simulation asks moto over HTTP,
 * and a rollout asks the same questions at every step; the test suite's time is mostly those round
 * trips. Kept are only answers that nothing can change, or that only a call through the front can
 * change (moto is reached by no one else), and those calls drop them:
 *
 * - A task definition revision's body (containers, images, environment): a revision is never edited;
 *   "to update a task definition, create a task definition revision"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/update-task-definition-console-v2.html).
 *   Only its status and tags change; tags are not kept here. Kept by the exact revision (`family:N` or its ARN); a family name
 *   (its latest ACTIVE revision) is always asked. Dropped by DeleteTaskDefinitions (moto might number a
 *   later registration the same) and by every reset (revisions are numbered from 1 again).
 *   A revision registered through the front is kept from moto's answer to the registration, which
 *   carries all of it.
 * - A revision's status (ACTIVE, INACTIVE): changed only by DeregisterTaskDefinition and
 *   DeleteTaskDefinitions (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeregisterTaskDefinition.html),
 *   which drop it. Kept by the exact revision.
 * - ECR image reads (an image by tag or digest): dropped by any ECR call that writes (PutImage,
 *   BatchDeleteImage, DeleteRepository, …), before it is forwarded and again once it is answered, so a
 *   read that raced with the write is not kept.
 * - A repository's description (its tag mutability, for PutImage's check): dropped by any ECR write
 *   but those that only add or remove images (PutImage, BatchDeleteImage, the layer uploads), which
 *   DescribeRepositories does not show (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html);
 *   PutImageTagMutability, CreateRepository and DeleteRepository drop it.
 * - The default subnet of a region (RunTask's placement in moto): dropped by any EC2 call that writes.
 *
 * Concurrent reads of the same thing share one request to moto (the promise is kept).
 */

/** The parts of a revision the front uses: never changed after registration. */
export interface RevisionBody {
  readonly taskDefinitionArn: string;
  readonly containerDefinitions: readonly unknown[];
}

const READ = /^(Describe|List|Get|BatchGet|BatchCheck)/;
/** ECR writes that add or remove images only: a repository's description stays as it was. */
const IMAGE_WRITES = new Set(["PutImage", "BatchDeleteImage", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload"]);

/** True for an operation that only reads (Describe…, List…, Get…, BatchGet…, BatchCheck…). */
export function isReadOperation(operation: string): boolean {
  return READ.test(operation);
}

/** A revision reference that names one revision (`family:N`, or an ARN ending in `:N`). */
export function namesOneRevision(reference: string): boolean {
  return /:\d+$/.test(reference);
}

/** What a {@link MotoReadCache} kept, settled ({@link MotoReadCache.snapshot}). */
export interface CacheSnapshot {
  readonly revisions: Map<string, unknown>;
  readonly ecr: Map<string, unknown>;
  readonly repositories: Map<string, unknown>;
  readonly statuses: Map<string, unknown>;
  readonly subnets: Map<string, unknown>;
}

export class MotoReadCache {
  private readonly revisions = new Map<string, Promise<RevisionBody | undefined>>();
  private readonly ecr = new Map<string, Promise<unknown>>();
  private readonly repositories = new Map<string, Promise<unknown>>();
  private readonly statuses = new Map<string, Promise<unknown>>();
  private readonly subnets = new Map<string, Promise<string | undefined>>();
  /** Reads answered from here, by kind (`GET /_sim/moto-calls` reports them beside moto's). */
  readonly hits = { revision: 0, status: 0, ecr: 0, repository: 0, subnet: 0 };

  /** Forget everything (moto was reset). */
  clear(): void {
    this.revisions.clear();
    this.ecr.clear();
    this.repositories.clear();
    this.statuses.clear();
    this.subnets.clear();
  }

  /**
   * What is kept, settled and copied (`POST /_sim/restore`, proxy.ts: moto's state is put back with
   * it, so what was kept still holds). Reads that failed are left out, as they are never kept.
   */
  async snapshot(): Promise<CacheSnapshot> {
    const settled = async (map: Map<string, Promise<unknown>>): Promise<Map<string, unknown>> => {
      const entries = await Promise.all([...map].map(async ([key, value]) => [key, await value.then((v) => ({ v }), () => undefined)] as const));
      return new Map(entries.flatMap(([key, kept]) => (kept === undefined || kept.v === undefined ? [] : [[key, kept.v] as const])));
    };
    return structuredClone({
      revisions: await settled(this.revisions),
      ecr: await settled(this.ecr),
      repositories: await settled(this.repositories),
      statuses: await settled(this.statuses),
      subnets: await settled(this.subnets),
    });
  }

  /** Keep exactly what {@link snapshot} copied (a copy of it). */
  restore(snapshot: CacheSnapshot): void {
    const copy = structuredClone(snapshot);
    for (const [map, from] of [
      [this.revisions, copy.revisions],
      [this.ecr, copy.ecr],
      [this.repositories, copy.repositories],
      [this.statuses, copy.statuses],
      [this.subnets, copy.subnets],
    ] as Array<[Map<string, Promise<unknown>>, Map<string, unknown>]>) {
      map.clear();
      for (const [key, value] of from) map.set(key, Promise.resolve(value));
    }
  }

  /** A client's call is about to change moto, or just did: drop what it may have changed. */
  invalidate(service: string, operation: string): void {
    if (isReadOperation(operation)) return;
    if (service === "ecr") this.ecr.clear();
    if (service === "ecr" && !IMAGE_WRITES.has(operation)) this.repositories.clear();
    if (service === "ec2") this.subnets.clear();
    if (service === "ecs" && operation === "DeleteTaskDefinitions") this.revisions.clear();
    if (service === "ecs" && (operation === "DeregisterTaskDefinition" || operation === "DeleteTaskDefinitions")) this.statuses.clear();
  }

  /** The body of the revision `reference` names, from `load` (moto) unless kept; a family name is always loaded. */
  async revision(reference: string, load: () => Promise<RevisionBody | undefined>): Promise<RevisionBody | undefined> {
    const exact = namesOneRevision(reference);
    const kept = exact ? this.revisions.get(reference) : undefined;
    if (kept !== undefined) {
      this.hits.revision += 1;
      return kept;
    }
    const loading = load();
    if (exact) this.revisions.set(reference, loading);
    const body = await loading;
    if (body === undefined) {
      if (this.revisions.get(reference) === loading) this.revisions.delete(reference);
      return undefined;
    }
    if (!this.revisions.has(body.taskDefinitionArn)) this.revisions.set(body.taskDefinitionArn, Promise.resolve(body));
    return body;
  }

  /**
   * A revision a client just registered through the front: moto's answer carries the whole revision,
   * so its body and its status (ACTIVE) are kept as the front's own DescribeTaskDefinition would have
   * found them, under its ARN and `family:N`. Only a revision the front's own reads would find (they
   * ask moto in `region` as account `account`): a registration in another region or account is not
   * one of theirs.
   */
  registered(definition: Record<string, unknown>, where: { region: string; account: string }): void {
    const arn = definition["taskDefinitionArn"];
    const match = typeof arn === "string" ? /^arn:aws:ecs:([^:]+):(\d+):task-definition\/(.+:\d+)$/.exec(arn) : null;
    if (match === null || match[1] !== where.region || match[2] !== where.account || typeof arn !== "string") return;
    const body: RevisionBody = { taskDefinitionArn: arn, containerDefinitions: Array.isArray(definition["containerDefinitions"]) ? definition["containerDefinitions"] : [] };
    const described = { status: 200, json: { taskDefinition: definition } };
    for (const reference of [arn, match[3] as string]) {
      this.revisions.set(reference, Promise.resolve(body));
      this.statuses.set(reference, Promise.resolve(described));
    }
  }

  /** The status of the revision `reference` names exactly (moto's answer from `load`), kept until a deregistration. */
  status<T>(reference: string, load: () => Promise<T>): Promise<T> {
    return keep(this.statuses, reference, load, () => (this.hits.status += 1));
  }

  /** An ECR image read (`key`: the region, operation and request), from `load` unless kept since the last ECR write. */
  ecrRead<T>(key: string, load: () => Promise<T>): Promise<T> {
    return keep(this.ecr, key, load, () => (this.hits.ecr += 1));
  }

  /** A repository's description (`key`: the region and name), from `load` unless kept since the last ECR write of a repository's settings. */
  repository<T>(key: string, load: () => Promise<T>): Promise<T> {
    return keep(this.repositories, key, load, () => (this.hits.repository += 1));
  }

  /** The default subnet of `region`, from `load` unless kept since the last EC2 write. */
  defaultSubnet(region: string, load: () => Promise<string | undefined>): Promise<string | undefined> {
    const kept = this.subnets.get(region);
    if (kept !== undefined) {
      this.hits.subnet += 1;
      return kept;
    }
    const loading = load();
    this.subnets.set(region, loading);
    void loading.then(
      (subnet) => (subnet === undefined && this.subnets.get(region) === loading ? this.subnets.delete(region) : undefined),
      () => (this.subnets.get(region) === loading ? this.subnets.delete(region) : undefined),
    );
    return loading;
  }
}

/** `map`'s promise for `key`, or `load()`'s, kept there unless it fails. */
function keep<T>(map: Map<string, Promise<unknown>>, key: string, load: () => Promise<T>, hit: () => void): Promise<T> {
  const kept = map.get(key) as Promise<T> | undefined;
  if (kept !== undefined) {
    hit();
    return kept;
  }
  const loading = load();
  map.set(key, loading);
  loading.catch(() => (map.get(key) === loading ? map.delete(key) : undefined));
  return loading;
}
