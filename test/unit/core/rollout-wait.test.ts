/**
 * The rollout wait's decisions (core/rollout-wait.ts): which service deployment is ours (created with
 * our update and targeting our revision, not whatever currentServiceDeployment names: kayac/ecspresso
 * PR #945), when to look again (a STOPPED record may have a newer one for the same revision:
 * kayac/ecspresso#899), what one poll assesses, which events are new, how much bake time is left.
 */
import type { ServiceDeploymentBrief } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { afterSearch, assessTarget, bakeLeftMs, freshEvents, initialRecord, needsRecordSearch, nextOutcome, ownServiceDeployment, replacedRecordLine, unknownRevisions, updateCreatedAt } from "../../../src/core/rollout-wait.js";
import type { RolloutTarget } from "../../../src/core/rollout-state.js";

const WEB1 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1";
const WEB2 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:2";
const T = 1_000_000;
const target: RolloutTarget = {
  service: "web",
  deploymentId: "ecs-svc/2",
  taskDefinitionArn: WEB2,
  serviceDeploymentArn: "sd-old",
  updateView: { serviceName: "web", deployments: [{ id: "ecs-svc/2", status: "PRIMARY", taskDefinition: WEB2, createdAt: new Date(T) }] },
};
const brief = (arn: string, at: number, revision: string, status = "IN_PROGRESS"): ServiceDeploymentBrief => ({ serviceDeploymentArn: arn, createdAt: new Date(at), targetServiceRevisionArn: revision, status: status as ServiceDeploymentBrief["status"] });
const revisions = new Map([["rev-1", WEB1], ["rev-2", WEB2], ["rev-2b", WEB2]]);

describe("ownServiceDeployment", () => {
  it.each([
    ["the previous, SUCCESSFUL record (what a stale currentServiceDeployment names) is not ours", [brief("sd-old", T - 60_000, "rev-1", "SUCCESSFUL")], undefined],
    ["ours: created with the update, our revision", [brief("sd-old", T - 60_000, "rev-1", "SUCCESSFUL"), brief("sd-new", T + 200, "rev-2")], "sd-new"],
    ["created with the update but another revision (someone else's update): not ours", [brief("sd-x", T + 200, "rev-1")], undefined],
    ["our revision, but long before the update (an earlier release of it): not ours", [brief("sd-early", T - 600_000, "rev-2", "SUCCESSFUL")], undefined],
    ["two records for the update (the first STOPPED): the newer", [brief("sd-a", T + 100, "rev-2", "STOPPED"), brief("sd-b", T + 9_000, "rev-2b")], "sd-b"],
    ["stamped just before our deployment, within the tolerance", [brief("sd-new", T - 1_500, "rev-2")], "sd-new"],
    ["a candidate whose revision is unknown is not taken", [brief("sd-new", T + 200, "rev-unknown")], undefined],
  ] as const)("%s", (_name, briefs, expected) => {
    expect(ownServiceDeployment(briefs, revisions, target)).toBe(expected);
  });

  it("without the update's view, any record of our revision (rollback's stopped deployment is given, not searched)", () => {
    const { updateView: _drop, ...bare } = target;
    expect(updateCreatedAt(bare)).toBeUndefined();
    expect(ownServiceDeployment([brief("sd-early", T - 600_000, "rev-2", "SUCCESSFUL")], revisions, bare)).toBe("sd-early");
  });

  it("unknownRevisions lists the target revisions to read", () => {
    expect(unknownRevisions([brief("a", T, "rev-1"), brief("b", T, "rev-9"), brief("c", T, "rev-9")], revisions)).toEqual(["rev-9"]);
  });
});

describe("following a record", () => {
  it("an update's currentServiceDeployment is only a candidate; rollback's stopped deployment is ours", () => {
    expect(initialRecord(target)).toEqual({ arn: "sd-old", confirmed: false });
    expect(initialRecord({ ...target, stoppedTaskDefinitionArn: WEB1 })).toEqual({ arn: "sd-old", confirmed: true });
    const { serviceDeploymentArn: _none, ...unpinned } = target;
    expect(initialRecord(unpinned)).toBeUndefined();
  });

  it.each([
    ["none yet", undefined, true],
    ["unconfirmed", { arn: "a", confirmed: false }, true],
    ["confirmed, in progress", { arn: "a", confirmed: true, status: "IN_PROGRESS" }, false],
    ["confirmed, STOPPED, not searched since", { arn: "a", confirmed: true, status: "STOPPED" }, true],
    ["confirmed, STOPPED, searched since: final", { arn: "a", confirmed: true, status: "STOPPED", searchedAfterStop: true }, false],
  ] as const)("needsRecordSearch: %s", (_name, followed, expected) => {
    expect(needsRecordSearch(followed)).toBe(expected);
  });

  it("afterSearch follows a newer record, or marks a STOPPED one final", () => {
    const stopped = { arn: "a", confirmed: true, status: "STOPPED" };
    expect(afterSearch(stopped, "b")).toEqual({ arn: "b", confirmed: true });
    expect(afterSearch(stopped, "a")).toEqual({ ...stopped, searchedAfterStop: true });
    expect(afterSearch(stopped, undefined)).toEqual({ ...stopped, searchedAfterStop: true });
    expect(afterSearch(undefined, undefined)).toBeUndefined();
    expect(afterSearch({ arn: "a", confirmed: false }, "a")).toEqual({ arn: "a", confirmed: true, searchedAfterStop: false });
    expect(replacedRecordLine("web", stopped, "b")).toBe("web: ECS replaced service deployment a (STOPPED) with b of the same revision; following it");
  });
});

