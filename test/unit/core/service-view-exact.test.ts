/** Judging a DescribeServices view against ECS's record: each branch, untimed records, and the lines. */
import { describe, expect, it } from "vitest";
import type { Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { judgeServiceView, lastCompletedTaskDefinition, newestRecordOf, staleViewLine, unconfirmedOutputLine, unconfirmedViewLine, type NewestRecord } from "../../../src/core/service-view.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("newestRecordOf", () => {
  it("the newest by createdAt; an untimed brief is the oldest", () => {
    const briefs: ServiceDeploymentBrief[] = [{ serviceDeploymentArn: "untimed", status: "SUCCESSFUL" }, { serviceDeploymentArn: "a", status: "SUCCESSFUL", createdAt: new Date(T0) }, { serviceDeploymentArn: "b", status: "IN_PROGRESS", createdAt: new Date(T0 + 1), targetServiceRevisionArn: "rev" }];
    expect(newestRecordOf(briefs)).toEqual({ arn: "b", status: "IN_PROGRESS", createdAt: T0 + 1, targetRevisionArn: "rev" });
    expect(newestRecordOf([briefs[1]!, briefs[0]!])?.arn).toBe("a");
  });
  it("an untimed newest: no createdAt, no status given is empty; no arn or no briefs: undefined", () => {
    expect(newestRecordOf([{ serviceDeploymentArn: "x" }])).toEqual({ arn: "x", status: "", createdAt: undefined, targetRevisionArn: undefined });
    expect(newestRecordOf([{ status: "SUCCESSFUL" }])).toBeUndefined();
    expect(newestRecordOf([])).toBeUndefined();
  });
});

describe("judgeServiceView", () => {
  const newest = (over: Partial<NewestRecord> = {}): NewestRecord => ({ arn: "sd-new", status: "IN_PROGRESS", createdAt: T0, targetRevisionArn: "rev", ...over });
  const view = (primary: object | undefined, current = "sd-old") => ({ currentServiceDeployment: current, deployments: primary === undefined ? [{ status: "ACTIVE", createdAt: new Date(T0) }] : [{ status: "ACTIVE", createdAt: new Date(T0 - 60_000), taskDefinition: "td:1" }, { status: "PRIMARY", ...primary }] });
  it.each([
    ["no record", view({}), undefined, { kind: "no-record" }],
    ["it names the newest", view({}, "sd-new"), newest(), { kind: "current" }],
    ["no PRIMARY", view(undefined), newest(), { kind: "stale", newest: newest() }],
    ["PRIMARY without a time", view({ taskDefinition: "td:2" }), newest({ taskDefinition: "td:2" }), { kind: "stale", newest: newest({ taskDefinition: "td:2" }) }],
    ["record without a time", view({ createdAt: new Date(T0) }), newest({ createdAt: undefined, taskDefinition: "td:2" }), { kind: "stale", newest: newest({ createdAt: undefined, taskDefinition: "td:2" }) }],
    ["PRIMARY 2 s before: same update, revision unknown", view({ createdAt: new Date(T0 - 2_000) }), newest(), { kind: "need-revision", newest: newest() }],
    ["PRIMARY 2.001 s before: older", view({ createdAt: new Date(T0 - 2_001) }), newest(), { kind: "stale", newest: newest() }],
    ["same update, no target revision", view({ createdAt: new Date(T0) }), newest({ targetRevisionArn: undefined }), { kind: "stale", newest: newest({ targetRevisionArn: undefined }) }],
    ["same update, same task definition", view({ createdAt: new Date(T0), taskDefinition: "td:2" }), newest({ taskDefinition: "td:2" }), { kind: "current" }],
    ["same update, another task definition", view({ createdAt: new Date(T0), taskDefinition: "td:1" }), newest({ taskDefinition: "td:2" }), { kind: "stale", newest: newest({ taskDefinition: "td:2" }) }],
  ] as const)("%s", (_label, service, record, expected) => {
    expect(judgeServiceView(service as Service, record)).toEqual(expected);
  });
});

describe("the lines", () => {
  const td = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
  it("with and without a time and a task definition; one and several rereads", () => {
    expect(staleViewLine("web", { arn: "a", status: "IN_PROGRESS", createdAt: T0, targetRevisionArn: undefined, taskDefinition: td }, 1)).toBe(
      "web: DescribeServices showed the service before its newest service deployment (IN_PROGRESS of web:7, created 2026-01-01T00:00:00.000Z): ECS's eventual consistency; read it again 1 time",
    );
    expect(staleViewLine("web", { arn: "a", status: "PENDING", createdAt: undefined, targetRevisionArn: undefined }, 2)).toBe(
      "web: DescribeServices showed the service before its newest service deployment (PENDING): ECS's eventual consistency; read it again 2 times",
    );
    expect(unconfirmedOutputLine("status", "web", { arn: "a", status: "PENDING", createdAt: undefined, targetRevisionArn: undefined }, "its counts")).toBe(
      "status: web: DescribeServices does not show its newest service deployment (PENDING) yet (ECS's eventual consistency): its counts may be seconds old",
    );
    expect(unconfirmedViewLine("web", { arn: "a", status: "PENDING", createdAt: undefined, targetRevisionArn: undefined }, 29_500)).toBe(
      "web: DescribeServices still does not show its newest service deployment (PENDING) after 30s: the view could not be confirmed",
    );
  });
});

describe("lastCompletedTaskDefinition", () => {
  const revisions = new Map([
    ["rev:1", "td:1"],
    ["rev:2", "td:2"],
    ["rev:3", "td:3"],
  ]);
  it("the newest SUCCESSFUL by createdAt, whatever the order given; untimed ones are the oldest", () => {
    const old: ServiceDeploymentBrief = { status: "SUCCESSFUL", createdAt: new Date(T0), targetServiceRevisionArn: "rev:1" };
    const recent: ServiceDeploymentBrief = { status: "SUCCESSFUL", createdAt: new Date(T0 + 1), targetServiceRevisionArn: "rev:2" };
    const untimed: ServiceDeploymentBrief = { status: "SUCCESSFUL", targetServiceRevisionArn: "rev:3" };
    expect(lastCompletedTaskDefinition([old, recent], revisions)).toBe("td:2");
    expect(lastCompletedTaskDefinition([untimed, old], revisions)).toBe("td:1");
    expect(lastCompletedTaskDefinition([untimed, recent], revisions)).toBe("td:2");
    expect(lastCompletedTaskDefinition([recent, untimed], revisions)).toBe("td:2");
    expect(lastCompletedTaskDefinition([{ status: "STOPPED" as const, createdAt: new Date(T0 + 5), targetServiceRevisionArn: "rev:1" }, old], revisions)).toBe("td:1");
    expect(lastCompletedTaskDefinition([{ status: "SUCCESSFUL" as const, createdAt: new Date(T0 + 5) }], revisions)).toBeUndefined();
  });
});
