/** rollback's choice between StopServiceDeployment and UpdateService, every branch and line word for word. */
import { describe, expect, it } from "vitest";
import type { ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { chooseRollbackMethod, inFlightArn, inFlightDeployments, mayStop, type InFlightDeployment } from "../../../src/core/rollback-method.js";

const ACCT = "arn:aws:ecs:us-east-1:123456789012";
const td = (n: number) => `${ACCT}:task-definition/web:${n}`;
const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("inFlightDeployments", () => {
  const revisions = [
    { serviceRevisionArn: "rev:1", taskDefinition: td(1) },
    { serviceRevisionArn: "rev:2", taskDefinition: td(2) },
    { serviceRevisionArn: "rev:3", taskDefinition: td(3) },
  ];
  it("each deployment: status, stage, known source task definitions, and where ECS's rollback goes (the service's last completed one, not itself)", () => {
    const recent = new Map<string, ServiceDeploymentBrief[]>([
      ["other", [{ serviceDeploymentArn: "sd-other", status: "SUCCESSFUL", targetServiceRevisionArn: "rev:3", createdAt: new Date(T0 + 9) }]],
      [
        "web",
        [
          { serviceDeploymentArn: "sd-3", status: "SUCCESSFUL", targetServiceRevisionArn: "rev:3", createdAt: new Date(T0 + 5) },
          { serviceDeploymentArn: "sd-2", status: "SUCCESSFUL", targetServiceRevisionArn: "rev:2", createdAt: new Date(T0 - 5) },
          { serviceDeploymentArn: "sd-1", status: "SUCCESSFUL", targetServiceRevisionArn: "rev:1", createdAt: new Date(T0 - 9) },
        ],
      ],
    ]);
    const map = inFlightDeployments(
      [
        { serviceDeploymentArn: "sd-3", status: "IN_PROGRESS", lifecycleStage: "BAKE_TIME", sourceServiceRevisions: [{ arn: "rev:2" }, { arn: "rev:unknown" }, {}] },
        { serviceDeploymentArn: "sd-lonely" },
      ],
      revisions,
      recent,
    );
    expect([...map.entries()]).toEqual([
      ["sd-3", { serviceDeploymentArn: "sd-3", status: "IN_PROGRESS", lifecycleStage: "BAKE_TIME", sourceTaskDefinitions: [td(2)], returnsTo: td(2) }],
      ["sd-lonely", { serviceDeploymentArn: "sd-lonely", status: "", lifecycleStage: null, sourceTaskDefinitions: [] }],
    ]);
    expect("returnsTo" in (map.get("sd-lonely") ?? {})).toBe(false);
  });
  it("no arn: keyed by the empty string; a source revision without a task definition is left out", () => {
    const map = inFlightDeployments([{ sourceServiceRevisions: [{ arn: "rev:x" }] }], [{ serviceRevisionArn: "rev:x" }]);
    expect([...map.entries()]).toEqual([["", { serviceDeploymentArn: "", status: "", lifecycleStage: null, sourceTaskDefinitions: [] }]]);
  });
});

describe("inFlightArn and mayStop", () => {
  it.each([
    [[], undefined],
    [[{ serviceDeploymentArn: "a", status: "IN_PROGRESS", createdAt: new Date(T0) }], "a"],
    [[{ serviceDeploymentArn: "a", status: "PENDING", createdAt: new Date(T0) }], "a"],
    [[{ serviceDeploymentArn: "a", status: "STOP_REQUESTED", createdAt: new Date(T0) }], undefined],
    [[{ serviceDeploymentArn: "a" }], undefined],
    [[{ serviceDeploymentArn: "old", status: "SUCCESSFUL", createdAt: new Date(T0) }, { serviceDeploymentArn: "new", status: "IN_PROGRESS", createdAt: new Date(T0 + 1) }], "new"],
    [[{ serviceDeploymentArn: "new", status: "SUCCESSFUL", createdAt: new Date(T0 + 1) }, { serviceDeploymentArn: "old", status: "IN_PROGRESS", createdAt: new Date(T0) }], undefined],
    [[{ serviceDeploymentArn: "untimed", status: "IN_PROGRESS" }, { serviceDeploymentArn: "timed", status: "SUCCESSFUL", createdAt: new Date(T0) }], undefined],
    [[{ serviceDeploymentArn: "timed", status: "SUCCESSFUL", createdAt: new Date(T0) }, { serviceDeploymentArn: "untimed", status: "IN_PROGRESS" }], undefined],
  ])("inFlightArn %j → %s", (briefs, expected) => {
    expect(inFlightArn(briefs as ServiceDeploymentBrief[])).toBe(expected);
  });
  it.each([
    [{ currentServiceDeployment: "sd", deployments: [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" as const }] }, true],
    [{ deployments: [{ status: "PRIMARY", rolloutState: "IN_PROGRESS" as const }] }, false],
    [{ currentServiceDeployment: "sd", deployments: [{ status: "PRIMARY", rolloutState: "COMPLETED" as const }] }, false],
    [{ currentServiceDeployment: "sd", deployments: [{ status: "ACTIVE", rolloutState: "IN_PROGRESS" as const }, { status: "PRIMARY", rolloutState: "COMPLETED" as const }] }, false],
    [{ currentServiceDeployment: "sd", deployments: [{ status: "ACTIVE", rolloutState: "COMPLETED" as const }, { status: "PRIMARY", rolloutState: "IN_PROGRESS" as const }] }, true],
    [{ currentServiceDeployment: "sd" }, false],
  ])("mayStop %j → %s", (service, expected) => {
    expect(mayStop(service)).toBe(expected);
  });
});

describe("chooseRollbackMethod", () => {
  const inFlight = (over: Partial<InFlightDeployment> = {}): InFlightDeployment => ({ serviceDeploymentArn: "sd", status: "IN_PROGRESS", lifecycleStage: null, sourceTaskDefinitions: [], ...over });
  const service = { serviceName: "web" };
  it.each([
    ["nothing in flight", undefined, { kind: "update", line: "web: UpdateService to web:2" }],
    ["a finished deployment", inFlight({ status: "SUCCESSFUL" }), { kind: "update", line: "web: UpdateService to web:2 (its service deployment is SUCCESSFUL: nothing to stop)" }],
    ["ECS would go elsewhere", inFlight({ returnsTo: td(1) }), { kind: "update", line: "web: UpdateService to web:2 (ECS's rollback of the deployment in flight would go to web:1, not to web:2)" }],
    ["ECS's target unknown", inFlight(), { kind: "update", line: "web: UpdateService to web:2 (ECS's rollback of the deployment in flight would go to an unknown revision, not to web:2)" }],
    ["two sources, none completed", inFlight({ sourceTaskDefinitions: [td(2), td(1)] }), { kind: "update", line: "web: UpdateService to web:2 (ECS's rollback of the deployment in flight would go to an unknown revision, not to web:2)" }],
    ["one source, the target", inFlight({ sourceTaskDefinitions: [td(2)], status: "PENDING" }), { kind: "stop", serviceDeploymentArn: "sd", line: "web: StopServiceDeployment ROLLBACK of the deployment in flight (PENDING); ECS returns the service to web:2" }],
    ["returnsTo wins over the one source", inFlight({ returnsTo: td(1), sourceTaskDefinitions: [td(2)] }), { kind: "update", line: "web: UpdateService to web:2 (ECS's rollback of the deployment in flight would go to web:1, not to web:2)" }],
    ["the target, in a stage", inFlight({ returnsTo: td(2), lifecycleStage: "BAKE_TIME" }), { kind: "stop", serviceDeploymentArn: "sd", line: "web: StopServiceDeployment ROLLBACK of the deployment in flight (IN_PROGRESS in BAKE_TIME); ECS returns the service to web:2" }],
  ] as const)("%s", (_label, flight, expected) => {
    expect(chooseRollbackMethod(service, td(2), flight)).toEqual(expected);
  });
  it("a service without a name, a target that is no revision ARN", () => {
    expect(chooseRollbackMethod({}, "not-an-arn", undefined)).toEqual({ kind: "update", line: "service: UpdateService to not-an-arn" });
  });
});