describe("assessTarget and nextOutcome", () => {
  const view = { serviceName: "web", status: "ACTIVE", taskDefinition: WEB2, deploymentConfiguration: { strategy: "BLUE_GREEN" as const }, deployments: [{ id: "ecs-svc/2", status: "PRIMARY", taskDefinition: WEB2, rolloutState: "COMPLETED" as const, desiredCount: 2, runningCount: 2, pendingCount: 0 }] };
  it("a BLUE_GREEN deployment whose tasks all run is not done while its record is in BAKE_TIME", () => {
    expect(assessTarget(target, view, { strategy: "BLUE_GREEN", status: "IN_PROGRESS", stage: "BAKE_TIME", hooks: [] }).kind).toBe("in-progress");
    expect(assessTarget(target, view, { strategy: "BLUE_GREEN", status: "SUCCESSFUL", hooks: [] }).kind).toBe("completed");
  });
  it("without a confirmed record, the deployment id decides (rolling rule)", () => {
    expect(assessTarget(target, view, undefined).kind).toBe("completed");
  });
  it("a failure keeps the reason it first failed for", () => {
    const first = nextOutcome(target, { kind: "rolling-back", reason: "circuit breaker", counts: [] }, undefined);
    expect(nextOutcome(target, { kind: "rolled-back", reason: "back on web:1", counts: [] }, first).reason).toBe("circuit breaker");
    expect(nextOutcome(target, { kind: "completed", reason: "done", counts: [] }, first).reason).toBe("done");
  });
});

describe("events and bake time", () => {
  it("prints unseen events oldest first, skipping those before the wait on the first poll", () => {
    const events = [{ id: "3", message: "three", createdAt: new Date(300) }, { id: "2", message: "two", createdAt: new Date(200) }, { id: "1", message: "one", createdAt: new Date(100) }];
    expect(freshEvents(events, new Set(["1"]), undefined)).toEqual({ print: ["two", "three"], seen: ["2", "3"] });
    expect(freshEvents(events, new Set(), 250)).toEqual({ print: ["three"], seen: ["1", "2", "3"] });
  });
  it("bake time left from when BAKE_TIME was first seen", () => {
    const baking = { strategy: "BLUE_GREEN", status: "IN_PROGRESS", stage: "BAKE_TIME", bakeTimeInMinutes: 10, hooks: [] };
    expect(bakeLeftMs(baking, 0, 60_000)).toBe(540_000);
    expect(bakeLeftMs({ ...baking, stage: "CLEAN_UP" }, 0, 60_000)).toBeUndefined();
    expect(bakeLeftMs(baking, undefined, 60_000)).toBeUndefined();
  });
});

describe("a stopped deployment's rollback is judged by ECS's record", () => {
  const stopped: RolloutTarget = { service: "web", deploymentId: "sd-1", taskDefinitionArn: WEB1, serviceDeploymentArn: "sd-1", stoppedTaskDefinitionArn: WEB2 };
  const WEB0 = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:0";
  const view = { serviceName: "web", status: "ACTIVE", taskDefinition: WEB2, deployments: [] };
  const done = (rollbackTaskDefinition?: string) => ({ strategy: "ROLLING", status: "ROLLBACK_SUCCESSFUL", hooks: [], ...(rollbackTaskDefinition !== undefined ? { rollbackTaskDefinition } : {}) });
  it.each([
    ["the record's rollback revision is the target: done, whatever the view still shows", done(WEB1), "completed"],
    ["the record went back elsewhere (its last completed deployment): failed", done(WEB0), "failed"],
    ["the revision not read, the view not there yet: still waiting", done(), "in-progress"],
  ] as const)("%s", (_name, progress, kind) => {
    expect(assessTarget(stopped, view, progress).kind).toBe(kind);
  });
  it("without the record's revision, the view decides", () => {
    expect(assessTarget(stopped, { ...view, taskDefinition: WEB1 }, done()).kind).toBe("completed");
  });
});
