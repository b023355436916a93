import { describe, expect, it } from "vitest";
import { explainingContainer, lastLogLine, liveLogLine, logTailLines, stoppedTaskLogLocation } from "../../../src/core/task-logs.js";
import { formatStoppedTask } from "../../../src/core/stopped-tasks.js";

const awslogs = (group: string, prefix?: string) => ({ logDriver: "awslogs" as const, options: { "awslogs-group": group, ...(prefix ? { "awslogs-stream-prefix": prefix } : {}) } });

describe("which container explains a stopped task", () => {
  const definitions = [
    { name: "router", essential: true, logConfiguration: { logDriver: "awsfirelens" as const } },
    { name: "app", essential: true, logConfiguration: awslogs("/ecs/web", "ecs") },
    { name: "worker", essential: true, logConfiguration: awslogs("/ecs/web", "ecs") },
    { name: "side", essential: false, logConfiguration: awslogs("/ecs/side", "ecs") },
    { name: "noprefix", essential: true, logConfiguration: awslogs("/ecs/web") },
  ];
  it.each([
    ["the essential container that failed", ["worker"], "worker"],
    ["else the first essential container with a named stream", [], "app"],
    ["never a non-essential one, even when it failed", ["side"], "app"],
    ["never one whose stream ECS does not name (no prefix; another driver)", ["noprefix", "router"], "app"],
  ])("%s", (_name, failed, expected) => {
    expect(explainingContainer(definitions, failed)?.name).toBe(expected);
  });

  it("names the stream prefix/container/task-id", () => {
    expect(stoppedTaskLogLocation(definitions, { taskId: "abc123", containers: [{ name: "worker", exitCode: 1, reason: null }] })).toEqual({ container: "worker", group: "/ecs/web", stream: "ecs/worker/abc123", region: undefined });
    expect(stoppedTaskLogLocation([definitions[0]!], { taskId: "abc123", containers: [] })).toBeUndefined();
  });
});

describe("the lines printed", () => {
  const tail = { container: "app", group: "/ecs/web", stream: "ecs/app/abc", lines: ["starting", "Traceback (most recent call last):", "RuntimeError: boom", ""] };
  it("a heading and each line indented", () => {
    expect(logTailLines("web", "abcdef0123456789", tail)).toEqual([
      "web: task abcdef012345: the last 4 log lines of container app (/ecs/web ecs/app/abc):",
      "  | starting",
      "  | Traceback (most recent call last):",
      "  | RuntimeError: boom",
      "  | ",
    ]);
    expect(logTailLines("web", "abc", { ...tail, lines: [] })).toEqual(["web: task abc: no log lines of container app (/ecs/web ecs/app/abc)"]);
  });
  it("the one-line failure quotes the last non-empty line", () => {
    expect(lastLogLine(tail)).toBe("RuntimeError: boom");
    expect(formatStoppedTask({ taskId: "abc", stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [{ name: "app", exitCode: 1, reason: null }], logs: tail })).toBe(
      'task abc: EssentialContainerExited: Essential container in task exited (app: exit 1); its log ends: "RuntimeError: boom"',
    );
    expect(formatStoppedTask({ taskId: "abc", stopCode: null, stoppedReason: null, containers: [] })).toBe("task abc: stopped");
  });
  it("a live line names its container", () => {
    expect(liveLogLine("app", "applying 1\n")).toBe("[app] applying 1");
  });
});
