/**
 * Is a DescribeServices view the service as it is now (core/service-view.ts)? ECS is eventually
 * consistent (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html); its service
 * deployment record is the second witness, and currentServiceDeployment may itself lag
 * (kayac/ecspresso PR #945).
 */
import type { Service, ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { judgeServiceView, lastCompletedTaskDefinition, newestRecordOf, newestRecordOfEntries, SAME_UPDATE_MS, staleViewLine, unconfirmedOutputLine, unconfirmedViewLine, type NewestRecord } from "../../../src/core/service-view.js";

const WEB2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const WEB3 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
const T = Date.parse("2026-12-07T02:00:00Z");
const view = (current: string, taskDefinition: string, createdAt: number): Service => ({
  serviceName: "web",
  currentServiceDeployment: current,
  taskDefinition,
  deployments: [{ id: "ecs-svc/1", status: "PRIMARY", taskDefinition, createdAt: new Date(createdAt) }],
});
const newest = (over: Partial<NewestRecord> = {}): NewestRecord => ({ arn: "sd-b", status: "IN_PROGRESS", createdAt: T, targetRevisionArn: "rev-b", ...over });

describe("judgeServiceView", () => {
  it.each([
    ["no record (CODE_DEPLOY, EXTERNAL, or unreadable): the view stands alone", view("sd-a", WEB2, T - 3_600_000), undefined, "no-record"],
    ["the view names the newest record", view("sd-b", WEB3, T), newest(), "current"],
    ["the view names an older record and its PRIMARY is older: stale", view("sd-a", WEB2, T - 3_600_000), newest(), "stale"],
    ["PRIMARY as new as the record, target unknown yet: read the revision", view("sd-a", WEB3, T + 100), newest(), "need-revision"],
    ["currentServiceDeployment lags, PRIMARY runs the record's target: current", view("sd-a", WEB3, T + 100), newest({ taskDefinition: WEB3 }), "current"],
    ["PRIMARY created with it but on another revision: stale", view("sd-a", WEB2, T), newest({ taskDefinition: WEB3 }), "stale"],
    ["PRIMARY created just over the tolerance before the record: stale", view("sd-a", WEB3, T - SAME_UPDATE_MS - 1), newest({ taskDefinition: WEB3 }), "stale"],
    ["PRIMARY created within the tolerance: current", view("sd-a", WEB3, T - SAME_UPDATE_MS), newest({ taskDefinition: WEB3 }), "current"],
    ["a record without a target revision cannot be confirmed by revision: stale", view("sd-a", WEB3, T), newest({ targetRevisionArn: undefined }), "stale"],
  ] as const)("%s", (_name, service, record, kind) => {
    expect(judgeServiceView(service, record).kind).toBe(kind);
  });

  it("a view without deployments is stale against any record", () => {
    expect(judgeServiceView({ serviceName: "web", currentServiceDeployment: "sd-a" }, newest()).kind).toBe("stale");
  });
});

describe("newestRecordOf and lastCompletedTaskDefinition", () => {
  const briefs: ServiceDeploymentBrief[] = [
    { serviceDeploymentArn: "sd-a", status: "SUCCESSFUL", createdAt: new Date(T - 60_000), targetServiceRevisionArn: "rev-a" },
    { serviceDeploymentArn: "sd-b", status: "IN_PROGRESS", createdAt: new Date(T), targetServiceRevisionArn: "rev-b" },
    { serviceDeploymentArn: "sd-0", status: "SUCCESSFUL", createdAt: new Date(T - 120_000), targetServiceRevisionArn: "rev-0" },
  ];
  it("the newest by createdAt, whatever the order", () => {
    expect(newestRecordOf(briefs)).toEqual({ arn: "sd-b", status: "IN_PROGRESS", createdAt: T, targetRevisionArn: "rev-b" });
    expect(newestRecordOf([])).toBeUndefined();
  });
  it("ECS returns to the last deployment that completed", () => {
    const map = new Map([["rev-a", WEB2], ["rev-0", "web:1"], ["rev-b", WEB3]]);
    expect(lastCompletedTaskDefinition(briefs, map)).toBe(WEB2);
    expect(lastCompletedTaskDefinition(briefs.filter((b) => b.status !== "SUCCESSFUL"), map)).toBeUndefined();
  });
});

describe("lines", () => {
  it("say what was stale and what was done", () => {
    expect(staleViewLine("web", newest({ taskDefinition: WEB3 }), 2)).toBe("web: DescribeServices showed the service before its newest service deployment (IN_PROGRESS of web:3, created 2026-12-07T02:00:00.000Z): ECS's eventual consistency; read it again 2 times");
    expect(unconfirmedViewLine("web", newest(), 120_000)).toBe("web: DescribeServices still does not show its newest service deployment (IN_PROGRESS, created 2026-12-07T02:00:00.000Z) after 120s: the view could not be confirmed");
  });
});

describe("history's record entries", () => {
  const entry = (arn: string, createdAt: string | null, taskDefinition: string | null) => ({ serviceDeploymentArn: arn, status: "IN_PROGRESS", createdAt, taskDefinition, serviceRevisionArn: `rev-${arn}` });
  it("the newest entry, its task definition known", () => {
    expect(newestRecordOfEntries([entry("a", "2026-12-07T01:00:00Z", WEB2), entry("b", "2026-12-07T02:00:00Z", WEB3)])).toEqual({ arn: "b", status: "IN_PROGRESS", createdAt: T, targetRevisionArn: "rev-b", taskDefinition: WEB3 });
    expect(newestRecordOfEntries([])).toBeUndefined();
  });
  it("judged against a stale view, and worded", () => {
    const newestB = newestRecordOfEntries([entry("b", "2026-12-07T02:00:00Z", WEB3)]);
    expect(judgeServiceView(view("sd-a", WEB2, T - 3_600_000), newestB).kind).toBe("stale");
    expect(unconfirmedOutputLine("history", "web", newestB!, "the running marks (*)")).toBe("history: web: DescribeServices does not show its newest service deployment (IN_PROGRESS of web:3, created 2026-12-07T02:00:00.000Z) yet (ECS's eventual consistency): the running marks (*) may be seconds old");
  });
});
