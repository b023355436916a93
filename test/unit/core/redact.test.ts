import { describe, expect, it } from "vitest";
import { MASK, Redactor } from "../../../src/core/redact.js";

describe("Redactor", () => {
  it("masks every known secret, longest first, and its JSON-escaped form", () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    redactor.add('pa"ss\\word');
    redactor.add("hunter2-extended");
    expect(redactor.redact("a hunter2 b hunter2-extended")).toBe(`a ${MASK} b ${MASK}`);
    expect(redactor.redact(JSON.stringify({ v: 'pa"ss\\word' }))).toBe(`{"v":"${MASK}"}`);
    expect(redactor.redact("pa.ss")).toBe("pa.ss");
  });

  it("leaves text alone without secrets, and ignores empty ones", () => {
    const redactor = new Redactor();
    redactor.add("");
    expect(redactor.size).toBe(0);
    expect(redactor.redact("nothing (secret) here [.*]")).toBe("nothing (secret) here [.*]");
  });
});
