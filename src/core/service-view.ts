/**
 * Is a DescribeServices answer the service as it is now? Pure.
 *
 * ECS is eventually consistent: "the result of an API command you run that affects your Amazon ECS
 * resources might not be immediately visible to all subsequent commands you run"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html). Right after an
 * UpdateService (a release with --no-wait, a release job still waiting), DescribeServices can still
 * answer with the service on the old revision and nothing in flight. ECS's service deployment record
 * is a second witness: every UpdateService that starts a deployment opens one, and
 * ListServiceDeployments lists them (in no documented order: the newest is found by createdAt,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html). A view
 * that does not know the newest record is older than it: re-read it (within a bounded grace) before
 * anything is decided from it.
 *
 * The view knows the newest record when its `currentServiceDeployment` is that record, or — because
 * `currentServiceDeployment` itself may name the previous, already finished deployment (kayac/ecspresso
 * PR #945, "Fix waiting for stale deployment") — when its PRIMARY deployment runs the record's target
 * revision and was created with it.
 */
import type { Deployment, Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { revisionName } from "./rollout-state.js";

/**
 * How far apart ECS may stamp one update's Deployment.createdAt and ServiceDeployment.createdAt. The
 * API reference documents no relation between the two clocks; the record's own startedAt follows its
 * createdAt by a fraction of a second in the public reports (kayac/ecspresso#899), so 2 s is generous
 * and still far shorter than any two releases of one service.
 */
export const SAME_UPDATE_MS = 2_000;

/** The newest service deployment of a service, with the task definition of its target revision when read. */
export interface NewestRecord {
  readonly arn: string;
  readonly status: string;
  readonly createdAt: number | undefined;
  readonly targetRevisionArn: string | undefined;
  readonly taskDefinition?: string | undefined;
}

/** What the view is worth. */
export type ViewVerdict =
  /** The view knows the newest service deployment. */
  | { readonly kind: "current" }
  /** ECS keeps no record for this service (CODE_DEPLOY or EXTERNAL controller) or none could be read: the view stands alone. */
  | { readonly kind: "no-record" }
  /** The newest record is not in the view: the view is older than it. */
  | { readonly kind: "stale"; readonly newest: NewestRecord }
  /** The view may be current, but only the newest record's target revision can tell (read it, then judge again). */
  | { readonly kind: "need-revision"; readonly newest: NewestRecord };

/** The newest of ListServiceDeployments' briefs, by createdAt (ECS documents no order for its answer). */
export function newestRecordOf(briefs: readonly ServiceDeploymentBrief[]): NewestRecord | undefined {
  const sorted = [...briefs].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  const newest = sorted[0];
  if (newest?.serviceDeploymentArn === undefined) return undefined;
  return { arn: newest.serviceDeploymentArn, status: newest.status ?? "", createdAt: newest.createdAt?.getTime(), targetRevisionArn: newest.targetServiceRevisionArn };
}

/** Judges one DescribeServices view against the newest service deployment ECS records for it. */
export function judgeServiceView(service: Service, newest: NewestRecord | undefined): ViewVerdict {
  if (newest === undefined) return { kind: "no-record" };
  if (service.currentServiceDeployment === newest.arn) return { kind: "current" };
  const primary = (service.deployments ?? []).find((d) => d.status === "PRIMARY");
  if (primary === undefined || !createdWith(primary, newest)) return { kind: "stale", newest };
  if (newest.taskDefinition === undefined) return newest.targetRevisionArn === undefined ? { kind: "stale", newest } : { kind: "need-revision", newest };
  return primary.taskDefinition === newest.taskDefinition ? { kind: "current" } : { kind: "stale", newest };
}

function createdWith(deployment: Deployment, newest: NewestRecord): boolean {
  const created = deployment.createdAt?.getTime();
  return created !== undefined && newest.createdAt !== undefined && created >= newest.createdAt - SAME_UPDATE_MS;
}

/** The line a command logs when a view was older than the newest service deployment and was read again. */
export function staleViewLine(service: string, newest: NewestRecord, rereads: number): string {
  return `${service}: DescribeServices showed the service before its newest service deployment (${describeRecord(newest)}): ECS's eventual consistency; read it again ${rereads} time${rereads === 1 ? "" : "s"}`;
}

/**
 * The newest entry of ECS's record as read by history (newest first), for {@link judgeServiceView}:
 * its target's task definition is known, so no further read is needed.
 */
export function newestRecordOfEntries(entries: ReadonlyArray<{ readonly serviceDeploymentArn: string; readonly status: string; readonly createdAt: string | null; readonly taskDefinition: string | null; readonly serviceRevisionArn: string | null }>): NewestRecord | undefined {
  const newest = [...entries].sort((a, b) => Date.parse(b.createdAt ?? "") - Date.parse(a.createdAt ?? ""))[0];
  if (newest === undefined) return undefined;
  const createdAt = newest.createdAt !== null ? Date.parse(newest.createdAt) : undefined;
  return { arn: newest.serviceDeploymentArn, status: newest.status, createdAt: Number.isNaN(createdAt) ? undefined : createdAt, targetRevisionArn: newest.serviceRevisionArn ?? undefined, taskDefinition: newest.taskDefinition ?? undefined };
}

/** The warning of a read-only command whose view misses the newest service deployment: what of its output may be old. */
export function unconfirmedOutputLine(command: string, service: string, newest: NewestRecord, what: string): string {
  return `${command}: ${service}: DescribeServices does not show its newest service deployment (${describeRecord(newest)}) yet (ECS's eventual consistency): ${what} may be seconds old`;
}

/** The line when the view never caught up within the grace. */
export function unconfirmedViewLine(service: string, newest: NewestRecord, graceMs: number): string {
  return `${service}: DescribeServices still does not show its newest service deployment (${describeRecord(newest)}) after ${Math.round(graceMs / 1000)}s: the view could not be confirmed`;
}

function describeRecord(newest: NewestRecord): string {
  const created = newest.createdAt !== undefined ? `, created ${new Date(newest.createdAt).toISOString()}` : "";
  const target = newest.taskDefinition !== undefined ? ` of ${revisionName(newest.taskDefinition)}` : "";
  return `${newest.status}${target}${created}`;
}

/**
 * The task definition ECS returns a service to when a deployment in flight is stopped with ROLLBACK or
 * rolled back: the last deployment that completed successfully (the circuit breaker "rolls back to the
 * last deployment that completed successfully",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html; StopServiceDeployment
 * "rolls back the service deployment to the previous service revision",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html). From the
 * briefs (newest first) and the task definitions of their target revisions; undefined when none of
 * them completed (the caller does not rely on ECS's choice then).
 */
export function lastCompletedTaskDefinition(briefs: readonly ServiceDeploymentBrief[], taskDefinitionOf: ReadonlyMap<string, string>): string | undefined {
  const sorted = [...briefs].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  const done = sorted.find((b) => b.status === "SUCCESSFUL");
  return done?.targetServiceRevisionArn !== undefined ? taskDefinitionOf.get(done.targetServiceRevisionArn) : undefined;
}
