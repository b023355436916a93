import { describe, expect, it } from "vitest";
import { explainingContainer, lastLogLine, liveLogLine, logNotShownLine, logTailLines, logUnreadableLine } from "../../../src/core/task-logs.js";

const tail = (lines: string[]) => ({ container: "app", group: "/ecs/web", stream: "p/app/abc", lines });

describe("task log lines, word for word", () => {
  it.each([
    [[], ["web: task 0123456789ab: no log lines of container app (/ecs/web p/app/abc)"]],
    [["one"], ["web: task 0123456789ab: the last log line of container app (/ecs/web p/app/abc):", "  | one"]],
    [["a", "b"], ["web: task 0123456789ab: the last 2 log lines of container app (/ecs/web p/app/abc):", "  | a", "  | b"]],
  ])("logTailLines %j", (lines, expected) => {
    expect(logTailLines("web", "0123456789abcdef", tail(lines))).toEqual(expected);
  });
  it("liveLogLine drops one trailing newline only, at the end", () => {
    expect(liveLogLine("app", "a\nb\r\n")).toBe("[app] a\nb");
    expect(liveLogLine("app", "a\nb")).toBe("[app] a\nb");
  });
  it("logNotShownLine per driver", () => {
    expect(logNotShownLine("app", "awslogs")).toBe("container app logs with awslogs in a stream ecs-release cannot name (no awslogs-stream-prefix) or another region: its output is not shown here");
    expect(logNotShownLine("app", "splunk")).toBe("container app logs with the splunk driver: its output is not shown here");
  });
  it("logUnreadableLine: an Error's message, anything else as a string, and giving up", () => {
    expect(logUnreadableLine("the log", new Error("denied"))).toBe("could not read the log: denied");
    expect(logUnreadableLine("the log", "text", true)).toBe("could not read the log: text; no longer following it");
  });
  it("lastLogLine skips blank lines (spaces only too)", () => {
    expect(lastLogLine(tail(["first", "last", "   ", ""]))).toBe("last");
    expect(lastLogLine(tail(["  "]))).toBeUndefined();
    expect(lastLogLine(undefined)).toBeUndefined();
  });
  it("explainingContainer: a failed container whose name matches, not one without a name", () => {
    const log = (name?: string) => ({ ...(name !== undefined ? { name } : {}), logConfiguration: { logDriver: "awslogs" as const, options: { "awslogs-group": "g", "awslogs-stream-prefix": "p" } } });
    expect(explainingContainer([log("a"), log("b")], ["b"])?.name).toBe("b");
    expect(explainingContainer([log("a"), log("b")], [""])?.name).toBe("a");
  });
});
