import type { Service, ThresholdConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { breakerThreshold, checkDeploymentSettings } from "../../../src/core/deployment-settings.js";

const service = (desired: number, minimum: number, maximum: number, extra: Partial<Service> = {}): Service => ({
  serviceName: "web",
  desiredCount: desired,
  deploymentConfiguration: { minimumHealthyPercent: minimum, maximumPercent: maximum, deploymentCircuitBreaker: { enable: true, rollback: true } },
  ...extra,
});
const HOUR = 3_600_000;

describe("checkDeploymentSettings", () => {
  it.each<[string, Service, RegExp | undefined]>([
    ["desired 1, min 100, max 100: stuck", service(1, 100, 100), /desired count 1 .* at most 1 task .* keep 1 running .*raise maximumPercent to 200 or more, or lower minimumHealthyPercent to 0 or less/],
    ["desired 1, min 100, max 150 (rounded down to 1): stuck", service(1, 100, 150), /never progresses/],
    ["desired 1, min 100, max 200: fine", service(1, 100, 200), undefined],
    ["desired 1, min 0, max 100: fine (stops the old one first)", service(1, 0, 100), undefined],
    ["desired 2, min 75 (rounded up to 2), max 100: stuck", service(2, 75, 100), /lower minimumHealthyPercent to 50 or less/],
    ["desired 2, min 100, max 150: fine (3 may run)", service(2, 100, 150), undefined],
    ["desired 0: nothing to start", service(0, 100, 100), undefined],
    ["DAEMON services are not rolling updates of this kind", service(1, 100, 100, { schedulingStrategy: "DAEMON" }), undefined],
    ["CODE_DEPLOY services are not checked", service(1, 100, 100, { deploymentController: { type: "CODE_DEPLOY" } }), undefined],
  ])("%s", (_title, input, problem) => {
    const { problems } = checkDeploymentSettings(input, HOUR);
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems).toEqual([expect.stringMatching(problem)]);
  });

  it("warns when the grace period outlasts --timeout, or the breaker cannot trip within it", () => {
    expect(checkDeploymentSettings(service(2, 100, 200, { healthCheckGracePeriodSeconds: 600 }), 300_000).warnings).toEqual([expect.stringMatching(/not shorter than --timeout/)]);
    // 3 failed tasks, 2 at a time, 200 s each: at least 400 s.
    expect(checkDeploymentSettings(service(2, 100, 200, { healthCheckGracePeriodSeconds: 200 }), 300_000).warnings).toEqual([expect.stringMatching(/needs 3 failed tasks, 2 at a time/)]);
    expect(checkDeploymentSettings(service(2, 100, 200, { healthCheckGracePeriodSeconds: 60 }), 300_000).warnings).toEqual([]);
  });

  it.each([[1, 3], [10, 5], [1000, 200]])("breaker threshold of desired %i is %i", (desired, threshold) => expect(breakerThreshold(desired)).toBe(threshold));

  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html: COUNT is
  // the threshold itself; the percentage types multiply value by the desired count; only
  // BOUNDED_PERCENT (the default, 50) keeps it within 3..200.
  it.each<[number, ThresholdConfiguration, number]>([
    [1000, { type: "BOUNDED_PERCENT", value: 10 }, 100],
    [1, { type: "BOUNDED_PERCENT", value: 10 }, 3],
    [1000, { type: "UNBOUNDED_PERCENT", value: 50 }, 500],
    [4, { type: "UNBOUNDED_PERCENT", value: 50 }, 2],
    [10, { type: "COUNT", value: 1 }, 1],
    [10, { type: "COUNT", value: 400 }, 400],
  ])("breaker threshold of desired %i with %o is %i", (desired, configuration, threshold) => expect(breakerThreshold(desired, configuration)).toBe(threshold));

  it("judges the breaker by the service's own threshold configuration", () => {
    // Positive control: the default threshold (3 failed tasks, 2 at a time, 200 s each) outlasts 300 s.
    const warned = service(2, 100, 200, { healthCheckGracePeriodSeconds: 200 });
    expect(checkDeploymentSettings(warned, 300_000).warnings).toEqual([expect.stringMatching(/needs 3 failed tasks/)]);
    // A COUNT threshold of 1 trips after the first failed task: within 300 s.
    const single = service(2, 100, 200, {
      healthCheckGracePeriodSeconds: 200,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true, thresholdConfiguration: { type: "COUNT", value: 1 } } },
    });
    expect(checkDeploymentSettings(single, 300_000).warnings).toEqual([]);
  });
});
