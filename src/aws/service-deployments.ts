/**
 * ECS's service deployment record: ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions and StopServiceDeployment. ECS keeps the record of every service deployment
 * for 90 days (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/view-service-deployment.html).
 * Each function is one operation (or one batch of it) through `awsCall` (exit 3 on errors).
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  type ServiceRevision,
} from "@aws-sdk/client-ecs";
import { ecsDeploymentEntries, type EcsDeploymentEntry } from "../core/ecs-record.js";
import { awsCall } from "./call.js";
import type { AwsClients } from "./clients.js";

type Ecs = Pick<AwsClients, "ecs">;

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs a call (API reference). */
export const SERVICE_DEPLOYMENT_BATCH = 20;

/** ListServiceDeployments answers 1–100 a page (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html). */
export const LIST_SERVICE_DEPLOYMENTS_MAX = 100;

/** `describe` over `arns` in batches of 20, one call after the other, results in order. */
async function inBatches<T>(arns: readonly string[], describe: (batch: string[]) => Promise<readonly T[] | undefined>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < arns.length; i += SERVICE_DEPLOYMENT_BATCH) out.push(...((await describe(arns.slice(i, i + SERVICE_DEPLOYMENT_BATCH))) ?? []));
  return out;
}

/** The service deployments with these ARNs (one call per 20); unknown ARNs are left out. */
export async function describeServiceDeployments(clients: Ecs, arns: readonly string[], signal?: AbortSignal): Promise<ServiceDeployment[]> {
  return inBatches(arns, async (batch) => {
    const output = await awsCall("DescribeServiceDeployments", batch.join(","), () =>
      clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }), signal ? { abortSignal: signal } : {}),
    );
    return output.serviceDeployments;
  });
}

/** The service revisions with these ARNs (one call per 20); unknown ARNs are left out. */
export async function describeServiceRevisions(clients: Ecs, arns: readonly string[], signal?: AbortSignal): Promise<ServiceRevision[]> {
  return inBatches(arns, async (batch) => {
    const output = await awsCall("DescribeServiceRevisions", batch.join(","), () =>
      clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }), signal ? { abortSignal: signal } : {}),
    );
    return output.serviceRevisions;
  });
}

/**
 * A service's service deployments created after `createdAfter` and before `createdBefore` (every one
 * ECS keeps when both are undefined), newest first by createdAt. The API reference documents no order for ListServiceDeployments'
 * answer (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html),
 * so no page is taken for the newest: every page is read (100 a page) and sorted here, and the
 * `createdAt` filter (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreatedAt.html)
 * keeps the answer to the few deployments a caller asks about, usually one page.
 */
export async function listServiceDeployments(clients: Ecs, cluster: string, service: string, options: { createdAfter?: Date; createdBefore?: Date; status?: string[]; signal?: AbortSignal } = {}): Promise<ServiceDeploymentBrief[]> {
  const createdAt = { ...(options.createdAfter !== undefined ? { after: options.createdAfter } : {}), ...(options.createdBefore !== undefined ? { before: options.createdBefore } : {}) };
  const out: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const output = await awsCall("ListServiceDeployments", `${cluster}/${service}`, () =>
      clients.ecs.send(
        new ListServiceDeploymentsCommand({
          cluster,
          service,
          maxResults: LIST_SERVICE_DEPLOYMENTS_MAX,
          ...(Object.keys(createdAt).length > 0 ? { createdAt } : {}),
          ...(options.status !== undefined ? { status: options.status as ListServiceDeploymentsStatus } : {}),
          ...(nextToken !== undefined ? { nextToken } : {}),
        }),
        options.signal ? { abortSignal: options.signal } : {},
      ),
    );
    out.push(...(output.serviceDeployments ?? []));
    nextToken = output.nextToken;
  } while (nextToken !== undefined);
  return out.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

type ListServiceDeploymentsStatus = NonNullable<ConstructorParameters<typeof ListServiceDeploymentsCommand>[0]["status"]>;

/**
 * StopServiceDeployment with stopType ROLLBACK: ECS returns the service to the previous service
 * revision ("You can use this option even if you didn't configure the service deployment for the
 * rollback option", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html).
 */
export async function stopServiceDeploymentRollback(clients: Ecs, serviceDeploymentArn: string): Promise<void> {
  await awsCall("StopServiceDeployment", serviceDeploymentArn, () => clients.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" })));
}

/**
 * ECS's record of a service's newest `limit` deployments with their target revisions (task definition,
 * resolved image digests): every ListServiceDeployments page (ECS lists in no documented order, so the
 * newest are known only once all are read: one call per 100 deployments of the last 90 days) and
 * ceil(limit / 20) DescribeServiceRevisions calls.
 */
export async function serviceDeploymentHistory(clients: Ecs, cluster: string, service: string, limit: number, signal?: AbortSignal): Promise<EcsDeploymentEntry[]> {
  const briefs = (await listServiceDeployments(clients, cluster, service, signal ? { signal } : {})).slice(0, limit);
  const revisionArns = [...new Set(briefs.flatMap((b) => (b.targetServiceRevisionArn !== undefined ? [b.targetServiceRevisionArn] : [])))];
  const revisions = revisionArns.length > 0 ? await describeServiceRevisions(clients, revisionArns, signal) : [];
  return ecsDeploymentEntries(briefs, revisions);
}
