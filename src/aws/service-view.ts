/**
 * DescribeServices checked against ECS's service deployment record (core/service-view.ts): a view
 * older than the newest service deployment is read again, every `pollIntervalMs`, until it shows it or
 * `graceMs` passes. Per read: one DescribeServices per 10 services, one ListServiceDeployments per
 * service (those created since the view's oldest deployment, usually one page; a second, of the last
 * completed one, when none of those completed), and a DescribeServiceRevisions only when the view
 * names another record than the newest. Returns data; words nothing.
 */
import type { Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import type { Clock } from "../core/clock.js";
import { AwsCallError } from "../core/errors.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import { judgeServiceView, newestRecordOf, SAME_UPDATE_MS, type NewestRecord, type ViewVerdict } from "../core/service-view.js";
import type { AwsClients } from "./clients.js";
import { describeServices } from "./ecs.js";
import { describeServiceRevisions, listServiceDeployments } from "./service-deployments.js";

/** One service's view and what the record says of it. */
export interface CheckedService {
  readonly service: Service;
  readonly verdict: ViewVerdict;
  /**
   * The service's service deployments since the view's oldest deployment (newest first), then the last
   * one that completed when it is older; empty when none could be read.
   */
  readonly recent: readonly ServiceDeploymentBrief[];
  /** How many times the view was read again before it showed the newest record. */
  readonly rereads: number;
  /** The newest record, as the view first missed it (for the line that says so). */
  readonly missed?: NewestRecord;
}

/** The services, checked; `recordError` when ECS's record could not be read (the views stand alone then). */
export interface CheckedServices {
  readonly services: readonly CheckedService[];
  readonly missing: readonly string[];
  readonly recordError?: AwsCallError;
}

/** What the check needs. */
export interface ViewDeps {
  readonly aws: Pick<AwsClients, "ecs"> & Partial<Pick<AwsClients, "region">>;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/** DescribeServices, read again while a view misses the newest service deployment (at most `graceMs`). */
export async function describeServicesChecked(deps: ViewDeps, cluster: string, names: readonly string[], timing: { graceMs: number; pollIntervalMs: number; onFirstView?: (services: readonly Service[]) => void }): Promise<CheckedServices> {
  const start = deps.clock.now();
  const described = await describeServices(deps.aws, cluster, names, deps.signal);
  // The caller may start reads that need only the view while its record is read (a view that is
  // read again comes back as another object: `rereads` > 0 says so).
  timing.onFirstView?.(described.services);
  let checked: CheckedService[];
  try {
    checked = await checkAll(deps, cluster, described.services, []);
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    return { services: described.services.map((service) => ({ service, verdict: { kind: "no-record" }, recent: [], rereads: 0 })), missing: described.missing, recordError: error };
  }
  while (checked.some(isStale) && deps.clock.now() - start < timing.graceMs) {
    await deps.clock.sleep(Math.max(1, timing.pollIntervalMs), deps.signal);
    const stale = checked.filter(isStale);
    const again = await describeServices(deps.aws, cluster, stale.map((c) => c.service.serviceName ?? ""), deps.signal);
    const rechecked = await checkAll(deps, cluster, again.services, stale);
    checked = checked.map((c) => rechecked.find((r) => r.service.serviceName === c.service.serviceName) ?? c);
  }
  return { services: checked, missing: described.missing };
}

/**
 * How far back a view's service deployments are read: from its oldest deployment (less SAME_UPDATE_MS,
 * the two stamps of one update). A newer record than the view knows and the record of the deployment in
 * flight are in that window; the last completed one (where ECS's rollback goes) may not be: see
 * needsLastCompleted. Undefined (every record) when the view dates none.
 */
function recordsSince(service: Service): Date | undefined {
  const times = (service.deployments ?? []).flatMap((d) => (d.createdAt !== undefined ? [d.createdAt.getTime()] : []));
  return times.length === 0 ? undefined : new Date(Math.min(...times) - SAME_UPDATE_MS);
}

/**
 * True when the window read holds no service deployment that completed (SUCCESSFUL) for a service whose
 * record ECS keeps (the ECS controller). Where ECS's rollback goes is "the last deployment that completed
 * successfully" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html),
 * and it can be older than every deployment the view shows: after a rollback the service runs a new
 * deployment of the old revision, created when the rollback started, while the service deployment that
 * completed is the one of the release before it.
 */
function needsLastCompleted(service: Service, recent: readonly ServiceDeploymentBrief[], createdAfter: Date | undefined): boolean {
  const controller = service.deploymentController?.type;
  return service.serviceArn !== undefined && createdAfter !== undefined && (controller === undefined || controller === "ECS") && !recent.some((b) => b.status === "SUCCESSFUL");
}

/**
 * The newest SUCCESSFUL service deployment created before the window (ListServiceDeployments filtered by
 * status and createdAt; https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html):
 * the bounds overlap by SAME_UPDATE_MS, as the API reference does not say whether they are inclusive.
 */
async function lastCompletedBefore(deps: ViewDeps, cluster: string, name: string, windowStart: Date, recent: readonly ServiceDeploymentBrief[]): Promise<ServiceDeploymentBrief[]> {
  const done = await listServiceDeployments(deps.aws, cluster, name, { signal: deps.signal, status: ["SUCCESSFUL"], createdBefore: new Date(windowStart.getTime() + SAME_UPDATE_MS) });
  return done.filter((b) => !recent.some((r) => r.serviceDeploymentArn === b.serviceDeploymentArn)).slice(0, 1);
}

function isStale(checked: CheckedService): boolean {
  return checked.verdict.kind === "stale";
}

/** Judges each view against its service's newest records (read afresh), resolving the target revision where the verdict needs it. */
async function checkAll(deps: ViewDeps, cluster: string, services: readonly Service[], before: readonly CheckedService[]): Promise<CheckedService[]> {
  return mapConcurrently(services, 4, async (service) => {
    const name = service.serviceName ?? "";
    const previous = before.find((c) => c.service.serviceName === name);
    const createdAfter = recordsSince(service);
    const recent = service.serviceArn === undefined ? [] : await listServiceDeployments(deps.aws, cluster, name, { signal: deps.signal, ...(createdAfter !== undefined ? { createdAfter } : {}) });
    // The view is judged against the records of its window; the last completed one is added after.
    const completed = needsLastCompleted(service, recent, createdAfter) ? await lastCompletedBefore(deps, cluster, name, createdAfter as Date, recent) : [];
    let newest = newestRecordOf(recent);
    let verdict = judgeServiceView(service, newest);
    if (verdict.kind === "need-revision" && newest?.targetRevisionArn !== undefined) {
      const [revision] = await describeServiceRevisions(deps.aws, [newest.targetRevisionArn], deps.signal);
      newest = { ...newest, taskDefinition: revision?.taskDefinition };
      verdict = judgeServiceView(service, newest);
    }
    const missed = previous?.missed ?? (verdict.kind === "stale" ? verdict.newest : undefined);
    return { service, verdict, recent: [...recent, ...completed], rereads: previous === undefined ? 0 : previous.rereads + 1, ...(missed !== undefined ? { missed } : {}) };
  });
}
