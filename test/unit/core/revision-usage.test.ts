import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { clusterName, revisionUsers, scheduledUsers, withScheduledUsers, type ScheduledTaskTarget } from "../../../src/core/revision-usage.js";

const ARN = (revision: number): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const CLUSTER = (name: string): string => `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`;
const service = (name: string, revision: number, deployments: number[] = []): Service => ({
  serviceName: name,
  taskDefinition: ARN(revision),
  deployments: deployments.map((r) => ({ taskDefinition: ARN(r) })),
});

describe("revisionUsers", () => {
  const clusters = [
    { cluster: CLUSTER("prod"), services: [service("web", 5, [5, 4]), service("web-canary", 5)] },
    { cluster: CLUSTER("staging"), services: [service("web", 5), service("api", 3)] },
  ];

  it.each<[string, { home?: string; exclude?: string[] }, Record<number, string[]>]>([
    ["home cluster by name, others qualified", { home: "prod" }, { 5: ["web", "web-canary", "web (cluster staging)"], 4: ["web"], 3: ["api (cluster staging)"] }],
    ["home cluster by ARN", { home: CLUSTER("prod") }, { 5: ["web", "web-canary", "web (cluster staging)"], 4: ["web"], 3: ["api (cluster staging)"] }],
    // A rollback moves prod/web away: staging/web, of the same name, still counts.
    ["excluding the services moved, in the home cluster only", { home: "prod", exclude: ["web"] }, { 5: ["web-canary", "web (cluster staging)"], 3: ["api (cluster staging)"] }],
    ["no home: every service qualified", {}, { 5: ["web (cluster prod)", "web-canary (cluster prod)", "web (cluster staging)"], 4: ["web (cluster prod)"], 3: ["api (cluster staging)"] }],
  ])("%s", (_title, options, expected) => {
    const users = revisionUsers(clusters, options);
    expect(Object.fromEntries([...users].map(([arn, names]) => [Number(arn.split(":").pop()), names]))).toEqual(expected);
  });

  it("names clusters", () => {
    expect(clusterName(CLUSTER("prod"))).toBe("prod");
    expect(clusterName("prod")).toBe("prod");
  });
});

describe("revisionUsers, services as ECS may return them", () => {
  it("names a service without serviceName by its ARN, and records nothing for a service without a revision", () => {
    const byArn: Service = { serviceArn: "arn:aws:ecs:us-east-1:123456789012:service/prod/api", taskDefinition: ARN(3) };
    const bare: Service = { serviceName: "idle" };
    const users = revisionUsers([{ cluster: CLUSTER("prod"), services: [byArn, bare] }], { home: "prod" });
    expect([...users.entries()]).toEqual([[ARN(3), ["api"]]]);
  });
});

describe("scheduledUsers and withScheduledUsers", () => {
  const TD = "arn:aws:ecs:us-east-1:123456789012:task-definition";
  const targets: ScheduledTaskTarget[] = [
    { kind: "rule", id: "nightly", targetId: "t", targetArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", taskDefinitionArn: `${TD}/web:3` },
    { kind: "schedule", id: "ops/hourly", targetId: "", targetArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", taskDefinitionArn: `${TD}/web:3` },
    { kind: "rule", id: "bus/latest", targetId: "t", targetArn: "arn:aws:ecs:us-east-1:123456789012:cluster/prod", taskDefinitionArn: `${TD}/worker` },
  ];

  it("names each by the revision it pins, or by family when it runs the latest", () => {
    const users = scheduledUsers(targets);
    expect(Object.fromEntries(users.byRevision)).toEqual({ "web:3": ["EventBridge rule nightly", "EventBridge Scheduler schedule ops/hourly"] });
    expect(Object.fromEntries(users.byFamily)).toEqual({ worker: ["EventBridge rule bus/latest"] });
  });

  it("adds them to the services using a known revision, by its ARN", () => {
    const inUse = new Map([[`${TD}/web:3`, ["web"]]]);
    const merged = withScheduledUsers(inUse, targets, [{ arn: `${TD}/web:3`, family: "web", revision: 3 }, { arn: `${TD}/web:4`, family: "web", revision: 4 }]);
    expect(merged.get(`${TD}/web:3`)).toEqual(["web", "EventBridge rule nightly", "EventBridge Scheduler schedule ops/hourly"]);
    expect(merged.has(`${TD}/web:4`)).toBe(false);
    expect(inUse.get(`${TD}/web:3`)).toEqual(["web"]);
  });
});
