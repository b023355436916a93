/**
 * ECS's own record of a service's deployments next to ours: ECS keeps every service
 * deployment for 90 days (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/view-service-deployment.html)
 * with its status, start and finish, and the service revision it deployed with the image digests ECS
 * resolved; ecs-release keeps the outcome in the revision's tags. history and status show both and say
 * where they disagree. Pure.
 */
import type { ServiceDeployment, ServiceDeploymentBrief, ServiceRevision } from "@aws-sdk/client-ecs";
import type { OutcomeLabel } from "./revision-record.js";

/** How long ECS keeps service deployments. */
export const ECS_RECORD_RETENTION_DAYS = 90;

/** One container image of a service revision, as ECS resolved it. */
export interface ResolvedImage {
  readonly container: string;
  readonly image: string;
  readonly digest: string | null;
}

/** One of ECS's service deployments. */
export interface EcsDeploymentEntry {
  readonly serviceDeploymentArn: string;
  /** ServiceDeploymentStatus (SUCCESSFUL, ROLLBACK_SUCCESSFUL, STOPPED, IN_PROGRESS, …). */
  readonly status: string;
  readonly statusReason: string | null;
  /** BLUE_GREEN, LINEAR and CANARY: the lifecycle stage. */
  readonly lifecycleStage: string | null;
  readonly createdAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** The task definition of its target service revision, when the revision was read. */
  readonly taskDefinition: string | null;
  readonly serviceRevisionArn: string | null;
  readonly images: readonly ResolvedImage[];
}

/** Statuses of a service deployment still under way (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html). */
const ONGOING = new Set(["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

/** Builds entries from ListServiceDeployments (or DescribeServiceDeployments) and DescribeServiceRevisions answers, in the order given (newest first). */
export function ecsDeploymentEntries(deployments: ReadonlyArray<ServiceDeploymentBrief | ServiceDeployment>, revisions: readonly ServiceRevision[]): EcsDeploymentEntry[] {
  const byArn = new Map(revisions.map((r) => [r.serviceRevisionArn ?? "", r]));
  return deployments.map((d) => {
    const revisionArn = "targetServiceRevisionArn" in d ? d.targetServiceRevisionArn : "targetServiceRevision" in d ? d.targetServiceRevision?.arn : undefined;
    const revision = revisionArn !== undefined ? byArn.get(revisionArn) : undefined;
    return {
      serviceDeploymentArn: d.serviceDeploymentArn ?? "",
      status: d.status ?? "",
      statusReason: d.statusReason ?? null,
      lifecycleStage: "lifecycleStage" in d ? (d.lifecycleStage ?? null) : null,
      createdAt: iso(d.createdAt),
      startedAt: iso(d.startedAt),
      finishedAt: iso(d.finishedAt),
      taskDefinition: revision?.taskDefinition ?? null,
      serviceRevisionArn: revisionArn ?? null,
      images: (revision?.containerImages ?? []).map((c) => ({ container: c.containerName ?? "", image: c.image ?? "", digest: c.imageDigest ?? null })),
    };
  });
}

/**
 * Where the revision's outcome tag and ECS's status of its latest service deployment disagree, in one
 * sentence; undefined when they agree, when ECS is still deploying, or when the tag says nothing.
 * SUCCESSFUL agrees with stable and rolled back (stable first, rolled back from later); the rollback
 * statuses and STOPPED agree with failed and rolled back.
 */
export function recordDisagreement(tag: OutcomeLabel | null, entry: EcsDeploymentEntry): string | undefined {
  if (tag === null || tag === "unknown" || ONGOING.has(entry.status)) return undefined;
  const ecsFailed = entry.status === "ROLLBACK_SUCCESSFUL" || entry.status === "ROLLBACK_FAILED" || entry.status === "STOPPED";
  if (tag === "stable" && ecsFailed) return `the tag says stable, ECS says ${entry.status}${entry.statusReason ? ` (${entry.statusReason})` : ""}`;
  if (tag === "failed" && entry.status === "SUCCESSFUL") return `the tag says failed, ECS says SUCCESSFUL`;
  return undefined;
}

/** True when `releasedAt` (ISO) is older than ECS keeps service deployments: the tags stand alone. */
export function beyondEcsRecord(releasedAt: string | null, now: number): boolean {
  if (releasedAt === null) return false;
  const at = Date.parse(releasedAt);
  return Number.isFinite(at) && now - at > ECS_RECORD_RETENTION_DAYS * 24 * 3_600_000;
}

/** The newest entry that deployed this task definition. */
export function latestEntryFor(taskDefinitionArn: string, entries: readonly EcsDeploymentEntry[]): EcsDeploymentEntry | undefined {
  return entries.find((e) => e.taskDefinition === taskDefinitionArn);
}

/** The digests in short: `app@sha256:0123456789ab, log-router@sha256:…`. */
export function formatDigests(images: readonly ResolvedImage[]): string {
  return images.map((i) => `${i.container}@${i.digest !== null ? i.digest.slice(0, 19) : "?"}`).join(", ");
}

function iso(value: Date | undefined): string | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;
}
