/**
 * How rollback returns a service to its target: when the service has a service deployment
 * in flight that StopServiceDeployment can stop (PENDING or IN_PROGRESS,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.md) and ECS's
 * rollback would land on the target the known-good rule chose (ECS "rolls back the service deployment
 * to the previous service revision", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html),
 * rollback stops it with stopType ROLLBACK — for blue/green in bake time production traffic goes back to
 * the blue tasks at once, faster than any new rollout. Otherwise it updates the service as before. Pure.
 */
import type { Service, ServiceDeployment, ServiceDeploymentBrief, ServiceRevision } from "@aws-sdk/client-ecs";
import { formatRevisionName, parseRevisionName } from "./revision-record.js";
import { lastCompletedTaskDefinition } from "./service-view.js";

/** The service deployment in flight of a service, as rollback needs it. */
export interface InFlightDeployment {
  readonly serviceDeploymentArn: string;
  readonly status: string;
  readonly lifecycleStage: string | null;
  /** The task definitions of its source service revisions (the revisions running when it started). */
  readonly sourceTaskDefinitions: readonly string[];
  /**
   * Where ECS's rollback goes: the task definition of the service's last deployment that completed
   * (see lastCompletedTaskDefinition); undefined when no completed one is in the record read.
   */
  readonly returnsTo?: string | undefined;
}

/** How one service goes back. */
export type RollbackMethod =
  | { readonly kind: "stop"; readonly serviceDeploymentArn: string; readonly line: string }
  | { readonly kind: "update"; readonly line: string };

/** Statuses StopServiceDeployment starts a rollback from (the others are finished or already stopping). */
const STOPPABLE = new Set(["PENDING", "IN_PROGRESS"]);

/**
 * The service deployments in flight, keyed by ARN, from DescribeServiceDeployments and
 * DescribeServiceRevisions answers and each service's newest briefs (ListServiceDeployments, by service
 * name), which say where ECS's rollback of each would go.
 */
export function inFlightDeployments(deployments: readonly ServiceDeployment[], revisions: readonly ServiceRevision[], recent: ReadonlyMap<string, readonly ServiceDeploymentBrief[]> = new Map()): Map<string, InFlightDeployment> {
  const taskDefinitionOf = new Map(revisions.map((r) => [r.serviceRevisionArn ?? "", r.taskDefinition ?? ""]));
  return new Map(
    deployments.map((d) => {
      const arn = d.serviceDeploymentArn ?? "";
      const briefs = [...recent.values()].find((list) => list.some((b) => b.serviceDeploymentArn === arn)) ?? [];
      const returnsTo = lastCompletedTaskDefinition(briefs.filter((b) => b.serviceDeploymentArn !== arn), taskDefinitionOf);
      return [
        arn,
        {
          serviceDeploymentArn: arn,
          status: d.status ?? "",
          lifecycleStage: d.lifecycleStage ?? null,
          sourceTaskDefinitions: (d.sourceServiceRevisions ?? []).map((s) => taskDefinitionOf.get(s.arn ?? "") ?? "").filter((td) => td !== ""),
          ...(returnsTo !== undefined ? { returnsTo } : {}),
        },
      ];
    }),
  );
}

/**
 * The service's service deployment in flight (PENDING or IN_PROGRESS), from its newest briefs: what
 * StopServiceDeployment could stop. ECS's record decides, not the deployment's rolloutState (documented
 * for rolling deployments only, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html).
 */
export function inFlightArn(briefs: readonly ServiceDeploymentBrief[]): string | undefined {
  const newest = [...briefs].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  return newest !== undefined && STOPPABLE.has(newest.status ?? "") ? newest.serviceDeploymentArn : undefined;
}

/** True when a service may have a service deployment in flight worth reading (its PRIMARY deployment is IN_PROGRESS). */
export function mayStop(service: Service): boolean {
  const primary = (service.deployments ?? []).find((d) => d.status === "PRIMARY");
  return service.currentServiceDeployment !== undefined && primary?.rolloutState === "IN_PROGRESS";
}

/** Stop ECS's deployment in flight, or update the service to the target: the choice and the line that says it. */
export function chooseRollbackMethod(service: Service, targetArn: string, inFlight: InFlightDeployment | undefined): RollbackMethod {
  const name = service.serviceName ?? "service";
  const target = shortName(targetArn);
  const updateLine = (why: string): RollbackMethod => ({ kind: "update", line: `${name}: UpdateService to ${target}${why}` });
  if (inFlight === undefined || !STOPPABLE.has(inFlight.status)) {
    return updateLine(inFlight === undefined ? "" : ` (its service deployment is ${inFlight.status}: nothing to stop)`);
  }
  // Where ECS goes back: its last completed deployment; with none in the record read, the one source revision when there is exactly one.
  const previous = inFlight.returnsTo ?? (inFlight.sourceTaskDefinitions.length === 1 ? inFlight.sourceTaskDefinitions[0] : undefined);
  if (previous !== targetArn) {
    return updateLine(` (ECS's rollback of the deployment in flight would go to ${previous !== undefined ? shortName(previous) : "an unknown revision"}, not to ${target})`);
  }
  const stage = inFlight.lifecycleStage !== null ? ` in ${inFlight.lifecycleStage}` : "";
  return {
    kind: "stop",
    serviceDeploymentArn: inFlight.serviceDeploymentArn,
    line: `${name}: StopServiceDeployment ROLLBACK of the deployment in flight (${inFlight.status}${stage}); ECS returns the service to ${target}`,
  };
}

function shortName(arn: string): string {
  const name = parseRevisionName(arn);
  return name ? formatRevisionName(name) : arn;
}
