/** The rollout wait's small decisions, each branch and edge as a table. */
import { describe, expect, it } from "vitest";
import {
  afterSearch,
  bakeLeftMs,
  freshEvents,
  initialRecord,
  needsRecordSearch,
  ownServiceDeployment,
  replacedRecordLine,
  unknownRevisions,
  updateCreatedAt,
} from "../../../src/core/rollout-wait.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const target = (over: object = {}) => ({
  service: "web",
  deploymentId: "ecs-svc/2",
  taskDefinitionArn: "td:2",
  updateView: { deployments: [{ id: "ecs-svc/1", createdAt: new Date(T0 - 60_000) }, { id: "ecs-svc/2", createdAt: new Date(T0) }] },
  ...over,
});

describe("updateCreatedAt and initialRecord", () => {
  it("our deployment's createdAt, not another's; undefined without a view or our id", () => {
    expect(updateCreatedAt(target())).toBe(T0);
    expect(updateCreatedAt(target({ updateView: undefined }))).toBeUndefined();
    expect(updateCreatedAt(target({ updateView: {} }))).toBeUndefined();
    expect(updateCreatedAt(target({ deploymentId: "ecs-svc/9" }))).toBeUndefined();
  });
  it("initialRecord: confirmed only for rollback's stopped deployment", () => {
    expect(initialRecord(target())).toBeUndefined();
    expect(initialRecord(target({ serviceDeploymentArn: "sd" }))).toEqual({ arn: "sd", confirmed: false });
    expect(initialRecord(target({ serviceDeploymentArn: "sd", stoppedTaskDefinitionArn: "td:3" }))).toEqual({ arn: "sd", confirmed: true });
  });
});

describe("needsRecordSearch", () => {
  it.each([
    [undefined, true],
    [{ arn: "a", confirmed: false }, true],
    [{ arn: "a", confirmed: true }, false],
    [{ arn: "a", confirmed: true, status: "IN_PROGRESS" }, false],
    [{ arn: "a", confirmed: true, status: "STOPPED" }, true],
    [{ arn: "a", confirmed: true, status: "STOPPED", searchedAfterStop: false }, true],
    [{ arn: "a", confirmed: true, status: "STOPPED", searchedAfterStop: true }, false],
  ])("%j → %s", (followed, expected) => {
    expect(needsRecordSearch(followed)).toBe(expected);
  });
});

describe("ownServiceDeployment", () => {
  const revisions = new Map([
    ["rev:1", "td:1"],
    ["rev:2", "td:2"],
  ]);
  const brief = (arn: string, at: number | undefined, rev: string | undefined) => ({ serviceDeploymentArn: arn, ...(at !== undefined ? { createdAt: new Date(at) } : {}), ...(rev !== undefined ? { targetServiceRevisionArn: rev } : {}) });
  it("the newest record of our revision created at or after our update less 2 s", () => {
    const briefs = [brief("old", T0 - 2_001, "rev:2"), brief("edge", T0 - 2_000, "rev:2"), brief("newer", T0 + 5_000, "rev:2"), brief("other", T0 + 9_000, "rev:1"), brief("none", T0 + 9_500, undefined)];
    expect(ownServiceDeployment(briefs, revisions, target())).toBe("newer");
    expect(ownServiceDeployment([briefs[0]!, briefs[1]!], revisions, target())).toBe("edge");
    expect(ownServiceDeployment([briefs[0]!], revisions, target())).toBeUndefined();
  });
  it("without our update's time every record counts; a record without a time sorts as oldest", () => {
    const t = target({ updateView: undefined });
    expect(ownServiceDeployment([brief("untimed", undefined, "rev:2"), brief("timed", T0 - 600_000, "rev:2")], revisions, t)).toBe("timed");
    expect(ownServiceDeployment([brief("timed", T0 - 600_000, "rev:2"), brief("untimed", undefined, "rev:2")], revisions, t)).toBe("timed");
  });
  it("a record without a time is older than our update", () => {
    expect(ownServiceDeployment([brief("untimed", undefined, "rev:2")], revisions, target())).toBeUndefined();
  });
  it("unknownRevisions: each unknown revision once, known and absent ones left out", () => {
    expect(unknownRevisions([brief("a", T0, "rev:3"), brief("b", T0, "rev:3"), brief("c", T0, "rev:1"), brief("d", T0, undefined), brief("e", T0, "rev:4")], revisions)).toEqual(["rev:3", "rev:4"]);
  });
});

describe("afterSearch", () => {
  const stopped = { arn: "a", confirmed: false, status: "STOPPED" };
  it.each([
    [undefined, undefined, undefined],
    [undefined, "b", { arn: "b", confirmed: true }],
    [stopped, "b", { arn: "b", confirmed: true }],
    [stopped, "a", { ...stopped, confirmed: true, searchedAfterStop: true }],
    [{ arn: "a", confirmed: false, status: "IN_PROGRESS" }, "a", { arn: "a", confirmed: true, status: "IN_PROGRESS", searchedAfterStop: false }],
    [stopped, undefined, { ...stopped, searchedAfterStop: true }],
    [{ arn: "a", confirmed: true }, undefined, { arn: "a", confirmed: true, searchedAfterStop: false }],
  ])("%j, found %s → %j", (followed, found, expected) => {
    expect(afterSearch(followed, found)).toEqual(expected);
  });
});

describe("lines and events", () => {
  it("replacedRecordLine with and without a status", () => {
    expect(replacedRecordLine("web", { arn: "a", confirmed: true, status: "STOPPED" }, "b")).toBe("web: ECS replaced service deployment a (STOPPED) with b of the same revision; following it");
    expect(replacedRecordLine("web", { arn: "a", confirmed: true }, "b")).toBe("web: ECS replaced service deployment a (unknown) with b of the same revision; following it");
  });
  it("freshEvents: unseen ones oldest first; those before skipBefore marked seen, not printed; an id-less event ignored", () => {
    const events = [
      { id: "3", createdAt: new Date(T0 + 1), message: "three" },
      { id: "2", createdAt: new Date(T0), message: "two" },
      { createdAt: new Date(T0 + 5), message: "no id" },
      { id: "1", createdAt: new Date(T0 - 1), message: "one" },
      { id: "0", message: "untimed" },
    ];
    expect(freshEvents(events, new Set(["3"]), T0)).toEqual({ print: ["two"], seen: ["0", "1", "2"] });
    expect(freshEvents(events, new Set(), undefined)).toEqual({ print: ["untimed", "one", "two", "three"], seen: ["0", "1", "2", "3"] });
    expect(freshEvents([{ id: "x" }], new Set(), undefined)).toEqual({ print: [""], seen: ["x"] });
    expect(freshEvents(undefined, new Set(), undefined)).toEqual({ print: [], seen: [] });
  });
  it("bakeLeftMs", () => {
    const bake = { stage: "BAKE_TIME", bakeTimeInMinutes: 2 } as never;
    expect(bakeLeftMs(bake, T0, T0 + 30_000)).toBe(90_000);
    expect(bakeLeftMs(bake, undefined, T0)).toBeUndefined();
    expect(bakeLeftMs({ stage: "BAKE_TIME" } as never, T0, T0)).toBeUndefined();
    expect(bakeLeftMs({ stage: "TEST_TRAFFIC_SHIFT", bakeTimeInMinutes: 2 } as never, T0, T0)).toBeUndefined();
    expect(bakeLeftMs(undefined, T0, T0)).toBeUndefined();
  });
});
