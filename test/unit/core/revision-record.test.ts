/**
 * Issue 18 item 3: a revision whose release stopped for the infrastructure's reasons (RunTask
 * failures[], a Spot interruption of its pre-deploy task) is tagged `not-released`: history says so,
 * and rollback does not treat it as bad (it skips only failed and rolled-back revisions).
 */
import { describe, expect, it } from "vitest";
import { isKnownBad, isKnownGood, outcomeOf, revisionOutcome, type RevisionRecord } from "../../../src/core/revision-record.js";
import type { RolloutStateKind } from "../../../src/core/rollout-state.js";
import { selectRollbackTarget } from "../../../src/core/rollback-target.js";
import { TAG } from "../../../src/core/tags.js";

const record = (revision: number, outcome?: string): RevisionRecord => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`,
  family: "web",
  revision,
  status: "ACTIVE",
  tags: outcome ? { [TAG.outcome]: outcome } : {},
});

describe("the not-released outcome", () => {
  it("reads as 'not released', neither good nor bad", () => {
    expect(outcomeOf(record(3, "not-released"))).toBe("not released");
    expect(isKnownBad(record(3, "not-released"))).toBe(false);
    expect(isKnownGood(record(3, "not-released"))).toBe(false);
  });

  it("is not skipped as bad by rollback --to sha: (failed is)", () => {
    const notReleased = { ...record(3, "not-released"), tags: { [TAG.outcome]: "not-released", [TAG.sha]: "a".repeat(40) } };
    const decision = selectRollbackTarget({ to: { kind: "sha", sha: "a".repeat(40) }, current: { family: "web", revision: 4 }, revisions: [record(4, "stable"), notReleased], exhausted: true });
    expect(decision).toMatchObject({ status: "found", target: { revision: 3 } });
    const failed = { ...notReleased, tags: { ...notReleased.tags, [TAG.outcome]: "failed" } };
    expect(selectRollbackTarget({ to: { kind: "sha", sha: "a".repeat(40) }, current: { family: "web", revision: 4 }, revisions: [record(4, "stable"), failed], exhausted: true }).status).toBe("none");
  });
});

describe("revisionOutcome", () => {
  it.each<[RolloutStateKind[], "stable" | "failed" | null]>([
    [[], null],
    [["completed"], "stable"],
    [["completed", "completed"], "stable"],
    [["completed", "failed"], "failed"],
    [["rolled-back"], "failed"],
    [["completed", "in-progress"], null],
    [["superseded"], null],
    [["completed", "superseded"], null],
    [["superseded", "failed"], "failed"],
  ])("%j → %s", (states, expected) => expect(revisionOutcome(states.map((state) => ({ state })))).toBe(expected));

  const counts = (desired: number, running: number) => [{ id: "d", status: "PRIMARY", taskDefinitionArn: "t", desired, running, pending: 0, failed: 0, rolloutState: "COMPLETED", ours: true }];
  it.each<[string, Array<[number, number]>, "stable" | "never-ran"]>([
    ["desired 0, nothing running: never-ran", [[0, 0]], "never-ran"],
    ["desired 1 running: stable", [[1, 1]], "stable"],
    ["one service ran it, another at 0: stable", [[0, 0], [2, 2]], "stable"],
  ])("%s", (_title, services, expected) => {
    expect(revisionOutcome(services.map(([desired, running]) => ({ state: "completed" as const, counts: counts(desired, running) })))).toBe(expected);
  });
});
