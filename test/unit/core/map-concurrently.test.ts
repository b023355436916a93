import { describe, expect, it } from "vitest";
import { mapConcurrently } from "../../../src/core/map-concurrently.js";

describe("mapConcurrently", () => {
  it.each([
    [[], 3],
    [[1], 3],
    [[1, 2, 3, 4, 5, 6, 7], 1],
    [[1, 2, 3, 4, 5, 6, 7], 3],
    [[1, 2, 3], 10],
  ])("maps %j with at most %i in flight, keeping the input order", async (items, limit) => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently(items, limit, async (item, index) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      // later items finish first, so order comes from the index, not from completion
      await new Promise((resolve) => setImmediate(resolve));
      if (item % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return `${index}:${item * 10}`;
    });
    expect(results).toEqual(items.map((item, index) => `${index}:${item * 10}`));
    expect(most).toBeLessThanOrEqual(Math.max(1, limit));
    if (items.length > 0) expect(most).toBe(Math.min(limit, items.length));
  });
});
