/**
 * Deployment settings under which a rolling update (ECS deployment controller) cannot finish, named
 * before release writes anything. Pure: from the service as DescribeServices returned it.
 *
 * ECS bounds a rolling update by the desired count: at least minimumHealthyPercent of it RUNNING
 * (rounded up) and at most maximumPercent of it RUNNING or PENDING (rounded down)
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html). When the
 * upper bound leaves no room for a new task and the lower bound forbids stopping an old one, the
 * deployment never starts a task of the new revision. The circuit breaker fails a deployment after
 * 0.5 × the desired count failed tasks, at least 3 and at most 200
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html),
 * unless the service's thresholdConfiguration says otherwise (see breakerThreshold),
 * and ECS ignores a task's health checks for healthCheckGracePeriodSeconds after it starts
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
 */
import type { Service, ThresholdConfiguration } from "@aws-sdk/client-ecs";
import { formatDuration } from "./duration.js";

/** What stops a rollout from progressing (exit 2), and what only slows it past --timeout (warnings). */
export interface DeploymentSettingsCheck {
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * The circuit breaker's failure threshold for a desired count under the service's threshold
 * configuration (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html):
 * COUNT is the threshold itself; BOUNDED_PERCENT (the default, value 50) and UNBOUNDED_PERCENT take
 * value% of the desired count, only BOUNDED_PERCENT kept within 3..200. A fraction is rounded up.
 */
export function breakerThreshold(desired: number, configuration?: ThresholdConfiguration): number {
  const type = configuration?.type ?? "BOUNDED_PERCENT";
  const value = configuration?.value ?? 50;
  if (type === "COUNT") return value;
  const share = Math.ceil((value * desired) / 100);
  return type === "UNBOUNDED_PERCENT" ? share : Math.min(200, Math.max(3, share));
}

/** Checks one service's rolling-update settings against its desired count and the wait's timeout. */
export function checkDeploymentSettings(service: Service, timeoutMs: number): DeploymentSettingsCheck {
  const name = service.serviceName ?? "service";
  const config = service.deploymentConfiguration ?? {};
  const desired = service.desiredCount ?? 0;
  const rolling = (service.deploymentController?.type ?? "ECS") === "ECS" && (config.strategy === undefined || config.strategy === "ROLLING");
  if (!rolling || service.schedulingStrategy === "DAEMON" || desired <= 0) return { problems: [], warnings: [] };
  const minimum = config.minimumHealthyPercent ?? 100;
  const maximum = config.maximumPercent ?? 200;
  const lower = Math.ceil((desired * minimum) / 100);
  const upper = Math.floor((desired * maximum) / 100);
  const problems: string[] = [];
  if (upper <= desired && lower >= desired) {
    const neededMaximum = Math.ceil(((desired + 1) * 100) / desired);
    const neededMinimum = Math.floor(((desired - 1) * 100) / desired);
    problems.push(
      `${name}: desired count ${desired} with minimumHealthyPercent ${minimum} and maximumPercent ${maximum}: ECS may run at most ${upper} task${upper === 1 ? "" : "s"} (rounded down) and must keep ${lower} running (rounded up), so it can neither start a new task nor stop an old one and the rollout never progresses: raise maximumPercent to ${neededMaximum} or more, or lower minimumHealthyPercent to ${neededMinimum} or less`,
    );
  }
  return { problems, warnings: timingWarnings(service, desired, Math.max(1, upper - lower), timeoutMs) };
}

/** The grace period (and, with the breaker on, the failed tasks it needs) against --timeout. */
function timingWarnings(service: Service, desired: number, batch: number, timeoutMs: number): string[] {
  const name = service.serviceName ?? "service";
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  if (graceMs <= 0) return [];
  if (graceMs >= timeoutMs) {
    return [`${name}: healthCheckGracePeriodSeconds ${formatDuration(graceMs)} is not shorter than --timeout ${formatDuration(timeoutMs)}: the wait ends before a health check of a new task counts`];
  }
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  if (!breaker?.enable) return [];
  const threshold = breakerThreshold(desired, breaker.thresholdConfiguration);
  // At most `batch` new tasks at a time, each judged no sooner than the grace period after it started.
  const earliestMs = graceMs * Math.ceil(threshold / batch);
  if (earliestMs < timeoutMs) return [];
  return [
    `${name}: the circuit breaker needs ${threshold} failed tasks, ${batch} at a time, each judged after the ${formatDuration(graceMs)} health-check grace period: a bad revision cannot trip it within --timeout ${formatDuration(timeoutMs)} (about ${formatDuration(earliestMs)} at the least)`,
  ];
}
