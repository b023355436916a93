/**
 * DescribeServices checked against ECS's service deployment record (core/service-view.ts): a view
 * older than the newest service deployment is read again, every `pollIntervalMs`, until it shows it or
 * `graceMs` passes. Per read: one DescribeServices per 10 services, one ListServiceDeployments per
 * service (its newest few deployments, one page), and a DescribeServiceRevisions only when the view
 * names another record than the newest. Returns data; words nothing.
 */
import type { Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import type { Clock } from "../core/clock.js";
import { AwsCallError } from "../core/errors.js";
import { mapConcurrently } from "../core/map-concurrently.js";
import { judgeServiceView, newestRecordOf, type NewestRecord, type ViewVerdict } from "../core/service-view.js";
import type { AwsClients } from "./clients.js";
import { describeServices } from "./ecs.js";
import { describeServiceRevisions, listServiceDeployments } from "./service-deployments.js";

/** How many of a service's newest service deployments are read (one page): the newest and the last completed one. */
export const RECENT_SERVICE_DEPLOYMENTS = 10;

/** One service's view and what the record says of it. */
export interface CheckedService {
  readonly service: Service;
  readonly verdict: ViewVerdict;
  /** The service's newest service deployments (newest first); empty when none could be read. */
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
export async function describeServicesChecked(deps: ViewDeps, cluster: string, names: readonly string[], timing: { graceMs: number; pollIntervalMs: number }): Promise<CheckedServices> {
  const start = deps.clock.now();
  const described = await describeServices(deps.aws, cluster, names, deps.signal);
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

function isStale(checked: CheckedService): boolean {
  return checked.verdict.kind === "stale";
}

/** Judges each view against its service's newest records (read afresh), resolving the target revision where the verdict needs it. */
async function checkAll(deps: ViewDeps, cluster: string, services: readonly Service[], before: readonly CheckedService[]): Promise<CheckedService[]> {
  return mapConcurrently(services, 4, async (service) => {
    const name = service.serviceName ?? "";
    const previous = before.find((c) => c.service.serviceName === name);
    const recent = service.serviceArn === undefined ? [] : await listServiceDeployments(deps.aws, cluster, name, RECENT_SERVICE_DEPLOYMENTS, { signal: deps.signal });
    let newest = newestRecordOf(recent);
    let verdict = judgeServiceView(service, newest);
    if (verdict.kind === "need-revision" && newest?.targetRevisionArn !== undefined) {
      const [revision] = await describeServiceRevisions(deps.aws, [newest.targetRevisionArn], deps.signal);
      newest = { ...newest, taskDefinition: revision?.taskDefinition };
      verdict = judgeServiceView(service, newest);
    }
    const missed = previous?.missed ?? (verdict.kind === "stale" ? verdict.newest : undefined);
    return { service, verdict, recent, rereads: previous === undefined ? 0 : previous.rereads + 1, ...(missed !== undefined ? { missed } : {}) };
  });
}
