/**
 * The least time a service's deployment strategy spends before ECS can call a deployment done, from
 * its deploymentConfiguration and ECS's documented defaults. Pure. Tasks starting, health checks and
 * lifecycle hooks come on top (a Lambda hook runs as long as it runs; a PAUSE hook waits for
 * ContinueServiceDeployment, up to its timeout): they are not counted, so this is a floor.
 *
 * - BLUE_GREEN: `bakeTimeInMinutes` after production traffic shifted
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html).
 * - LINEAR: `linearConfiguration.stepBakeTimeInMinutes` (default 6) after every production traffic step
 *   but the last, steps of `stepPercent` (default 10.0) — "This bake time is not applied after reaching 100
 *   percent traffic" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html);
 *   the number of steps as CloudFormation counts them: 100 ÷ stepPercent − 1 when it divides 100, else
 *   the floor of 100 ÷ stepPercent
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-ecs-service-linearconfiguration.html)
 *   — then `bakeTimeInMinutes`.
 * - CANARY: `canaryConfiguration.canaryBakeTimeInMinutes` (default 10) with the canary share, then
 *   `bakeTimeInMinutes` (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html).
 * - ROLLING: nothing beyond the tasks themselves.
 */
import type { DeploymentConfiguration, Service } from "@aws-sdk/client-ecs";
import { formatDuration } from "./duration.js";

/** ECS's documented defaults. */
export const LINEAR_DEFAULT_STEP_PERCENT = 10;
export const LINEAR_DEFAULT_STEP_BAKE_MINUTES = 6;
export const CANARY_DEFAULT_BAKE_MINUTES = 10;

/** The least time a strategy spends, and how it adds up (for the message). */
export interface StrategyTime {
  readonly strategy: string;
  readonly minutes: number;
  readonly how: string;
}

/** Traffic steps after which LINEAR bakes (all but the one that reaches 100 %). */
export function linearBakedSteps(stepPercent: number): number {
  const steps = Math.round((100 / stepPercent) * 1e6) / 1e6;
  return Number.isInteger(steps) ? steps - 1 : Math.floor(steps);
}

/** The least time of a deployment under `config`; undefined for ROLLING (or no strategy). */
export function strategyTime(config: DeploymentConfiguration | undefined): StrategyTime | undefined {
  const bake = config?.bakeTimeInMinutes ?? 0;
  switch (config?.strategy) {
    case "BLUE_GREEN":
      return { strategy: "BLUE_GREEN", minutes: bake, how: `bake time ${bake}m` };
    case "LINEAR": {
      const percent = config.linearConfiguration?.stepPercent ?? LINEAR_DEFAULT_STEP_PERCENT;
      const stepBake = config.linearConfiguration?.stepBakeTimeInMinutes ?? LINEAR_DEFAULT_STEP_BAKE_MINUTES;
      const steps = linearBakedSteps(percent);
      return { strategy: "LINEAR", minutes: steps * stepBake + bake, how: `${steps} steps of ${percent}% × ${stepBake}m step bake + bake time ${bake}m` };
    }
    case "CANARY": {
      const canary = config.canaryConfiguration?.canaryBakeTimeInMinutes ?? CANARY_DEFAULT_BAKE_MINUTES;
      return { strategy: "CANARY", minutes: canary + bake, how: `canary bake ${canary}m + bake time ${bake}m` };
    }
    default:
      return undefined;
  }
}

/**
 * The refusal of a --timeout shorter than the least time some service's strategy needs (one line
 * naming both), or undefined. Only services with the ECS controller run these strategies.
 */
export function timeoutTooShort(services: readonly Service[], timeoutMs: number): string | undefined {
  const short = services.flatMap((service) => {
    if ((service.deploymentController?.type ?? "ECS") !== "ECS") return [];
    const time = strategyTime(service.deploymentConfiguration);
    return time !== undefined && time.minutes * 60_000 > timeoutMs ? [{ service: service.serviceName ?? "service", time }] : [];
  });
  if (short.length === 0) return undefined;
  const longest = Math.max(...short.map((s) => s.time.minutes)) * 60_000;
  const which = short.map((s) => `${s.service} (${s.time.strategy}) needs at least ${formatDuration(s.time.minutes * 60_000)}: ${s.time.how}`).join("; ");
  return `--timeout ${formatDuration(timeoutMs)} is shorter than the deployment strategy takes: ${which}, before tasks start and hooks run; pass --timeout longer than ${formatDuration(longest)}, or --no-wait and follow with ecs-release status; nothing was written`;
}
