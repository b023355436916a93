import { describe, expect, it } from "vitest";
import { scheduledMoveLine, scheduledMoves, type ScheduledTask } from "../../../src/core/scheduled-tasks.js";

const arn = (revision: string): string => `arn:aws:ecs:us-east-1:123456789012:task-definition/${revision}`;
const rule = (name: string, revision: string): ScheduledTask => ({ kind: "rule", name, taskDefinitionArn: arn(revision) });

describe("scheduledMoves", () => {
  const tasks = [rule("nightly (target 1)", "web:3"), rule("hourly (target a)", "worker:2"), rule("latest (target 1)", "web"), { kind: "schedule" as const, name: "default/cleanup", taskDefinitionArn: arn("web:1") }, rule("current (target 1)", "web:4")];

  it("moves every task on another revision of a released family; the family alone and the target itself stay", () => {
    expect(scheduledMoves(tasks, new Map([["web", arn("web:4")]]))).toEqual([
      { kind: "rule", name: "nightly (target 1)", from: arn("web:3"), to: arn("web:4") },
      { kind: "schedule", name: "default/cleanup", from: arn("web:1"), to: arn("web:4") },
    ]);
  });

  it("a family not released: nothing of it moves", () => {
    expect(scheduledMoves(tasks, new Map([["billing", arn("billing:9")]]))).toEqual([]);
  });

  it("a dry run (revision not registered yet): moves to the family, said as 'the new revision'", () => {
    const [move] = scheduledMoves([rule("nightly (target 1)", "web:3")], new Map([["web", undefined]]));
    expect(move).toEqual({ kind: "rule", name: "nightly (target 1)", from: arn("web:3"), to: "web" });
    expect(scheduledMoveLine(move!, true)).toBe("would point EventBridge rule nightly (target 1) (web:3) at the new revision of web");
  });

  it("says what was done", () => {
    expect(scheduledMoveLine({ kind: "schedule", name: "default/cleanup", from: arn("web:1"), to: arn("web:4") }, false)).toBe("pointed EventBridge Scheduler schedule default/cleanup (web:1) at web:4");
  });
});
