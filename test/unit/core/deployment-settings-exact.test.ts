import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { checkDeploymentSettings } from "../../../src/core/deployment-settings.js";
import { timeoutTooShort } from "../../../src/core/strategy-time.js";

const STUCK = "api: desired count 4 with minimumHealthyPercent 90 and maximumPercent 100: ECS may run at most 4 tasks (rounded down) and must keep 4 running (rounded up), so it can neither start a new task nor stop an old one and the rollout never progresses: raise maximumPercent to 125 or more, or lower minimumHealthyPercent to 75 or less";
const stuck = (strategy?: "ROLLING" | "BLUE_GREEN"): Service => ({
  serviceName: "api",
  desiredCount: 4,
  deploymentConfiguration: { minimumHealthyPercent: 90, maximumPercent: 100, ...(strategy ? { strategy } : {}) },
});
const graced = (seconds: number, breaker?: boolean): Service => ({
  serviceName: "api",
  desiredCount: 2,
  healthCheckGracePeriodSeconds: seconds,
  ...(breaker === undefined ? {} : { deploymentConfiguration: { deploymentCircuitBreaker: { enable: breaker, rollback: true } } }),
});

describe("checkDeploymentSettings, exact", () => {
  it.each<[string, Service, number, { problems: string[]; warnings: string[] }]>([
    ["a stalled rollout, word for word", stuck(), 3_600_000, { problems: [STUCK], warnings: [] }],
    ["ROLLING given explicitly", stuck("ROLLING"), 3_600_000, { problems: [STUCK], warnings: [] }],
    ["BLUE_GREEN: not a rolling update, nothing to say", stuck("BLUE_GREEN"), 3_600_000, { problems: [], warnings: [] }],
    [
      "a grace period equal to --timeout",
      graced(300),
      300_000,
      { problems: [], warnings: ["api: healthCheckGracePeriodSeconds 5m00s is not shorter than --timeout 5m00s: the wait ends before a health check of a new task counts"] },
    ],
    ["no deployment configuration: no breaker", graced(200), 300_000, { problems: [], warnings: [] }],
    ["the breaker off", graced(200, false), 300_000, { problems: [], warnings: [] }],
    [
      "the breaker's earliest trip equal to --timeout",
      graced(200, true),
      400_000,
      { problems: [], warnings: ["api: the circuit breaker needs 3 failed tasks, 2 at a time, each judged after the 3m20s health-check grace period: a bad revision cannot trip it within --timeout 6m40s (about 6m40s at the least)"] },
    ],
  ])("%s", (_name, service, timeoutMs, expected) => {
    expect(checkDeploymentSettings(service, timeoutMs)).toStrictEqual(expected);
  });
});

describe("timeoutTooShort, exact", () => {
  const blueGreen: Service = { serviceName: "web", deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 15 } };
  const canary: Service = { serviceName: "api", deploymentConfiguration: { strategy: "CANARY", bakeTimeInMinutes: 5, canaryConfiguration: { canaryBakeTimeInMinutes: 20 } } };
  it("names each service too slow, the longest last in the advice", () => {
    expect(timeoutTooShort([blueGreen, canary], 12 * 60_000)).toBe(
      "--timeout 12m00s is shorter than the deployment strategy takes: web (BLUE_GREEN) needs at least 15m00s: bake time 15m; api (CANARY) needs at least 25m00s: canary bake 20m + bake time 5m, before tasks start and hooks run; pass --timeout longer than 25m00s, or --no-wait and follow with ecs-release status; nothing was written",
    );
  });
  it("accepts a timeout exactly the strategy's time", () => {
    expect(timeoutTooShort([blueGreen], 15 * 60_000)).toBeUndefined();
  });
});
