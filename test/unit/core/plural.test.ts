import { describe, expect, it } from "vitest";
import { plural } from "../../../src/core/plural.js";

describe("plural", () => {
  it.each<[number, string]>([
    [0, "0 services"],
    [1, "1 service"],
    [2, "2 services"],
  ])("%i", (count, expected) => expect(plural(count, "service")).toBe(expected));
});
