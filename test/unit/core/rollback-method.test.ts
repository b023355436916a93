/**
 * How rollback goes back (issue 17): StopServiceDeployment ROLLBACK for a service deployment in flight
 * whose rollback lands on the target, else UpdateService
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.md).
 */
import type { Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { chooseRollbackMethod, inFlightArn, inFlightDeployments, mayStop, type InFlightDeployment } from "../../../src/core/rollback-method.js";
import { beyondEcsRecord, recordDisagreement, type EcsDeploymentEntry } from "../../../src/core/ecs-record.js";

const WEB7 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
const WEB6 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:6";
const service: Service = { serviceName: "web", currentServiceDeployment: "sd-1", deployments: [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" }] };
const inFlight = (status: string, sources = [WEB7]): InFlightDeployment => ({ serviceDeploymentArn: "sd-1", status, lifecycleStage: "BAKE_TIME", sourceTaskDefinitions: sources });

describe("chooseRollbackMethod", () => {
  it.each([
    ["nothing in flight: update", undefined, "update"],
    ["IN_PROGRESS rolling back to the target: stop", inFlight("IN_PROGRESS"), "stop"],
    ["PENDING rolling back to the target: stop", inFlight("PENDING"), "stop"],
    ["already ROLLBACK_IN_PROGRESS: update (nothing to stop)", inFlight("ROLLBACK_IN_PROGRESS"), "update"],
    ["ECS would go to another revision than the known-good target: update", inFlight("IN_PROGRESS", [WEB6]), "update"],
    ["no source revision known: update", inFlight("IN_PROGRESS", []), "update"],
  ] as const)("%s", (_name, flight, kind) => {
    expect(chooseRollbackMethod(service, WEB7, flight).kind).toBe(kind);
  });

  it("says what it does and why", () => {
    expect(chooseRollbackMethod(service, WEB7, inFlight("IN_PROGRESS")).line).toBe("web: StopServiceDeployment ROLLBACK of the deployment in flight (IN_PROGRESS in BAKE_TIME); ECS returns the service to web:7");
    expect(chooseRollbackMethod(service, WEB7, inFlight("IN_PROGRESS", [WEB6])).line).toBe("web: UpdateService to web:7 (ECS's rollback of the deployment in flight would go to web:6, not to web:7)");
  });

  it("reads ECS's record only for a service whose PRIMARY deployment is IN_PROGRESS", () => {
    expect(mayStop(service)).toBe(true);
    expect(mayStop({ ...service, deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED" }] })).toBe(false);
    expect(mayStop({ deployments: service.deployments ?? [] })).toBe(false);
  });

  it("maps source revisions to their task definitions", () => {
    const map = inFlightDeployments([{ serviceDeploymentArn: "sd-1", status: "IN_PROGRESS", sourceServiceRevisions: [{ arn: "rev-6" }] }], [{ serviceRevisionArn: "rev-6", taskDefinition: WEB6 }]);
    expect(map.get("sd-1")?.sourceTaskDefinitions).toEqual([WEB6]);
  });
});

describe("recordDisagreement and beyondEcsRecord", () => {
  const entry = (status: string): EcsDeploymentEntry => ({ serviceDeploymentArn: "sd", status, statusReason: null, lifecycleStage: null, createdAt: null, startedAt: null, finishedAt: null, taskDefinition: WEB7, serviceRevisionArn: null, images: [] });
  it.each([
    ["stable", "SUCCESSFUL", undefined],
    ["stable", "ROLLBACK_SUCCESSFUL", "the tag says stable, ECS says ROLLBACK_SUCCESSFUL"],
    ["stable", "STOPPED", "the tag says stable, ECS says STOPPED"],
    ["failed", "SUCCESSFUL", "the tag says failed, ECS says SUCCESSFUL"],
    ["failed", "ROLLBACK_SUCCESSFUL", undefined],
    ["rolled back", "SUCCESSFUL", undefined],
    ["stable", "IN_PROGRESS", undefined],
    ["unknown", "ROLLBACK_SUCCESSFUL", undefined],
  ] as const)("tag %s, ECS %s", (tag, status, expected) => {
    expect(recordDisagreement(tag, entry(status))).toBe(expected);
  });

  it("90 days", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    expect(beyondEcsRecord("2026-03-01T00:00:00Z", now)).toBe(true);
    expect(beyondEcsRecord("2026-03-10T00:00:00Z", now)).toBe(false);
    expect(beyondEcsRecord(null, now)).toBe(false);
  });
});

describe("where ECS's rollback goes (the last completed deployment) and what is in flight (the record, not rolloutState)", () => {
  const WEB5 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:5";
  const briefs: ServiceDeploymentBrief[] = [
    { serviceDeploymentArn: "sd-1", status: "IN_PROGRESS", createdAt: new Date(3_000), targetServiceRevisionArn: "rev-8" },
    { serviceDeploymentArn: "sd-0", status: "SUCCESSFUL", createdAt: new Date(2_000), targetServiceRevisionArn: "rev-7" },
    { serviceDeploymentArn: "sd-x", status: "SUCCESSFUL", createdAt: new Date(1_000), targetServiceRevisionArn: "rev-5" },
  ];
  it("inFlightArn: the newest record when PENDING or IN_PROGRESS", () => {
    expect(inFlightArn(briefs)).toBe("sd-1");
    expect(inFlightArn(briefs.slice(1))).toBeUndefined();
    expect(inFlightArn([{ ...briefs[0]!, status: "ROLLBACK_IN_PROGRESS" }])).toBeUndefined();
  });
  it("returnsTo is the last SUCCESSFUL deployment's revision, not the first source listed", () => {
    const map = inFlightDeployments(
      [{ serviceDeploymentArn: "sd-1", status: "IN_PROGRESS", sourceServiceRevisions: [{ arn: "rev-5" }, { arn: "rev-7" }] }],
      [{ serviceRevisionArn: "rev-5", taskDefinition: WEB5 }, { serviceRevisionArn: "rev-7", taskDefinition: WEB7 }],
      new Map([["web", briefs]]),
    );
    const flight = map.get("sd-1");
    expect(flight?.returnsTo).toBe(WEB7);
    expect(chooseRollbackMethod(service, WEB7, flight).kind).toBe("stop");
    expect(chooseRollbackMethod(service, WEB5, flight).kind).toBe("update");
  });
  it("two sources and no completed deployment in the record: ECS's choice is unknown, so update", () => {
    expect(chooseRollbackMethod(service, WEB7, inFlight("IN_PROGRESS", [WEB7, WEB6])).kind).toBe("update");
  });
});
