import { afterEach, describe, expect, it, vi } from "vitest";
import { commandHelp } from "../../../src/cli/help.js";
import { MAX_TIMER_MS, systemClock } from "../../../src/cli/main.js";
import { COMMANDS } from "../../../src/cli/commands/index.js";

describe("--help states the bounds (issue 14.4)", () => {
  it("every duration flag says it takes at most 24h", () => {
    const release = COMMANDS.find((c) => c.name === "release")!;
    const help = commandHelp(release);
    for (const flag of ["--timeout", "--poll-interval", "--pre-deploy-timeout"]) {
      expect(help.split("\n").find((line) => line.includes(`${flag} `)), flag).toContain("at most 24h");
    }
  });

  it("--ssm-path says it needs a segment below the root", () => {
    const help = commandHelp(COMMANDS.find((c) => c.name === "release")!);
    expect(help.split("\n").find((line) => line.includes("--ssm-path "))).toMatch(/not \//);
  });
});

describe("systemClock.sleep never hands setTimeout more than 2^31-1 ms (issue 14.4)", () => {
  afterEach(() => vi.useRealTimers());
  it("a sleep past the limit is still pending after a second, and ends at the limit", async () => {
    vi.useFakeTimers();
    let done = false;
    const sleeping = systemClock.sleep(2 ** 32).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    await sleeping;
    expect(done).toBe(true);
  });
});
