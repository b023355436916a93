/** The round-trip count the benchmark and test/integration/rollback-round-trips.test.ts read from the call log. */
import { describe, expect, it } from "vitest";
import type { CallLogEntry } from "../../emulator/index.js";
import { callsBefore, longestChain } from "../../helpers/round-trips.js";

const call = (operation: string, start: number, end: number): CallLogEntry => ({ service: "ecs", operation, status: 200, start, end });

describe("longestChain", () => {
  it("calls made together are one round trip; one that waited for another's answer is the next", () => {
    const log = [call("DescribeServices", 0, 40), call("ListServiceDeployments", 41, 81), call("DescribeTaskDefinition", 42, 82), call("DescribeImages", 83, 123)];
    expect(longestChain(log)).toEqual(["DescribeServices", "ListServiceDeployments", "DescribeImages"]);
  });

  it("calls one after the other are as many round trips (the positive control)", () => {
    const log = [call("A", 0, 40), call("B", 40, 80), call("C", 80, 120), call("D", 121, 160)];
    expect(longestChain(log)).toHaveLength(4);
  });

  it("the longest chain wins, whichever order the log is in; none for an empty log", () => {
    const log = [call("C", 90, 130), call("A", 0, 40), call("X", 0, 100), call("B", 45, 85)];
    expect(longestChain(log)).toEqual(["A", "B", "C"]);
    expect(longestChain([])).toEqual([]);
  });
});

describe("callsBefore", () => {
  it("the calls that started before the first write of that name", () => {
    const log = [call("DescribeServices", 0, 40), call("UpdateService", 50, 90), call("DescribeServices", 95, 99), call("UpdateService", 100, 140)];
    expect(callsBefore(log, "UpdateService").map((c) => c.operation)).toEqual(["DescribeServices"]);
    expect(callsBefore(log, "StopServiceDeployment")).toHaveLength(4);
  });
});
