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

  it("masks secrets inside JSON strings only, so a document stays valid JSON whatever the secret", () => {
    const redactor = new Redactor();
    for (const secret of ["true", "1", "null", '"', "hunter2"]) redactor.add(secret);
    const document = { dryRun: true, count: 1, none: null, image: "repo:1a", hunter2: ["say hunter2", 'a"b'], at: new Date(Date.UTC(2021, 0, 1)) };
    const text = redactor.redactJson(document, 2);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toMatchObject({ dryRun: true, count: 1, none: null, image: `repo:${MASK}a`, [MASK]: [`say ${MASK}`, `a${MASK}b`] });
    expect(parsed["at"]).toBe(`202${MASK}-0${MASK}-0${MASK}T00:00:00.000Z`);
    expect(new Redactor().redactJson({ a: [1, "x"] })).toBe('{"a":[1,"x"]}');
  });
});

describe("Redactor, its edges", () => {
  it("the mask is four asterisks (the documentation and the troubleshooting page show it)", () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    expect(redactor.redact("password hunter2")).toBe("password ****");
  });

  it("a circular structure is refused with a TypeError naming it, not a stack overflow", () => {
    const redactor = new Redactor();
    redactor.add("hunter2");
    const value: Record<string, unknown> = { password: "hunter2" };
    value["self"] = value;
    expect(() => redactor.redactJson(value)).toThrow(new TypeError("cannot print a circular structure as JSON"));
  });
});
