import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { RevisionRecord } from "../../../src/core/revision-record.js";
import { deploymentConfigurationWarnings, formatServiceStatus, summarizeService } from "../../../src/core/service-status.js";
import { TAG } from "../../../src/core/tags.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;

describe("deploymentConfigurationWarnings", () => {
  it.each<[string, Pick<Service, "deploymentConfiguration" | "deploymentController">, RegExp[]]>([
    ["protected", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100 } }, []],
    ["breaker off", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, minimumHealthyPercent: 100 } }, [/circuit breaker is off/]],
    ["no configuration at all", {}, [/circuit breaker is off/]],
    ["breaker without rollback", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }, [/does not roll back/]],
    ["minimum healthy 50%", { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 50 } }, [/minimum healthy percent is 50%/]],
    ["CODE_DEPLOY", { deploymentController: { type: "CODE_DEPLOY" } }, [/controller is CODE_DEPLOY/]],
  ])("%s", (_title, service, expected) => {
    const warnings = deploymentConfigurationWarnings({ serviceName: "web", ...service });
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(warnings[i]).toMatch(pattern));
  });
});

describe("summarizeService", () => {
  const service: Service = {
    serviceName: "web",
    status: "ACTIVE",
    taskDefinition: ARN(5),
    desiredCount: 2,
    runningCount: 3,
    pendingCount: 1,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100 },
    deployments: [
      { id: "ecs-svc/1", status: "ACTIVE", taskDefinition: ARN(4), desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: "COMPLETED", createdAt: new Date("2025-01-01T00:00:00Z") },
      { id: "ecs-svc/2", status: "PRIMARY", taskDefinition: ARN(5), desiredCount: 2, runningCount: 1, pendingCount: 1, rolloutState: "IN_PROGRESS", rolloutStateReason: "ECS deployment ecs-svc/2 in progress.", createdAt: new Date("2025-01-02T00:00:00Z") },
    ],
    events: [
      { id: "1", createdAt: new Date("2025-01-02T00:00:01Z"), message: "(service web) has started 1 tasks" },
      { id: "2", createdAt: new Date("2025-01-02T00:00:02Z"), message: "(service web) registered 1 targets" },
    ],
  };
  const revisions = new Map<string, RevisionRecord>([
    [ARN(5), { arn: ARN(5), family: "web", revision: 5, status: "ACTIVE", tags: { [TAG.sha]: "e".repeat(40) } }],
    [ARN(4), { arn: ARN(4), family: "web", revision: 4, status: "ACTIVE", tags: { [TAG.sha]: "d".repeat(40), [TAG.outcome]: "stable" } }],
  ]);

  it("shows both deployments newest first while they overlap", () => {
    const status = summarizeService(service, revisions);
    expect(status).toMatchObject({ service: "web", revision: "web:5", sha: "e".repeat(40), outcome: "unknown", desired: 2, running: 3, pending: 1, inFlight: true, warnings: [] });
    expect(status.deployments.map((d) => [d.id, d.status, d.revision, d.sha, d.rolloutState, d.running, d.pending])).toEqual([
      ["ecs-svc/2", "PRIMARY", "web:5", "e".repeat(40), "IN_PROGRESS", 1, 1],
      ["ecs-svc/1", "ACTIVE", "web:4", "d".repeat(40), "COMPLETED", 2, 0],
    ]);
    expect(status.events.map((e) => e.message)).toEqual(["(service web) registered 1 targets", "(service web) has started 1 tasks"]);
    const text = formatServiceStatus(status);
    expect(text).toMatch(/^web: web:5 sha eeeeeeeeeeee {2}desired 2 {2}running 3 {2}pending 1 {2}ROLLOUT IN PROGRESS\n/);
    expect(text).toMatch(/ecs-svc\/2 +PRIMARY +web:5 +eeeeeeeeeeee +IN_PROGRESS +2 +1 +1 +0/);
    expect(text).toMatch(/ecs-svc\/1 +ACTIVE +web:4 +dddddddddddd +COMPLETED +2 +2 +0 +0/);
  });

  it("is not in flight with one completed deployment", () => {
    const steady = summarizeService({ ...service, deployments: [{ ...service.deployments![1]!, rolloutState: "COMPLETED" }] }, revisions);
    expect(steady.inFlight).toBe(false);
    expect(formatServiceStatus(steady)).not.toMatch(/ROLLOUT IN PROGRESS/);
  });

  // Issue 18 item 8. A breaker without rollback leaves the FAILED PRIMARY beside the old ACTIVE one.
  it("shows a FAILED primary beside an ACTIVE one as failed, not in progress", () => {
    const failed = summarizeService(
      {
        ...service,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false }, minimumHealthyPercent: 100 },
        runningCount: 2,
        deployments: [
          service.deployments![0]!,
          { ...service.deployments![1]!, rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.", runningCount: 0, pendingCount: 0, failedTasks: 4 },
        ],
      },
      revisions,
    );
    expect(failed).toMatchObject({ inFlight: false, rollout: "failed" });
    expect(failed.warnings[0]).toMatch(/web: deployment ecs-svc\/2 \(web:5\) FAILED: ECS deployment circuit breaker: tasks failed to start\.; the circuit breaker did not roll back, the old deployment ecs-svc\/1 \(web:4\) keeps its tasks/);
    const text = formatServiceStatus(failed);
    expect(text).toMatch(/^web: web:5 .* ROLLOUT FAILED\n/);
    expect(text).not.toMatch(/ROLLOUT IN PROGRESS/);
  });

  // rolloutState is not populated behind a Classic Load Balancer: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
  it("flags a service without rolloutState running below its desired count", () => {
    const { rolloutState: _state, rolloutStateReason: _reason, ...classic } = service.deployments![1]!;
    const below = summarizeService({ ...service, desiredCount: 3, runningCount: 1, pendingCount: 0, deployments: [{ ...classic, desiredCount: 3, runningCount: 1, pendingCount: 0 }] }, revisions);
    expect(below).toMatchObject({ inFlight: false, rollout: "unknown", belowDesired: true });
    expect(below.warnings[0]).toMatch(/web: running 1 of 3 desired tasks and ECS reports no rollout state for it \(e\.g\. behind a Classic Load Balancer\)/);
    expect(formatServiceStatus(below)).toMatch(/^web: .*BELOW DESIRED\n/);
    const healthy = summarizeService({ ...service, desiredCount: 2, runningCount: 2, pendingCount: 0, deployments: [{ ...classic, desiredCount: 2, runningCount: 2, pendingCount: 0 }] }, revisions);
    expect(healthy).toMatchObject({ rollout: "unknown", belowDesired: false, warnings: [] });
  });
});
