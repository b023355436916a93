import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertProperty, replaySettings } from "../helpers/property.js";

describe("fast-check seeds (test/helpers/property.ts)", () => {
  it("a failing property's error names its seed and path and how to replay them; the seed replays the same counterexample", () => {
    const failing = fc.property(fc.integer({ min: 0, max: 1000 }), (n) => n < 500);
    const error = (() => {
      try {
        assertProperty(failing, { seed: 42 });
      } catch (caught) {
        return String(caught);
      }
      return "passed";
    })();
    const match = /Replay this case: FC_SEED=(-?\d+) FC_PATH=([\d:]+) npx vitest run/.exec(error);
    expect(match?.[1]).toBe("42");
    const counterexample = /Counterexample: \[(\d+)\]/.exec(error)?.[1];
    expect(counterexample).toBe("500");
    const replayed = fc.check(failing, { seed: Number(match?.[1]), path: match?.[2] ?? "" });
    expect(replayed.counterexample).toEqual([500]);
  });

  it("reads FC_SEED and FC_PATH, and refuses a seed that is not an integer", () => {
    expect(replaySettings({})).toEqual({});
    expect(replaySettings({ FC_SEED: "-17", FC_PATH: "3:1" })).toEqual({ seed: -17, path: "3:1" });
    expect(() => replaySettings({ FC_SEED: "abc" })).toThrow(/FC_SEED must be an integer/);
  });
});
