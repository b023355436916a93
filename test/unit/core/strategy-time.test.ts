/**
 * The least time a deployment strategy spends (core/strategy-time.ts), from ECS's documented defaults:
 * LINEAR steps of 10 % with a 6-minute step bake, not after 100 %
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html), the step
 * count as CloudFormation computes it; CANARY's 10-minute canary bake
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html).
 */
import type { DeploymentConfiguration, Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { linearBakedSteps, strategyTime, timeoutTooShort } from "../../../src/core/strategy-time.js";

describe("strategyTime", () => {
  it.each<[string, DeploymentConfiguration | undefined, number | undefined]>([
    ["ROLLING: nothing counted", { strategy: "ROLLING" }, undefined],
    ["no configuration", undefined, undefined],
    ["BLUE_GREEN: its bake time", { strategy: "BLUE_GREEN", bakeTimeInMinutes: 15 }, 15],
    ["LINEAR with ECS's defaults: 9 steps × 6m", { strategy: "LINEAR" }, 54],
    ["LINEAR defaults and a bake time", { strategy: "LINEAR", bakeTimeInMinutes: 10 }, 64],
    ["LINEAR 11 %: 9 steps (CloudFormation's floor)", { strategy: "LINEAR", linearConfiguration: { stepPercent: 11, stepBakeTimeInMinutes: 2 } }, 18],
    ["LINEAR 100 %: one step, no step bake", { strategy: "LINEAR", linearConfiguration: { stepPercent: 100 }, bakeTimeInMinutes: 3 }, 3],
    ["LINEAR with no step bake", { strategy: "LINEAR", linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 0 } }, 0],
    ["CANARY defaults: 10m canary bake", { strategy: "CANARY" }, 10],
    ["CANARY given", { strategy: "CANARY", canaryConfiguration: { canaryBakeTimeInMinutes: 30 }, bakeTimeInMinutes: 5 }, 35],
  ])("%s", (_name, config, minutes) => {
    expect(strategyTime(config)?.minutes).toBe(minutes);
  });

  it.each([[10, 9], [3.3, 30], [3, 33], [25, 3], [33.3, 3], [100, 0], [0.1 * 30, 33]])("LINEAR %d %% bakes after %d steps", (percent, steps) => {
    expect(linearBakedSteps(percent)).toBe(steps);
  });
});

describe("timeoutTooShort", () => {
  const linear: Service = { serviceName: "web", deploymentConfiguration: { strategy: "LINEAR" } };
  it("refuses a timeout below a LINEAR service's least time, naming both", () => {
    expect(timeoutTooShort([linear], 30 * 60_000)).toBe(
      "--timeout 30m00s is shorter than the deployment strategy takes: web (LINEAR) needs at least 54m00s: 9 steps of 10% × 6m step bake + bake time 0m, before tasks start and hooks run; pass --timeout longer than 54m00s, or --no-wait and follow with ecs-release status; nothing was written",
    );
  });
  it("accepts a timeout above it, rolling services, and other controllers", () => {
    expect(timeoutTooShort([linear], 60 * 60_000)).toBeUndefined();
    expect(timeoutTooShort([{ serviceName: "api" }], 1_000)).toBeUndefined();
    expect(timeoutTooShort([{ ...linear, deploymentController: { type: "CODE_DEPLOY" } }], 1_000)).toBeUndefined();
  });
});
